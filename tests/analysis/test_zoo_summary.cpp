// The model zoo through summary(): parameter counts and MACs against the standard figures (vgg16 15.47 G,
// resnet18 1.82 G, mobilenet_v2 0.30 G, efficientnet_b0 0.386 G on 3x224x224) and known receptive fields. Each
// test skips until its model is registered.
#include <cnn/analysis.h>
#include <cnn/models.h>

#include <algorithm>

#include "test_util.h"

using namespace cnn;

namespace {

bool registered(const std::string& name) {
  const auto names = models::names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

ModelSummary summarize(const std::string& name) {
  auto model = models::create(name, {.num_classes = 1000, .in_channels = 3});
  return summary(*model, {3, 224, 224});
}

const SummaryRow* find_row(const ModelSummary& s, const std::string& name) {
  for (const auto& r : s.rows)
    if (r.name == name) return &r;
  return nullptr;
}

}  // namespace

TEST(ZooSummary, Vgg16) {
  if (!registered("vgg16")) GTEST_SKIP() << "vgg16 is not in the model registry yet";
  const ModelSummary s = summarize("vgg16");
  EXPECT_EQ(s.total_parameters, 138357544);
  EXPECT_NEAR(static_cast<double>(s.total_macs), 15.47e9, 0.01 * 15.47e9);
  EXPECT_EQ(s.total_macs, 15470264320) << "conv 15,346,630,656 + linear 123,633,664";
  // 004's rows (input, every conv, pool and fc output: 15,237,608 values) plus torchvision's AdaptiveAvgPool2d(7)
  // output (25,088); ReLUs and dropout run in place.
  EXPECT_EQ(s.activation_bytes / 4, 15237608 + 25088);
  const SummaryRow* last_conv = find_row(s, "features.28");
  const SummaryRow* pool5 = find_row(s, "features.30");
  ASSERT_TRUE(last_conv && pool5);
  EXPECT_EQ(last_conv->field->rf_str(), "196");
  EXPECT_EQ(pool5->field->rf_str(), "212");
  EXPECT_EQ(pool5->field->jump_str(), "32");
}

TEST(ZooSummary, Resnet18) {
  if (!registered("resnet18")) GTEST_SKIP() << "resnet18 is not in the model registry yet";
  const ModelSummary s = summarize("resnet18");
  EXPECT_EQ(s.total_parameters, 11689512);
  EXPECT_NEAR(static_cast<double>(s.total_macs), 1.82e9, 0.01 * 1.82e9);
  // The residual paths: the deepest path through layer4 sees 435 pixels (more than the image), jump 32.
  const SummaryRow* avgpool = find_row(s, "avgpool");
  ASSERT_TRUE(avgpool);
  EXPECT_TRUE(avgpool->field->global);
  const SummaryRow* last_bn = find_row(s, "layer4.1.bn2");
  const SummaryRow* shortcut = find_row(s, "layer4.0.downsample.1");
  ASSERT_TRUE(last_bn && shortcut);
  EXPECT_EQ(last_bn->field->rf_str(), "435");
  EXPECT_EQ(last_bn->field->jump_str(), "32");
  EXPECT_EQ(shortcut->field->rf_str(), "211") << "the 1x1 shortcut keeps layer3's field";
}

TEST(ZooSummary, MobilenetV2) {
  if (!registered("mobilenet_v2")) GTEST_SKIP() << "mobilenet_v2 is not in the model registry yet";
  const ModelSummary s = summarize("mobilenet_v2");
  EXPECT_EQ(s.total_parameters, 3504872);
  EXPECT_NEAR(static_cast<double>(s.total_macs), 0.30e9, 0.02 * 0.30e9);
}

TEST(ZooSummary, BranchingModelsRun) {
  for (const char* name : {"densenet121", "googlenet"}) {
    if (!registered(name)) continue;
    const ModelSummary s = summarize(name);
    EXPECT_GT(s.total_macs, 0) << name;
    EXPECT_TRUE(s.rows.back().field && s.rows.back().field->global) << name;
    int64_t row_params = 0;
    for (const auto& r : s.rows) row_params += r.parameters();
    EXPECT_EQ(row_params, s.total_parameters) << name << ": every parameter belongs to a layer that ran";
  }
}

TEST(ZooSummary, SqueezeExcitationAddsGlobalContext) {
  if (!registered("efficientnet_b0")) GTEST_SKIP() << "efficientnet_b0 is not in the model registry yet";
  const ModelSummary s = summarize("efficientnet_b0");
  EXPECT_EQ(s.total_parameters, 5288548);
  // Conv and linear multiply-adds at 224, as forward hooks on torchvision's model count them (output elements x
  // in_channels/groups x kH x kW; linear: out x in): 385,814,752. torchvision publishes 0.386 GFLOPS (its "FLOPS"
  // are these MACs), the paper 0.39B, which is the same figure rounded to two digits (1.1% above).
  EXPECT_EQ(s.total_macs, 385'814'752);
  EXPECT_NEAR(static_cast<double>(s.total_macs), 0.386e9, 0.01 * 0.386e9);
  const SummaryRow* gate = find_row(s, "features.1.0.block.1.fc2");
  const SummaryRow* project = find_row(s, "features.1.0.block.2.0");
  ASSERT_TRUE(gate && project);
  EXPECT_TRUE(gate->field->global) << "the SE branch pools globally";
  EXPECT_EQ(project->field->rf_str(), "7*") << "local 3x3 depthwise field, gated by the global branch";
}
