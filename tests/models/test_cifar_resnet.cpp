// He et al. 2016's CIFAR networks: depth 6n + 2, option A shortcuts (no parameters), the plain twins with the same
// parameters, and the shortcut's subsample-and-zero-pad by hand.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

// conv1 16*3*9 + bn 32; per stage of n blocks two 3x3 convs + two BNs; fc 64*10 + 10.
int64_t expected_parameters(int64_t n, int64_t in_channels) {
  int64_t total = 16 * in_channels * 9 + 32;
  int64_t in = 16;
  for (int64_t out : {16, 32, 64})
    for (int64_t b = 0; b < n; ++b) {
      total += in * out * 9 + out * out * 9 + 4 * out;
      in = out;
    }
  return total + 64 * 10 + 10;
}

TEST(CifarResNet, ParametersMatchThePaperAndThePlainTwin) {
  EXPECT_EQ(models::create("resnet20")->num_parameters(), 269722);  // the paper's 0.27M
  EXPECT_EQ(models::create("resnet20")->num_parameters(), expected_parameters(3, 3));
  EXPECT_EQ(models::create("resnet56")->num_parameters(), 853018);  // the paper's 0.85M
  EXPECT_EQ(models::create("resnet110")->num_parameters(), 1727962);
  for (const char* depth : {"20", "32", "44", "56", "110"})
    EXPECT_EQ(models::create(std::string("plain") + depth)->num_parameters(),
              models::create(std::string("resnet") + depth)->num_parameters())
        << depth;
  EXPECT_EQ(models::create("resnet20", {.in_channels = 1})->num_parameters(), expected_parameters(3, 1));
  const std::string msg = test::error_message([] { models::cifar_resnet(21, true); });
  EXPECT_NE(msg.find("resnet21: depth must be 6n + 2"), std::string::npos) << msg;
}

TEST(CifarResNet, ShapesAndNames) {
  auto net = models::create("resnet20", {.num_classes = 7, .in_channels = 1});
  EXPECT_EQ((*net)(test::uniform({2, 1, 32, 32})).shape(), (Shape{2, 7}));
  const StateDict sd = net->state_dict();
  for (const char* key : {"conv1.weight", "bn1.running_mean", "layer1.0.conv1.weight", "layer2.0.conv1.weight",
                          "layer3.2.bn2.bias", "fc.weight"})
    EXPECT_TRUE(sd.contains(key)) << key;
  EXPECT_EQ(sd.find("layer2.0.conv1.weight")->shape(), (Shape{32, 16, 3, 3}));
  EXPECT_FALSE(sd.contains("layer2.0.shortcut.0.weight")) << "option A has no projection";
}

// A block whose convolutions output zero: the residual block's output is relu(shortcut(x)), the plain one's 0.
TEST(CifarResNet, OptionAShortcutSubsamplesAndZeroPads) {
  auto net = models::create("resnet20");
  auto plain = models::create("plain20");
  for (const ModulePtr& m : std::vector<ModulePtr>{net, plain}) {
    m->eval();
    for (auto& [name, p] : m->named_parameters())
      if (name.rfind("layer2.0.bn2", 0) == 0) p.detach().fill_(0.0);
  }
  auto& block = *net->child("layer2")->child("0");
  auto& plain_block = *plain->child("layer2")->child("0");
  const Tensor x = relu(test::uniform({1, 16, 4, 4}));
  NoGradGuard no_grad;
  const Tensor y = block(x), yp = plain_block(x);
  ASSERT_EQ(y.shape(), (Shape{1, 32, 2, 2}));
  const std::vector<float> xv = x.contiguous().to_vector<float>(), yv = y.contiguous().to_vector<float>();
  for (int64_t c = 0; c < 32; ++c)
    for (int64_t i = 0; i < 2; ++i)
      for (int64_t j = 0; j < 2; ++j) {
        const float want = c < 8 || c >= 24 ? 0.0f : xv[static_cast<size_t>(((c - 8) * 4 + 2 * i) * 4 + 2 * j)];
        EXPECT_FLOAT_EQ(yv[static_cast<size_t>((c * 2 + i) * 2 + j)], want) << c << " " << i << " " << j;
      }
  EXPECT_EQ(max(abs(yp)).item(), 0.0);
}

}  // namespace
}  // namespace cnn
