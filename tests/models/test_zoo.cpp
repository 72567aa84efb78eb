// The model zoo against torchvision (tests/fixtures/gen_zoo.py): parameter counts, state_dict keys and shapes in
// order, eval-mode outputs for formula weights (Note [Formula weights], docs/zoo.md) and for weights written by
// PyTorch. Not the blocks one by one (tests/nn/test_blocks.cpp) nor `cnn run` (tests/cli/test_run.cpp).
#include <cnn/io.h>
#include <cnn/models.h>

#include "formula_weights.h"
#include "test_util.h"

using namespace cnn;

namespace {

// Builds without drawing random weights (init::SkipInitGuard), for tests that overwrite or only count them.
ModulePtr build(const std::string& name, const models::ModelOptions& options = {}) {
  init::SkipInitGuard skip;
  return models::create(name, options);
}

// Built without random weights, then zeroed: for shape checks of big models.
ModulePtr build_zeroed(const std::string& name, const models::ModelOptions& options = {}) {
  ModulePtr model = build(name, options);
  for (const auto& [key, t] : model->state_dict()) Tensor(t).zero_();
  return model;
}

models::ModelOptions options_from(const nlohmann::json& j) {
  models::ModelOptions o;
  if (j.contains("num_classes")) o.num_classes = j["num_classes"].get<int64_t>();
  if (j.contains("width_mult")) o.width_mult = j["width_mult"].get<double>();
  if (j.contains("cifar_stem")) o.cifar_stem = j["cifar_stem"].get<bool>();
  return o;
}

struct CountCase {
  std::string model;
  int64_t params;
};

class ZooKeys : public ::testing::TestWithParam<CountCase> {};

TEST_P(ZooKeys, TorchvisionNamesShapesAndCounts) {
  const CountCase& c = GetParam();
  ModulePtr model = build(c.model);
  EXPECT_TRUE(test::same_keys(*model, "keys_" + c.model));
  EXPECT_EQ(model->num_parameters(), c.params);
}

INSTANTIATE_TEST_SUITE_P(
    Zoo, ZooKeys,
    ::testing::Values(CountCase{"vgg11", 132'863'336}, CountCase{"vgg16", 138'357'544},
                      CountCase{"vgg16_bn", 138'365'992}, CountCase{"resnet18", 11'689'512},
                      CountCase{"resnet34", 21'797'672}, CountCase{"resnet50", 25'557'032},
                      CountCase{"resnext50_32x4d", 25'028'904}, CountCase{"mobilenet_v2", 3'504'872},
                      CountCase{"densenet121", 7'978'856}, CountCase{"googlenet", 6'624'904},
                      CountCase{"alexnet", 61'100'840}, CountCase{"shufflenet_v2_x1_0", 2'278'604},
                      CountCase{"squeezenet1_0", 1'248'424}, CountCase{"efficientnet_b0", 5'288'548},
                      CountCase{"simplecnn_cifar", 620'362}, CountCase{"vgg_style", 1'806'154},
                      CountCase{"resnet18_cifar", 11'173'962}, CountCase{"resnet34_cifar", 21'282'122},
                      CountCase{"resnet50_cifar", 23'520'842}),
    [](const auto& info) { return info.param.model; });

TEST(Zoo, OptionsChangeKeysAsTorchvision) {
  ModulePtr aux = build("googlenet", {.aux_logits = true});
  EXPECT_TRUE(test::same_keys(*aux, "keys_googlenet_aux"));
  EXPECT_EQ(aux->num_parameters(), 13'004'888);
  ModulePtr narrow = build("mobilenet_v2", {.num_classes = 10, .width_mult = 0.35});
  EXPECT_TRUE(test::same_keys(*narrow, "keys_mobilenet_v2_w035"));
}

class ZooParity : public ::testing::TestWithParam<std::string> {};

TEST_P(ZooParity, EvalOutputEqualsTorchvision) {
  const std::string case_name = "parity_" + GetParam();
  const nlohmann::json& c = test::zoo_fixture()[case_name];
  ModulePtr model = build(c["model"].get<std::string>(), options_from(c["options"]));
  test::fill_formula(*model);
  model->eval();
  NoGradGuard no_grad;
  const Shape in(c["input_shape"].get<std::vector<int64_t>>());
  const Tensor y = (*model)(test::formula_input(in));
  const Tensor expected = test::fixture("zoo", case_name, "output");
  ASSERT_EQ(y.shape(), expected.shape());
  const double rel = test::max_relative_diff(y, expected);
  EXPECT_LE(rel, 1e-4) << case_name;
  std::printf("[ parity   ] %-22s max relative difference %.2e\n", GetParam().c_str(), rel);
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooParity,
                         ::testing::Values("resnet18", "resnet18_cifar_stem", "resnet50", "resnext50_32x4d",
                                           "mobilenet_v2", "densenet121", "googlenet", "shufflenet_v2_x1_0",
                                           "squeezenet1_0", "efficientnet_b0", "alexnet", "vgg11_bn",
                                           "simplecnn_cifar", "vgg_style", "resnet18_cifar"));

TEST(Zoo, WeightsWrittenByPyTorchGiveItsOutput) {
  ModulePtr model = build("mobilenet_v2", {.num_classes = 10, .width_mult = 0.35});
  load_state_dict_file(*model, std::string(CNN_FIXTURES_DIR) + "/zoo_mobilenet_v2.safetensors");
  model->eval();
  const StateDict io = load_safetensors(std::string(CNN_FIXTURES_DIR) + "/zoo_mobilenet_v2_io.safetensors");
  NoGradGuard no_grad;
  const Tensor y = (*model)(*io.find("input"));
  EXPECT_LE(test::max_relative_diff(y, *io.find("output")), 1e-4);
  EXPECT_EQ(y.shape(), (Shape{2, 10}));
}

TEST(Zoo, CourseModelsCountsAndShapes) {
  struct Case {
    std::string name;
    int64_t params, classes, fc_in;  // parameters with the default classes; inputs of the last layer
    Shape input;
  };
  const Case cases[] = {{"mobilenet_v1", 4'231'976, 1000, 1024, {1, 3, 224, 224}},
                        {"alexnet_original", 60'965'224, 1000, 4096, {1, 3, 224, 224}},
                        {"nin", 966'986, 10, 192, {2, 3, 32, 32}}};
  NoGradGuard no_grad;
  for (const auto& c : cases) {
    ModulePtr model = build_zeroed(c.name, {.num_classes = 7});
    EXPECT_EQ(model->num_parameters(), c.params - (c.fc_in + 1) * (c.classes - 7)) << c.name;
    model->eval();
    EXPECT_EQ((*model)(zeros(c.input)).shape(), (Shape{c.input[0], 7})) << c.name;
  }
}

TEST(Zoo, MobileNetV1MultipliersAlphaAndRho) {
  auto half = models::mobilenet_v1({.width_mult = 0.5, .resolution_mult = 0.714});
  auto full_rho = models::mobilenet_v1({.resolution_mult = 0.714});
  EXPECT_EQ(full_rho->num_parameters(), 4'231'976) << "rho changes the input, not the network";
  EXPECT_EQ(half->num_parameters(), 1'331'592);
  EXPECT_EQ(models::default_input_shape("mobilenet_v1", {.resolution_mult = 0.714}), (Shape{3, 160, 160}));
  EXPECT_NE(half->str().find("MobileNetV1(\n  alpha=0.5, rho=0.714 (designed for 160x160 inputs)"),
            std::string::npos)
      << half->str();
  NoGradGuard no_grad;
  half->eval();
  EXPECT_EQ((*half)(zeros({1, 3, 160, 160})).shape(), (Shape{1, 1000}));
}

TEST(Zoo, EveryModelTakesNumClassesAndInChannels) {
  NoGradGuard no_grad;
  for (const std::string name : {"mobilenet_v2", "googlenet", "shufflenet_v2_x0_5", "squeezenet1_1",
                                 "efficientnet_b0", "vgg_style", "nin", "mobilenet_v1"}) {
    ModulePtr model = build_zeroed(name, {.num_classes = 5, .in_channels = 1});
    model->eval();
    EXPECT_EQ((*model)(zeros({1, 1, 64, 64})).shape(), (Shape{1, 5})) << name;
  }
}

TEST(Zoo, DefaultsAndRefusedOptions) {
  EXPECT_EQ(models::resolved_options("resnet18").num_classes, 1000);
  EXPECT_EQ(models::resolved_options("resnet18_cifar").num_classes, 10);
  EXPECT_EQ(models::resolved_options("simplecnn").in_channels, 1);
  EXPECT_EQ(models::default_input_shape("vgg16"), (Shape{3, 224, 224}));
  EXPECT_EQ(models::default_input_shape("vgg_style"), (Shape{3, 32, 32}));
  std::string msg = test::error_message([] { models::resnet18({.width_mult = 0.5}); });
  EXPECT_NE(msg.find("resnet18: the model does not take the option width_mult"), std::string::npos) << msg;
  msg = test::error_message([] { models::create("vgg16", {.aux_logits = true}); });
  EXPECT_NE(msg.find("aux_logits"), std::string::npos) << msg;
  msg = test::error_message([] { models::resnet18({.num_classes = 0}); });
  EXPECT_NE(msg.find("must be positive"), std::string::npos) << msg;
}

TEST(Zoo, PrintsLikeTorchvision) {
  const std::string text = build("resnet18")->str();
  EXPECT_EQ(text.rfind("ResNet(\n  (conv1): Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), "
                       "bias=False)", 0), 0u)
      << text;
  EXPECT_NE(text.find("(downsample): Sequential(\n        (0): Conv2d(64, 128, kernel_size=(1, 1), stride=(2, 2), "
                      "bias=False)"),
            std::string::npos)
      << text;
  const std::string eff = build("efficientnet_b0")->str();
  EXPECT_NE(eff.find("(stochastic_depth): StochasticDepth(p=0.0125, mode=row)"), std::string::npos);
  EXPECT_NE(eff.find("(0): Conv2dNormActivation(\n"), std::string::npos);
}

TEST(Zoo, GoogLeNetAuxiliaryLogitsWhileTraining) {
  std::shared_ptr<models::GoogLeNet> net;
  {
    init::SkipInitGuard skip;
    net = models::googlenet({.num_classes = 6, .aux_logits = true});
  }
  for (const auto& [key, t] : net->state_dict()) Tensor(t).fill_(key.ends_with("running_var") ? 1.0 : 0.0);
  NoGradGuard no_grad;
  const Tensor x = zeros({2, 3, 64, 64});
  const models::GoogLeNet::Outputs train = net->forward_with_aux(x);
  EXPECT_EQ(train.logits.shape(), (Shape{2, 6}));
  EXPECT_EQ(train.aux_logits1.shape(), (Shape{2, 6}));
  EXPECT_EQ(train.aux_logits2.shape(), (Shape{2, 6}));
  net->eval();
  const models::GoogLeNet::Outputs eval = net->forward_with_aux(x);
  EXPECT_FALSE(eval.aux_logits1.defined());
  EXPECT_EQ((*net)(x).shape(), (Shape{2, 6}));
}

TEST(Zoo, ReplacedHeadIsUsedAsInPyTorch) {
  ModulePtr model = build_zeroed("resnet18_cifar");
  model->register_module("fc", Linear(512, 3));  // PyTorch: model.fc = nn.Linear(512, 3)
  model->eval();
  NoGradGuard no_grad;
  EXPECT_EQ((*model)(zeros({1, 3, 32, 32})).shape(), (Shape{1, 3}));
}

TEST(Zoo, ErrorsNameTheLayer) {
  const std::string msg = test::error_message([] { (*build("resnet18_cifar"))(zeros({1, 1, 32, 32})); });
  EXPECT_EQ(msg.rfind("conv1 (Conv2d): ", 0), 0u) << msg;
  EXPECT_NE(msg.find("[1, 1, 32, 32]"), std::string::npos) << msg;
}

}  // namespace
