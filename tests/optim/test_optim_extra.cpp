// AdamW and RMSprop against PyTorch 1.13 (tests/fixtures/optim.json), parameter groups with their own options,
// timm's no-weight-decay split, clip_grad_norm_, and the full state (tensors + group options) resuming exactly.
#include <cnn/nn.h>
#include <cnn/optim.h>
#include <cnn/optim_utils.h>

#include <cmath>

#include "test_util.h"

namespace cnn {
namespace {

constexpr int kSteps = 5;

double option(const std::string& c, const std::string& key) { return test::fixture_value("optim", c, key); }
Tensor fixture(const std::string& c, const std::string& key) { return test::fixture("optim", c, key); }

// Runs kSteps of the optimiser make() builds over parameters p and q, comparing with the fixture after each step.
template <class MakeOptimizer>
void check_case(const std::string& c, MakeOptimizer make) {
  SCOPED_TRACE(c);
  Tensor p = fixture(c, "p0").requires_grad_();
  Tensor q = fixture(c, "q0").requires_grad_();
  auto opt = make(p, q);
  for (int k = 1; k <= kSteps; ++k) {
    p.set_grad(fixture(c, fmt::format("gp{}", k)));
    q.set_grad(fixture(c, fmt::format("gq{}", k)));
    opt.step();
    EXPECT_ALLCLOSE(p.detach(), fixture(c, fmt::format("p{}", k)), 1e-5, 1e-6) << "step " << k;
    EXPECT_ALLCLOSE(q.detach(), fixture(c, fmt::format("q{}", k)), 1e-5, 1e-6) << "step " << k;
  }
}

AdamW make_adamw(const std::string& c, const Tensor& p, const Tensor& q) {
  return AdamW({p, q}, {.lr = option(c, "lr"),
                        .betas = {option(c, "beta1"), option(c, "beta2")},
                        .eps = option(c, "eps"),
                        .weight_decay = option(c, "weight_decay"),
                        .amsgrad = option(c, "amsgrad") != 0,
                        .maximize = option(c, "maximize") != 0});
}

RMSprop make_rmsprop(const std::string& c, const Tensor& p, const Tensor& q) {
  return RMSprop({p, q}, {.lr = option(c, "lr"),
                          .alpha = option(c, "alpha"),
                          .eps = option(c, "eps"),
                          .weight_decay = option(c, "weight_decay"),
                          .momentum = option(c, "momentum"),
                          .centered = option(c, "centered") != 0,
                          .maximize = option(c, "maximize") != 0});
}

TEST(AdamW, MatchesPyTorch) {
  for (const char* c : {"adamw_default", "adamw_weight_decay", "adamw_amsgrad_maximize"})
    check_case(c, [&](const Tensor& p, const Tensor& q) { return make_adamw(c, p, q); });
}

// cnn train --opt rmsprop --opt-alpha 0.9 (the Inception recipe's alpha): square_avg = alpha * square_avg + (1 -
// alpha) * g^2, p -= lr * g / (sqrt(square_avg) + eps), by hand in double, and PyTorch's numbers:
//   p = torch.tensor([1.0, -2.0, 0.5], requires_grad=True); o = torch.optim.RMSprop([p], lr=0.01, alpha=0.9)
//   for g in ([0.3, -0.1, 2.0], [0.1, 0.4, -1.0]): p.grad = torch.tensor(g); o.step()
TEST(RMSprop, AlphaPointNineMatchesTheFormulaAndPyTorch) {
  const std::vector<std::vector<double>> grads{{0.3, -0.1, 2.0}, {0.1, 0.4, -1.0}};
  const std::vector<std::vector<float>> torch_values{{0.968377233f, -1.96837723f, 0.468377233f},
                                                     {0.957894385f, -1.99914646f, 0.483121425f}};
  Tensor p = from_vector(std::vector<float>{1.0f, -2.0f, 0.5f}, {3}).requires_grad_();
  RMSprop opt({p}, {.lr = 0.01, .alpha = 0.9});
  std::vector<double> value{1.0, -2.0, 0.5}, square_avg(3, 0.0);
  for (size_t k = 0; k < grads.size(); ++k) {
    std::vector<float> g(grads[k].begin(), grads[k].end());
    p.set_grad(from_vector(g, {3}));
    opt.step();
    for (size_t i = 0; i < 3; ++i) {
      square_avg[i] = 0.9 * square_avg[i] + 0.1 * grads[k][i] * grads[k][i];
      value[i] -= 0.01 * grads[k][i] / (std::sqrt(square_avg[i]) + 1e-8);
      EXPECT_NEAR(p.detach().to_vector<float>()[i], value[i], 1e-6) << "step " << k + 1 << " element " << i;
      EXPECT_NEAR(p.detach().to_vector<float>()[i], torch_values[k][i], 1e-6) << "step " << k + 1 << " element " << i;
    }
  }
  EXPECT_NEAR(value[0], 1.0 - 0.01 / std::sqrt(0.1) - 0.01 * 0.1 / std::sqrt(0.9 * 0.009 + 0.001), 1e-7)
      << "the first step moves each element by lr / sqrt(1 - alpha)";
}

TEST(RMSprop, MatchesPyTorch) {
  for (const char* c : {"rmsprop_default", "rmsprop_weight_decay", "rmsprop_momentum", "rmsprop_centered",
                        "rmsprop_centered_momentum_maximize"})
    check_case(c, [&](const Tensor& p, const Tensor& q) { return make_rmsprop(c, p, q); });
}

TEST(ParamGroups, EachGroupUsesItsOwnLrAndWeightDecay) {
  check_case("sgd_groups", [](const Tensor& p, const Tensor& q) {
    return SGD({{{p}, {.lr = 0.1, .momentum = 0.9}}, {{q}, {.lr = 0.02, .weight_decay = 0.1}}});
  });
}

TEST(ParamGroups, GroupOptionsByName) {
  Tensor p = ones({2}).requires_grad_();
  RMSprop opt({p}, {.lr = 0.01, .momentum = 0.9});
  const GroupOptions o = opt.group_options(0);
  EXPECT_DOUBLE_EQ(o.at("lr"), 0.01);
  EXPECT_DOUBLE_EQ(o.at("alpha"), 0.99);
  EXPECT_DOUBLE_EQ(o.at("centered"), 0.0);
  EXPECT_FALSE(o.contains("initial_lr"));
  opt.set_group_options(0, {{"momentum", 0.5}, {"centered", 1}, {"initial_lr", 0.2}});
  EXPECT_DOUBLE_EQ(opt.param_groups[0].options.momentum, 0.5);
  EXPECT_TRUE(opt.param_groups[0].options.centered);
  EXPECT_DOUBLE_EQ(*opt.initial_lr(0), 0.2);
  EXPECT_DOUBLE_EQ(opt.group_options(0).at("initial_lr"), 0.2);
  try {
    opt.set_group_options(0, {{"beta1", 0.9}});
    FAIL() << "RMSprop has no beta1";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no option beta1"), std::string::npos) << e.what();
  }
  AdamW adamw({ones({1}).requires_grad_()});
  EXPECT_DOUBLE_EQ(adamw.group_options(0).at("weight_decay"), 0.01);  // torch's AdamW default
  adamw.set_group_options(0, {{"beta1", 0.85}});
  EXPECT_DOUBLE_EQ(adamw.param_groups[0].options.betas.first, 0.85);
}

TEST(ParamGroups, NoWeightDecayOnBiasesAndNormParameters) {
  Sequential model(Conv2d(3, 4, {.kernel_size = 3}), BatchNorm2d(4), Flatten(), Linear(4, 2));
  model.child("3")->named_parameters().at("weight").requires_grad_(false);  // frozen: left out
  auto groups = param_groups_weight_decay(model, SGDOptions{.lr = 0.1, .weight_decay = 5e-4}, {"1.weight"});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_DOUBLE_EQ(groups[0].options.weight_decay, 0.0);
  EXPECT_DOUBLE_EQ(groups[1].options.weight_decay, 5e-4);
  EXPECT_DOUBLE_EQ(groups[0].options.lr, 0.1);
  // no decay: 0.bias, 1.weight, 1.bias, 3.bias; decay: 0.weight (4-D). 3.weight is frozen.
  EXPECT_EQ(groups[0].params.size(), 4u);
  ASSERT_EQ(groups[1].params.size(), 1u);
  EXPECT_EQ(groups[1].params[0].shape(), (Shape{4, 3, 3, 3}));
  SGD opt(groups);
  EXPECT_EQ(opt.num_param_groups(), 2u);
}

TEST(ClipGradNorm, MatchesPyTorch) {
  for (const char* c : {"clip_2", "clip_2_unclipped", "clip_inf"}) {
    SCOPED_TRACE(c);
    Tensor a = zeros({3, 4}).requires_grad_(), b = zeros({7}).requires_grad_(), none = zeros({2}).requires_grad_();
    a.set_grad(fixture(c, "ga"));
    b.set_grad(fixture(c, "gb"));
    const double norm_type = option(c, "inf_norm") != 0 ? INFINITY : 2.0;
    const double total = clip_grad_norm_({a, none, b}, option(c, "max_norm"), norm_type);
    EXPECT_NEAR(total, option(c, "total"), 1e-5 * option(c, "total"));
    EXPECT_ALLCLOSE(a.grad(), fixture(c, "ca"));
    EXPECT_ALLCLOSE(b.grad(), fixture(c, "cb"));
    EXPECT_FALSE(none.grad().defined());
  }
}

TEST(ClipGradNorm, NonFiniteTotal) {
  Tensor a = zeros({2}).requires_grad_();
  a.set_grad(from_vector(std::vector<float>{NAN, 1.0f}, Shape{2}));
  EXPECT_TRUE(std::isnan(clip_grad_norm_({a}, 1.0)));
  EXPECT_THROW(clip_grad_norm_({a}, 1.0, 2.0, true), Error);
  EXPECT_EQ(clip_grad_norm_({zeros({1}).requires_grad_()}, 1.0), 0.0);  // no gradients
}

// One optimiser steps kSteps times; a second steps twice, takes the first's full state after two steps
// (tensors and group options, lr changed in between) and continues: both end bit-identical.
template <class Opt, class Options>
void check_full_state_resume(const Options& options) {
  const std::string c = "rmsprop_centered_momentum_maximize";
  Tensor p = fixture(c, "p0").requires_grad_(), r = fixture(c, "p0").requires_grad_();
  Opt full({p}, options), resumed({r}, options);
  OptimizerState saved;
  for (int k = 1; k <= kSteps; ++k) {
    p.set_grad(fixture(c, fmt::format("gp{}", k)));
    full.step();
    full.set_lr(full.lr() * 0.5);
    if (k == 2) {
      saved = full.full_state();
      for (auto& [key, t] : saved.state) t = t.clone();
      r.detach().copy_(p.detach());
    }
  }
  resumed.load_full_state(saved);
  EXPECT_DOUBLE_EQ(resumed.lr(), options.lr * 0.25);
  for (int k = 3; k <= kSteps; ++k) {
    r.set_grad(fixture(c, fmt::format("gp{}", k)));
    resumed.step();
    resumed.set_lr(resumed.lr() * 0.5);
  }
  EXPECT_EQ(r.to_vector<float>(), p.to_vector<float>());
}

TEST(Optimizer, FullStateResumesBitIdentically) {
  check_full_state_resume<RMSprop>(RMSpropOptions{.lr = 0.01, .momentum = 0.9, .centered = true});
  check_full_state_resume<AdamW>(AdamWOptions{.lr = 0.01, .amsgrad = true});
  check_full_state_resume<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.9});
  Tensor p = ones({3}).requires_grad_();
  RMSprop opt({p});
  OptimizerState two_groups{{}, {{{"lr", 0.1}}, {{"lr", 0.2}}}};
  EXPECT_THROW(opt.load_full_state(two_groups), Error);
  EXPECT_THROW(opt.load_state_dict({{"state.0.exp_avg", zeros({3})}}), Error);
}

TEST(Optimizer, RejectsBadOptions) {
  Tensor p = zeros({2}).requires_grad_();
  EXPECT_THROW(RMSprop({p}, {.lr = -1}), Error);
  EXPECT_THROW(RMSprop({p}, {.alpha = -0.5}), Error);
  EXPECT_THROW(AdamW({p}, {.betas = {0.9, 1.0}}), Error);
  EXPECT_THROW(AdamW({p, p}), Error);
}

}  // namespace
}  // namespace cnn
