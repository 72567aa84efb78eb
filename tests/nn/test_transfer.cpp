// Transfer learning in the library: get_submodule/replace (also inside a Sequential), freeze/unfreeze by path and
// glob, batch-norm statistics frozen on request, the classifier helpers, and the frozen ResNet-18 of seeds 002
// §10.2 (5,130 trainable of 11,181,642).
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/optim_utils.h>
#include <gtest/gtest.h>

#include "test_util.h"

namespace cnn {
namespace {

std::vector<std::string> frozen_names(const Module& m) {
  std::vector<std::string> out;
  for (const auto& [name, p] : m.named_parameters())
    if (!p.requires_grad()) out.push_back(name);
  return out;
}

TEST(Transfer, ReplaceInsideSequentialChangesForward) {
  manual_seed(0);
  Sequential seq(Linear(4, 3), ReLU(), Linear(3, 2));
  const Tensor x = test::uniform({5, 4});
  EXPECT_EQ(seq(x).shape(), (Shape{5, 2}));
  auto fc = seq.replace("2", Linear(3, 7));
  EXPECT_EQ(seq(x).shape(), (Shape{5, 7}));
  EXPECT_EQ(seq[2].get(), fc.get());
  EXPECT_EQ(seq.state_dict().at("2.weight").shape(), (Shape{7, 3}));
}

TEST(Transfer, ReplaceNestedPathInModel) {
  init::SkipInitGuard skip;
  auto model = models::create("vgg11", {.num_classes = 1000});
  model->replace("classifier.6", Linear(4096, 10));
  EXPECT_EQ(model->get_submodule("classifier.6")->named_parameters().at("weight").shape(), (Shape{10, 4096}));
  auto small = models::simplecnn();
  auto fc2 = small->replace("fc2", Linear(128, 3));
  EXPECT_EQ((*small)(zeros({2, 1, 28, 28})).shape(), (Shape{2, 3}));
  EXPECT_EQ(small->fc2.get(), fc2.get());
}

TEST(Transfer, PathErrorsNameTheMissingPart) {
  auto model = models::create("simplecnn");
  try {
    model->get_submodule("conv9.weight");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no child \"conv9\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("conv1, conv2, pool, fc1, fc2, relu"), std::string::npos) << e.what();
  }
  EXPECT_THROW(model->replace("fc3", Linear(1, 1)), Error);
  EXPECT_THROW(model->freeze("layer1"), Error);
}

TEST(Transfer, FrozenResNet18WithNewHeadCountsAsTheNotes) {
  init::SkipInitGuard skip;
  auto model = models::create("resnet18");
  EXPECT_EQ(models::classifier_name(*model), "fc");
  EXPECT_EQ(models::reset_classifier(*model, 10), "fc");
  EXPECT_EQ(models::freeze_backbone(*model), 11181642 - 5130);
  EXPECT_EQ(model->num_parameters(true), 5130);
  EXPECT_EQ(model->num_parameters(), 11181642);
  const ModelSummary report = summary(*model, Shape{3, 224, 224});
  EXPECT_NE(report.str(SummaryFormat::text).find("Trainable params: 5,130"), std::string::npos);
}

TEST(Transfer, FreezeByModulePathsAndGlobs) {
  init::SkipInitGuard skip;
  auto model = models::create("resnet18", {.num_classes = 10});
  model->freeze("layer1,layer2");
  for (const auto& [name, p] : model->named_parameters()) {
    const bool under = name.rfind("layer1.", 0) == 0 || name.rfind("layer2.", 0) == 0;
    EXPECT_EQ(p.requires_grad(), !under) << name;
  }
  model->unfreeze();
  model->freeze("layer*.0.conv1.*");
  EXPECT_EQ(frozen_names(*model), (std::vector<std::string>{"layer1.0.conv1.weight", "layer2.0.conv1.weight",
                                                            "layer3.0.conv1.weight", "layer4.0.conv1.weight"}));
  model->unfreeze("layer2");
  EXPECT_EQ(frozen_names(*model).size(), 3u);
}

TEST(Transfer, FrozenParametersGetNoGradientAndDoNotMove) {
  manual_seed(1);
  auto model = models::create("plaincnn", {.kwargs = {{"depth", "2"}, {"width", "4"}}});
  models::freeze_backbone(*model);
  const Tensor before = model->named_parameters().at("features.0.weight").clone();
  const Tensor head_before = model->named_parameters().at("classifier.2.weight").clone();
  SGD opt(model->parameters(), {.lr = 0.5, .momentum = 0.9, .weight_decay = 0.1});
  for (int step = 0; step < 3; ++step) {
    opt.zero_grad();
    cross_entropy((*model)(test::uniform({4, 1, 28, 28})), from_vector(std::vector<int64_t>{0, 1, 2, 3}, {4})).backward();
    EXPECT_FALSE(model->named_parameters().at("features.0.weight").grad().defined());
    opt.step();
  }
  EXPECT_ALLCLOSE(model->named_parameters().at("features.0.weight"), before, 0, 0);
  EXPECT_FALSE(test::allclose(model->named_parameters().at("classifier.2.weight"), head_before, 0, 1e-4));
}

TEST(Transfer, BatchNormStatisticsFrozenOnlyWhenAsked) {
  manual_seed(2);
  for (bool freeze_stats : {false, true}) {
    auto model = models::create("plaincnn", {.kwargs = {{"depth", "2"}, {"width", "4"}}});
    models::freeze_backbone(*model, "backbone", freeze_stats);
    model->train();
    const ModulePtr bn = model->get_submodule("features.1");
    EXPECT_EQ(bn->is_training(), !freeze_stats);
    EXPECT_EQ(bn->stats_frozen(), freeze_stats);
    const Tensor mean_before = bn->named_buffers().at("running_mean").clone();
    (*model)(test::uniform({8, 1, 28, 28}));
    const Tensor mean_after = bn->named_buffers().at("running_mean");
    EXPECT_EQ(test::allclose(mean_after, mean_before, 0, 0) == ::testing::AssertionSuccess(), freeze_stats)
        << "freeze_bn_stats=" << freeze_stats;
    model->unfreeze();
    model->train();
    EXPECT_TRUE(bn->is_training());
    EXPECT_EQ(model->num_parameters(true), model->num_parameters());
  }
}

TEST(Transfer, ClassifierOfEachFamily) {
  init::SkipInitGuard skip;
  const std::vector<std::pair<std::string, std::string>> heads{
      {"simplecnn", "fc2"},           {"vgg16", "classifier.6"},        {"mobilenet_v2", "classifier.1"},
      {"densenet121", "classifier"}, {"squeezenet1_0", "classifier.1"}, {"googlenet", "fc"},
      {"plaincnn", "classifier.2"},  {"efficientnet_b0", "classifier.1"}};
  for (const auto& [name, head] : heads) {
    auto model = models::create(name);
    EXPECT_EQ(models::classifier_name(*model), head) << name;
    EXPECT_EQ(models::reset_classifier(*model, 7), head) << name;
    const Tensor w = model->get_submodule(head)->named_parameters().at("weight");
    EXPECT_EQ(w.shape()[0], 7) << name;
  }
}

TEST(Transfer, WeightDecayGroupsFollowTheNameFilter) {
  init::SkipInitGuard skip;
  auto model = models::create("simplecnn");
  auto [no_decay, decay] =
      split_weight_decay(*model, {}, [](const std::string& name) { return name.rfind("fc2.", 0) == 0; });
  ASSERT_EQ(no_decay.size(), 1u);
  ASSERT_EQ(decay.size(), 1u);
  EXPECT_EQ(no_decay[0].shape(), (Shape{10}));
  EXPECT_EQ(decay[0].shape(), (Shape{10, 128}));
}

TEST(PlainCNN, ParameterCountsByHand) {
  init::SkipInitGuard skip;
  auto count = [](std::map<std::string, std::string> kwargs) {
    return models::create("plaincnn", {.kwargs = std::move(kwargs)})->num_parameters();
  };
  // depth 3, width 32, bn (convs without bias), GAP: 1*32*9 + 64 + 32*64*9 + 128 + 64*128*9 + 256 + 128*10 + 10.
  EXPECT_EQ(count({}), 288 + 64 + 18432 + 128 + 73728 + 256 + 1290);
  EXPECT_EQ(count({{"bn", "off"}}), 288 + 32 + 18432 + 64 + 73728 + 128 + 1290);
  // Flatten head: 28 -> 14 -> 7 -> 3 with pooling, 28 -> 14 -> 7 -> 4 with stride-2 convs.
  EXPECT_EQ(count({{"head", "flatten"}}), 288 + 64 + 18432 + 128 + 73728 + 256 + 128 * 9 * 10 + 10);
  EXPECT_EQ(count({{"head", "flatten"}, {"pool", "stride"}}), 288 + 64 + 18432 + 128 + 73728 + 256 + 128 * 16 * 10 + 10);
  EXPECT_EQ(count({{"depth", "2"}, {"width", "16"}, {"kernel", "5"}}), 16 * 25 + 32 + 16 * 32 * 25 + 64 + 32 * 10 + 10);
}

TEST(PlainCNN, DepthSpreadsOverStagesAndRuns) {
  manual_seed(3);
  auto model = models::create("plaincnn", {.kwargs = {{"depth", "8"}, {"width", "8"}, {"pool", "avg"}}});
  int64_t convs = 0, pools = 0;
  for (const auto& [name, m] : model->named_modules()) {
    convs += dynamic_cast<const Conv2d*>(m) != nullptr;
    pools += dynamic_cast<const AvgPool2d*>(m) != nullptr;
  }
  EXPECT_EQ(convs, 8);
  EXPECT_EQ(pools, 3);
  EXPECT_EQ((*model)(test::uniform({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  try {
    models::create("plaincnn", {.kwargs = {{"pool", "min"}}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("plaincnn: pool must be one of max, avg, stride, got \"min\""),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(models::create("plaincnn", {.kwargs = {{"depthh", "2"}}}), Error);
  EXPECT_THROW(models::create("resnet18", {.kwargs = {{"depth", "2"}}}), Error);
}

}  // namespace
}  // namespace cnn
