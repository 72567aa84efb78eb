// fuse_conv_bn: every Conv2d -> BatchNorm2d pair of the zoo's families is found by tracing and folded, the
// outputs equal the unfused model's to float rounding, and convs whose output is used elsewhere are left alone.
#include <cnn/cnn.h>
#include <cnn/fuse.h>
#include <cnn/models.h>
#include <cnn/nn.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

// Non-trivial running statistics and affine parameters, so that a wrong fold would show.
void randomize_batch_norms(Module& m) {
  for (auto& [name, t] : m.named_buffers()) {
    if (name.ends_with("running_var")) t.copy_(test::uniform(t.shape()) * 0.4 + 1.0);
    if (name.ends_with("running_mean")) t.copy_(test::uniform(t.shape()) * 0.2);
  }
  for (auto& [name, t] : m.named_parameters())
    if (name.find("bn") != std::string::npos || name.find("norm") != std::string::npos) {
      NoGradGuard g;
      t.copy_(test::uniform(t.shape()) * 0.5 + 1.0);
    }
}

struct Case {
  std::string model;
  Shape input;
  int64_t pairs;
  models::ModelOptions options{};
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.model << " on " << c.input.str(); }

class FuseConvBn : public ::testing::TestWithParam<Case> {};

TEST_P(FuseConvBn, FoldsEveryPairAndKeepsTheOutputs) {
  const Case& c = GetParam();
  manual_seed(2);
  ModulePtr model = models::create(c.model, c.options);
  model->eval();
  randomize_batch_norms(*model);
  const Tensor x = test::uniform(c.input);
  NoGradGuard no_grad;
  const Tensor before = (*model)(x).contiguous();
  EXPECT_EQ(fuse_conv_bn(*model, c.input), c.pairs);
  int64_t batch_norms = 0;
  for (auto& [name, m] : model->named_modules())
    if (auto* bn = dynamic_cast<BatchNorm2d*>(m)) batch_norms += !bn->folded();
  EXPECT_ALLCLOSE((*model)(x), before, 1e-4, 1e-5);
  EXPECT_EQ(fuse_conv_bn(*model, c.input), 0) << "nothing left to fuse";
  if (c.model != "densenet121") {
    EXPECT_EQ(batch_norms, 0) << "every batch norm followed a conv";
  } else {
    EXPECT_EQ(batch_norms, 62) << "DenseNet-121's pre-activation norms follow a concatenation, not a conv";
  }
}

INSTANTIATE_TEST_SUITE_P(Zoo, FuseConvBn,
                         ::testing::Values(Case{"resnet18_cifar", {2, 3, 32, 32}, 20},
                                           Case{"mobilenet_v2", {1, 3, 64, 64}, 52, {.width_mult = 0.25}},
                                           Case{"plaincnn", {2, 1, 28, 28}, 3},
                                           Case{"densenet121", {1, 3, 32, 32}, 59}),
                         [](const auto& info) { return info.param.model; });

TEST(FuseConvBnRules, ConvUsedTwiceOrOutputUsedElsewhereIsLeftAlone) {
  // conv -> bn, but the conv's output is also returned through a residual add: not fusable.
  struct Branchy : Module {
    std::shared_ptr<Conv2d> conv;
    std::shared_ptr<BatchNorm2d> bn;
    Branchy() {
      conv = register_module("conv", Conv2d(2, 2, {.kernel_size = 1}));
      bn = register_module("bn", BatchNorm2d(2));
    }
    std::string type_name() const override { return "Branchy"; }
    Tensor forward(const Tensor& x) override {
      const Tensor c = (*conv)(x);
      return (*bn)(c) + c;
    }
  };
  Branchy m;
  m.eval();
  EXPECT_EQ(fuse_conv_bn(m, {1, 2, 4, 4}), 0);
  m.train();
  EXPECT_EQ(test::error_message([&] { fuse_conv_bn(m, {1, 2, 4, 4}); }),
            "fuse_conv_bn: Branchy is in training mode; call eval() first (batch norm is folded with its running "
            "statistics)");
}

}  // namespace
}  // namespace cnn
