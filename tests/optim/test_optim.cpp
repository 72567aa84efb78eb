// SGD and Adam against PyTorch 1.13: five steps with given gradients per option set (tests/fixtures/optim.json),
// plus option checks, zero_grad, learning-rate access and state-dict round trips.
#include <cnn/nn.h>
#include <cnn/optim.h>

#include "test_util.h"

namespace cnn {
namespace {

constexpr int kSteps = 5;

double option(const std::string& c, const std::string& key) { return test::fixture_value("optim", c, key); }

// Runs kSteps of `opt` over parameters p and q, feeding the fixture's gradients and comparing after each step.
template <class MakeOptimizer>
void check_case(const std::string& c, MakeOptimizer make) {
  SCOPED_TRACE(c);
  Tensor p = test::fixture("optim", c, "p0").requires_grad_();
  Tensor q = test::fixture("optim", c, "q0").requires_grad_();
  auto opt = make(std::vector<Tensor>{p, q});
  for (int k = 1; k <= kSteps; ++k) {
    p.set_grad(test::fixture("optim", c, fmt::format("gp{}", k)));
    q.set_grad(test::fixture("optim", c, fmt::format("gq{}", k)));
    opt.step();
    EXPECT_ALLCLOSE(p.detach(), test::fixture("optim", c, fmt::format("p{}", k)), 1e-5, 1e-6) << "step " << k;
    EXPECT_ALLCLOSE(q.detach(), test::fixture("optim", c, fmt::format("q{}", k)), 1e-5, 1e-6) << "step " << k;
  }
}

SGD make_sgd(const std::string& c, std::vector<Tensor> params) {
  return SGD(std::move(params), {.lr = option(c, "lr"),
                                 .momentum = option(c, "momentum"),
                                 .dampening = option(c, "dampening"),
                                 .weight_decay = option(c, "weight_decay"),
                                 .nesterov = option(c, "nesterov") != 0,
                                 .maximize = option(c, "maximize") != 0});
}

Adam make_adam(const std::string& c, std::vector<Tensor> params) {
  return Adam(std::move(params), {.lr = option(c, "lr"),
                                  .betas = {option(c, "beta1"), option(c, "beta2")},
                                  .eps = option(c, "eps"),
                                  .weight_decay = option(c, "weight_decay"),
                                  .amsgrad = option(c, "amsgrad") != 0,
                                  .maximize = option(c, "maximize") != 0});
}

TEST(SGD, MatchesPyTorch) {
  for (const char* c : {"sgd_plain", "sgd_weight_decay", "sgd_momentum", "sgd_dampening", "sgd_nesterov",
                        "sgd_maximize"})
    check_case(c, [&](std::vector<Tensor> ps) { return make_sgd(c, std::move(ps)); });
}

TEST(Adam, MatchesPyTorch) {
  for (const char* c : {"adam_default", "adam_weight_decay", "adam_amsgrad", "adam_amsgrad_weight_decay"})
    check_case(c, [&](std::vector<Tensor> ps) { return make_adam(c, std::move(ps)); });
}

TEST(SGD, ChecksOptionsAndParameters) {
  Tensor p = zeros({2}).requires_grad_();
  EXPECT_THROW(SGD({p}, {.lr = -1}), Error);
  EXPECT_THROW(SGD({p}, {.lr = 0.1, .nesterov = true}), Error);
  EXPECT_THROW(SGD({p}, {.lr = 0.1, .momentum = 0.9, .dampening = 0.1, .nesterov = true}), Error);
  EXPECT_THROW(SGD({p, p}, {.lr = 0.1}), Error);
  EXPECT_THROW(SGD({p * 2.0}, {.lr = 0.1}), Error);  // not a leaf
  EXPECT_THROW(Adam({p}, {.betas = {1.0, 0.999}}), Error);
  EXPECT_THROW(Adam({p}, {.eps = -1}), Error);
}

TEST(SGD, SkipsParametersWithoutGradient) {
  Tensor p = ones({2}).requires_grad_();
  SGD opt({p}, {.lr = 0.1, .momentum = 0.9});
  opt.step();
  EXPECT_EQ(p.to_vector<float>(), std::vector<float>(2, 1.0f));
  EXPECT_TRUE(opt.state_dict().empty());
}

TEST(Optimizer, ZeroGradAndLearningRates) {
  Linear a(2, 2), b(2, 1);
  SGD opt({{a.parameters(), {.lr = 0.1}}, {b.parameters(), {.lr = 0.01, .momentum = 0.9}}});
  EXPECT_EQ(opt.num_param_groups(), 2u);
  EXPECT_DOUBLE_EQ(opt.lr(1), 0.01);
  Optimizer& base = opt;
  base.set_lr(0.5, 0);
  EXPECT_DOUBLE_EQ(opt.param_groups[0].options.lr, 0.5);
  EXPECT_DOUBLE_EQ(opt.lr(1), 0.01);
  base.set_lr(0.2);
  EXPECT_DOUBLE_EQ(opt.lr(0), 0.2);
  EXPECT_DOUBLE_EQ(opt.lr(1), 0.2);
  for (const Tensor& p : a.parameters()) p.set_grad(ones_like(p));
  base.zero_grad();
  for (const Tensor& p : a.parameters()) EXPECT_FALSE(p.grad().defined());
  b.weight.set_grad(ones({1, 2}));
  base.zero_grad(false);
  EXPECT_EQ(b.weight.grad().to_vector<float>(), std::vector<float>(2, 0.0f));
}

TEST(Optimizer, GroupsUseTheirOwnOptions) {
  Tensor p = ones({1}).requires_grad_(), q = ones({1}).requires_grad_();
  SGD opt({{{p}, {.lr = 0.1}}, {{q}, {.lr = 1.0, .weight_decay = 1.0}}});
  p.set_grad(ones({1}));
  q.set_grad(ones({1}));
  opt.step();
  EXPECT_FLOAT_EQ(p.to_vector<float>()[0], 0.9f);
  EXPECT_FLOAT_EQ(q.to_vector<float>()[0], -1.0f);  // 1 - 1.0 * (1 + 1.0 * 1)
}

// Two optimisers: one runs 5 steps, the other 2 steps, then takes the first's state after 2 and continues.
template <class Opt, class Options>
void check_resume(const Options& options) {
  const std::string c = "adam_amsgrad";
  Tensor p = test::fixture("optim", c, "p0").requires_grad_();
  Tensor r = test::fixture("optim", c, "p0").requires_grad_();
  Opt full({p}, options), resumed({r}, options);
  StateDict saved;
  for (int k = 1; k <= kSteps; ++k) {
    p.set_grad(test::fixture("optim", c, fmt::format("gp{}", k)));
    full.step();
    if (k == 2) {
      for (const auto& [key, t] : full.state_dict()) saved.insert(key, t.clone());
      r.detach().copy_(p.detach());
    }
  }
  resumed.load_state_dict(saved);
  for (int k = 3; k <= kSteps; ++k) {
    r.set_grad(test::fixture("optim", c, fmt::format("gp{}", k)));
    resumed.step();
  }
  EXPECT_ALLCLOSE(r.detach(), p.detach());
}

TEST(Optimizer, StateDictResumesExactly) {
  check_resume<Adam>(AdamOptions{.lr = 0.01, .amsgrad = true});
  check_resume<SGD>(SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
  Tensor p = ones({3}).requires_grad_();
  Adam opt({p});
  EXPECT_THROW(opt.load_state_dict({{"state.1.exp_avg", zeros({3})}}), Error);
  EXPECT_THROW(opt.load_state_dict({{"state.0.step", scalar_tensor(1, DType::i64)}, {"state.0.exp_avg", zeros({4})},
                                    {"state.0.exp_avg_sq", zeros({3})}}),
               Error);
}

}  // namespace
}  // namespace cnn
