// Every scheduler against PyTorch 1.13 (tests/fixtures/schedulers.json): two parameter groups, the lrs after
// construction and after each of 30 steps (momentum too for OneCycleLR); state_dict resume; the --sched mapping.
#include <cnn/optim.h>
#include <cnn/scheduler.h>
#include <cnn/scheduler_factory.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

const nlohmann::json& fixtures() {
  static const nlohmann::json doc = [] {
    std::ifstream in(std::string(CNN_FIXTURES_DIR) + "/schedulers.json");
    return nlohmann::json::parse(in);
  }();
  return doc;
}

// Two groups as the fixture's: lr 0.1 and 0.01 (SGD with momentum 0.9, or Adam).
struct Groups {
  Tensor a = zeros({2}).requires_grad_(), b = zeros({3}).requires_grad_();
  std::unique_ptr<Optimizer> opt;
  explicit Groups(bool adam = false) {
    if (adam)
      opt = std::make_unique<Adam>(std::vector<ParamGroup<AdamOptions>>{{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.01}}});
    else
      opt = std::make_unique<SGD>(std::vector<ParamGroup<SGDOptions>>{{{a}, {.lr = 0.1, .momentum = 0.9}},
                                                                      {{b}, {.lr = 0.01, .momentum = 0.9}}});
  }
};

using Make = std::function<std::unique_ptr<LRScheduler>(Optimizer&)>;

double momentum_of(const Optimizer& opt, size_t g) {
  const GroupOptions o = opt.group_options(g);
  return o.contains("beta1") ? o.at("beta1") : o.at("momentum");
}

::testing::AssertionResult near(double actual, double expected) {
  if (std::fabs(actual - expected) <= 1e-13 + 1e-12 * std::fabs(expected)) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << fmt::format("{:.17g} vs PyTorch's {:.17g}", actual, expected);
}

void check(const std::string& name, const Make& make, bool adam = false) {
  SCOPED_TRACE(name);
  const nlohmann::json& c = fixtures().at(name);
  Groups s(adam);
  auto sched = make(*s.opt);
  for (size_t k = 0; k < c["lrs"].size(); ++k) {
    if (k > 0) {
      if (c.contains("metrics"))
        dynamic_cast<ReduceLROnPlateau&>(*sched).step(c["metrics"][k - 1].get<double>());
      else
        sched->step();
    }
    for (size_t g = 0; g < 2; ++g) {
      EXPECT_TRUE(near(s.opt->lr(g), c["lrs"][k][g].get<double>())) << "after " << k << " steps, group " << g;
      EXPECT_TRUE(near(sched->get_last_lr()[g], c["lrs"][k][g].get<double>())) << "get_last_lr, step " << k;
      EXPECT_TRUE(near(momentum_of(*s.opt, g), c["momentum"][k][g].get<double>())) << "momentum, step " << k;
    }
  }
}

template <class S, class... Args>
Make make(Args... args) {
  return [=](Optimizer& o) { return std::make_unique<S>(o, args...); };
}

std::unique_ptr<LRScheduler> chain(Optimizer& o, const Make& first, const Make& second, int64_t milestone) {
  std::vector<std::unique_ptr<LRScheduler>> v;
  v.push_back(first(o));
  v.push_back(second(o));
  return std::make_unique<SequentialLR>(o, std::move(v), std::vector<int64_t>{milestone});
}

TEST(Schedulers, MultiplicativeMatchPyTorch) {
  check("step", make<StepLR>(StepLROptions{.step_size = 7, .gamma = 0.5}));
  check("multistep", make<MultiStepLR>(MultiStepLROptions{.milestones = {8, 3, 20, 8}, .gamma = 0.3}));
  check("exponential", make<ExponentialLR>(0.9));
  check("linear", make<LinearLR>(LinearLROptions{.start_factor = 0.1, .total_iters = 6}));
  check("linear_decay", make<LinearLR>(LinearLROptions{.start_factor = 1.0, .end_factor = 0.2, .total_iters = 10}));
}

TEST(Schedulers, CosineFamilyMatchesPyTorch) {
  check("cosine", make<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 10, .eta_min = 0.001}));
  check("cosine_long", make<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 30}));
  check("warm_restarts",
        make<CosineAnnealingWarmRestarts>(CosineAnnealingWarmRestartsOptions{.T_0 = 4, .T_mult = 2, .eta_min = 1e-4}));
  check("warm_restarts_1", make<CosineAnnealingWarmRestarts>(CosineAnnealingWarmRestartsOptions{.T_0 = 7}));
  check("onecycle", make<OneCycleLR>(OneCycleLROptions{.max_lr = {0.5, 0.05}, .total_steps = 30}));
  check("onecycle_adam",
        make<OneCycleLR>(OneCycleLROptions{
            .max_lr = {0.2}, .total_steps = 30, .pct_start = 0.25, .anneal_strategy = "linear", .three_phase = true}),
        true);
}

