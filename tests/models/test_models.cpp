// Models: parameter counts equal PyTorch's, state_dict names, output shapes, the registry, and errors that
// name the failing layer. Not training (tests/train/).
#include <cnn/models.h>

#include <algorithm>

#include "test_util.h"

using namespace cnn;

TEST(Models, SimpleCnnMatchesTheCourse) {
  auto model = models::simplecnn();
  EXPECT_EQ(model->num_parameters(), 421642);
  EXPECT_EQ(model->named_children().keys(), (std::vector<std::string>{"conv1", "conv2", "pool", "fc1", "fc2", "relu"}));
  EXPECT_EQ(model->state_dict().keys(),
            (std::vector<std::string>{"conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight",
                                      "fc1.bias", "fc2.weight", "fc2.bias"}));
  EXPECT_EQ(model->fc1->weight.shape(), (Shape{128, 3136}));
  EXPECT_EQ((*model)(zeros({2, 1, 28, 28})).shape(), (Shape{2, 10}));
  EXPECT_EQ(models::simplecnn({.num_classes = 7})->num_parameters(), 421642 - 128 * 3 - 3);
}

TEST(Models, LeNet5HasTheClassicCount) {
  auto model = models::lenet5();
  EXPECT_EQ(model->num_parameters(), 61706);
  EXPECT_EQ(model->state_dict().keys(),
            (std::vector<std::string>{"features.0.weight", "features.0.bias", "features.3.weight", "features.3.bias",
                                      "classifier.0.weight", "classifier.0.bias", "classifier.2.weight",
                                      "classifier.2.bias", "classifier.4.weight", "classifier.4.bias"}));
  EXPECT_EQ((*model)(zeros({3, 1, 28, 28})).shape(), (Shape{3, 10}));
  auto rgb = models::lenet5({.num_classes = 100, .in_channels = 3});
  EXPECT_EQ((*rgb)(zeros({1, 3, 28, 28})).shape(), (Shape{1, 100}));
}

TEST(Models, RegistryCreatesByName) {
  const std::vector<std::string> names = models::names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const char* name : {"lenet5", "simplecnn", "resnet18", "vgg16", "mobilenet_v1", "resnet18_cifar"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  EXPECT_EQ(models::create("simplecnn")->num_parameters(), 421642);
  EXPECT_EQ(models::create("lenet5", {.num_classes = 10, .in_channels = 1})->type_name(), "LeNet5");
  EXPECT_EQ(models::default_input_shape("simplecnn", {.in_channels = 3}), (Shape{3, 28, 28}));
  const std::string msg = test::error_message([] { models::create("resnet1000"); });
  EXPECT_NE(msg.find("unknown model 'resnet1000'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("lenet5, mobilenet_v1"), std::string::npos) << msg;
}

TEST(Models, ThreeChannelInputNamesTheLayerAndShapes) {
  auto model = models::simplecnn();
  const std::string msg = test::error_message([&] { (*model)(zeros({2, 3, 28, 28})); });
  EXPECT_EQ(msg.rfind("conv1 (Conv2d): ", 0), 0u) << msg;
  EXPECT_NE(msg.find("expected"), std::string::npos) << msg;
  EXPECT_NE(msg.find(" 1"), std::string::npos) << "the expected channel count: " << msg;
  EXPECT_NE(msg.find("[2, 3, 28, 28]"), std::string::npos) << msg;
  const std::string lenet = test::error_message([] { (*models::lenet5())(zeros({1, 3, 28, 28})); });
  EXPECT_EQ(lenet.rfind("features.0 (Conv2d): ", 0), 0u) << lenet;
}

TEST(Models, WrongImageSizeNamesTheLinearLayer) {
  const std::string msg = test::error_message([] { (*models::simplecnn())(zeros({1, 1, 32, 32})); });
  EXPECT_EQ(msg.rfind("fc1 (Linear): ", 0), 0u) << msg;
  EXPECT_NE(msg.find("4096"), std::string::npos) << msg;
}

TEST(Models, PrintsLikePyTorch) {
  const std::string text = models::simplecnn()->str();
  EXPECT_NE(text.find("SimpleCNN(\n  (conv1): Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(pool): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"),
            std::string::npos)
      << text;
}
