// Zoo variants beyond torchvision's defaults: GoogLeNet with the paper's 5x5 convolutions (branch3_kernel=5) and
// EfficientNet's compound scaling B0..B3, checked against torchvision's key lists and parameter counts
// (tests/fixtures/gen_zoo.py) and against counts worked out by hand below.
#include <cnn/blocks.h>
#include <cnn/models.h>

#include "formula_weights.h"
#include "test_util.h"

using namespace cnn;

namespace {

ModulePtr build(const std::string& name, const models::ModelOptions& options = {}) {
  init::SkipInitGuard skip;
  return models::create(name, options);
}

const models::ModelOptions kPaper{.kwargs = {{"branch3_kernel", "5"}}};

}  // namespace

TEST(ZooVariants, InceptionWithThePapers5x5) {
  init::SkipInitGuard skip;
  // inception3a: Inception(192, ch1x1 64, ch3x3red 96, ch3x3 128, ch5x5red 16, ch5x5 32, pool_proj 32). Each
  // BasicConv2d is a conv without bias plus a BatchNorm with 2 parameters per output channel:
  //   branch1 192*64 + 2*64                          =  12,416
  //   branch2 192*96 + 2*96 + 96*128*9 + 2*128       = 129,472
  //   branch3 192*16 + 2*16 + 16*32*9 + 2*32         =   7,776   (5x5: 16*32*25 instead of 16*32*9: 15,968)
  //   branch4 192*32 + 2*32                          =   6,208
  //   total 155,872; with 5x5 155,872 + (25 - 9)*16*32 = 164,064.
  Inception torchvision(192, {64, 96, 128, 16, 32, 32});
  Inception paper(192, {64, 96, 128, 16, 32, 32}, {.branch3_kernel = 5});
  EXPECT_EQ(torchvision.num_parameters(), 155'872);
  EXPECT_EQ(paper.num_parameters(), 164'064);
  EXPECT_EQ(paper.num_parameters() - torchvision.num_parameters(), (25 - 9) * 16 * 32);
  EXPECT_EQ(paper.state_dict().at("branch3.1.conv.weight").shape(), (Shape{32, 16, 5, 5}));
  EXPECT_EQ(paper.state_dict().at("branch3.1.bn.weight").shape(), (Shape{32})) << "BN unchanged";
  NoGradGuard no_grad;
  paper.eval();
  EXPECT_EQ(paper(zeros({1, 192, 7, 5})).shape(), (Shape{1, 256, 7, 5})) << "padding 2 keeps the size";
  EXPECT_NE(paper.str().find("Conv2d(16, 32, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2), bias=False)"),
            std::string::npos);
  EXPECT_EQ(test::error_message([] { Inception(192, {64, 96, 128, 16, 32, 32}, {.branch3_kernel = 7}); }),
            "Inception: branch3_kernel must be 3 (torchvision) or 5 (the paper's 5x5), got 7");
}

TEST(ZooVariants, GoogLeNetWithThePapers5x5) {
  // (25 - 9) * ch5x5red * ch5x5 more per Inception, summed over the nine (3a .. 5b):
  //   16*32 + 32*96 + 16*48 + 24*64 + 24*64 + 32*64 + 32*128 + 32*128 + 48*128 = 23,808
  //   16 * 23,808 = 380,928: 6,624,904 + 380,928 = 7,005,832 (with aux_logits 13,004,888 + 380,928 = 13,385,816).
  const ModulePtr torchvision = build("googlenet");
  const ModulePtr paper = build("googlenet", kPaper);
  EXPECT_EQ(torchvision->num_parameters(), 6'624'904);
  EXPECT_EQ(paper->num_parameters(), 7'005'832);
  EXPECT_EQ(paper->num_parameters() - torchvision->num_parameters(), 16 * 23'808);
  EXPECT_TRUE(test::same_keys(*paper, "keys_googlenet_5x5")) << "torchvision's names, 5x5 shapes";
  EXPECT_TRUE(test::same_keys(*build("googlenet", {.kwargs = {{"branch3_kernel", "3"}}}), "keys_googlenet"));
  models::ModelOptions aux = kPaper;
  aux.aux_logits = true;
  EXPECT_EQ(build("googlenet", aux)->num_parameters(), 13'385'816);
  EXPECT_EQ(test::error_message([] { build("googlenet", {.kwargs = {{"branch3_kernel", "7"}}}); }),
            "googlenet: branch3_kernel must be 3 (torchvision) or 5 (the paper's 5x5), got \"7\"");
  EXPECT_EQ(test::error_message([] { build("googlenet", {.kwargs = {{"depth", "5"}}}); }),
            "googlenet: unknown option \"depth\" (options: branch3_kernel)");
}

struct Scaled {
  std::string model;
  int64_t params, resolution;
  std::string dropout;
};

class EfficientNetScaling : public ::testing::TestWithParam<Scaled> {};

TEST_P(EfficientNetScaling, TorchvisionKeysCountsAndResolution) {
  const Scaled& c = GetParam();
  const ModulePtr model = build(c.model);
  EXPECT_TRUE(test::same_keys(*model, "keys_" + c.model));
  EXPECT_EQ(model->num_parameters(), c.params);
  EXPECT_EQ(models::default_input_shape(c.model), (Shape{3, c.resolution, c.resolution}));
  EXPECT_NE(model->str().find("(0): Dropout(p=" + c.dropout + ", inplace=False)"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Zoo, EfficientNetScaling,
                         ::testing::Values(Scaled{"efficientnet_b0", 5'288'548, 224, "0.2"},
                                           Scaled{"efficientnet_b1", 7'794'184, 240, "0.2"},
                                           Scaled{"efficientnet_b2", 9'109'994, 260, "0.3"},
                                           Scaled{"efficientnet_b3", 12'233'232, 300, "0.3"}),
                         [](const auto& info) { return info.param.model; });

TEST(ZooVariants, EfficientNetScaledModelsRun) {
  NoGradGuard no_grad;
  const ModulePtr b3 = build("efficientnet_b3", {.num_classes = 5, .in_channels = 1});
  for (const auto& [key, t] : b3->state_dict()) Tensor(t).fill_(key.ends_with("running_var") ? 1.0 : 0.0);
  b3->eval();
  EXPECT_EQ((*b3)(zeros({1, 1, 32, 32})).shape(), (Shape{1, 5}));
}