TEST(Schedulers, SequentialMatchesPyTorch) {
  check("warmup_cosine", [](Optimizer& o) {
    return chain(o, make<LinearLR>(LinearLROptions{.start_factor = 0.01, .total_iters = 5}),
                 make<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 25, .eta_min = 1e-5}), 5);
  });
  check("warmup_step", [](Optimizer& o) {
    return chain(o, make<LinearLR>(LinearLROptions{.start_factor = 0.5, .total_iters = 3}),
                 make<StepLR>(StepLROptions{.step_size = 4, .gamma = 0.5}), 3);
  });
}

TEST(Schedulers, PlateauMatchesPyTorch) {
  check("plateau_min", make<ReduceLROnPlateau>(ReduceLROnPlateauOptions{
                           .mode = "min", .factor = 0.5, .patience = 2, .cooldown = 1, .min_lr = {1e-3, 1e-4}}));
  check("plateau_max_abs",
        make<ReduceLROnPlateau>(ReduceLROnPlateauOptions{
            .mode = "max", .factor = 0.3, .patience = 1, .threshold = 0.01, .threshold_mode = "abs"}));
  Groups s;
  ReduceLROnPlateau plateau(*s.opt);
  EXPECT_TRUE(plateau.needs_metric());
  EXPECT_THROW(plateau.step(), Error);
}

// The same schedule stepped 30 times, or 12 times then saved (scheduler and optimizer) and resumed in fresh objects.
void check_resume(const std::string& name, const Make& make, bool adam = false) {
  SCOPED_TRACE(name);
  const nlohmann::json& c = fixtures().at(name);
  Groups first(adam);
  auto sched = make(*first.opt);
  for (int k = 0; k < 12; ++k) sched->step();
  const SchedulerState saved = sched->state_dict();
  const OptimizerState opt_state = first.opt->full_state();
  Groups second(adam);
  auto resumed = make(*second.opt);
  second.opt->load_full_state(opt_state);
  resumed->load_state_dict(saved);
  for (size_t k = 13; k < c["lrs"].size(); ++k) {
    resumed->step();
    for (size_t g = 0; g < 2; ++g) EXPECT_TRUE(near(second.opt->lr(g), c["lrs"][k][g].get<double>())) << "step " << k;
  }
}

TEST(Schedulers, StateDictResumes) {
  check_resume("warm_restarts", make<CosineAnnealingWarmRestarts>(
                                    CosineAnnealingWarmRestartsOptions{.T_0 = 4, .T_mult = 2, .eta_min = 1e-4}));
  check_resume(
      "onecycle_adam",
      make<OneCycleLR>(OneCycleLROptions{
          .max_lr = {0.2}, .total_steps = 30, .pct_start = 0.25, .anneal_strategy = "linear", .three_phase = true}),
      true);
  check_resume("warmup_cosine", [](Optimizer& o) {
    return chain(o, make<LinearLR>(LinearLROptions{.start_factor = 0.01, .total_iters = 5}),
                 make<CosineAnnealingLR>(CosineAnnealingLROptions{.T_max = 25, .eta_min = 1e-5}), 5);
  });
  Groups s;
  StepLR step(*s.opt, {.step_size = 2});
  EXPECT_THROW(step.load_state_dict({{"last_epoch", 3}}), Error);
}

TEST(SchedulerFactory, TimmFlagsMapToTorchSchedules) {
  // --sched cosine --warmup-epochs 5 --warmup-lr 0.001 --min-lr 1e-5 --epochs 30 with lr 0.1: warmup_cosine.
  check("warmup_cosine", [](Optimizer& o) {
    return create_scheduler({.sched = "cosine", .epochs = 30, .warmup_epochs = 5, .warmup_lr = 0.001, .min_lr = 1e-5},
                            o)
        .scheduler;
  });
  check("step", [](Optimizer& o) {
    return create_scheduler({.sched = "step", .epochs = 30, .decay_epochs = 7, .decay_rate = 0.5}, o).scheduler;
  });
  Groups s;
  ScheduleHandle h = create_scheduler({.sched = "onecycle", .epochs = 3, .steps_per_epoch = 10}, *s.opt);
  EXPECT_TRUE(h.per_step);
  EXPECT_FALSE(create_scheduler({.sched = "none", .epochs = 3}, *Groups().opt).scheduler);
  EXPECT_TRUE(create_scheduler({.sched = "plateau", .epochs = 3}, *Groups().opt).scheduler->needs_metric());
  EXPECT_THROW(create_scheduler({.sched = "cosinus", .epochs = 3}, *Groups().opt), Error);
  EXPECT_THROW(create_scheduler({.sched = "cosine", .epochs = 3, .warmup_epochs = 3}, *Groups().opt), Error);
  EXPECT_THROW(create_scheduler({.sched = "plateau", .epochs = 3, .warmup_epochs = 1}, *Groups().opt), Error);
}

}  // namespace
}  // namespace cnn
