// ONNX export, read back with libonnx's protobuf classes: initializer names are the state_dict names, the input
// and output carry the traced shapes (N when the batch is dynamic), per-opset forms, and clear refusals naming
// the op and the module it ran in.
#include <cnn/cnn.h>
#include <cnn/init.h>
#include <cnn/models.h>
#include <cnn/nn.h>
#include <cnn/onnx.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <filesystem>
#include <set>

#include "test_util.h"

namespace cnn {
namespace {

::onnx::ModelProto parse(const std::string& bytes) {
  ::onnx::ModelProto m;
  EXPECT_TRUE(m.ParseFromString(bytes));
  return m;
}

std::vector<std::string> dims_of(const ::onnx::ValueInfoProto& v) {
  std::vector<std::string> out;
  for (const auto& d : v.type().tensor_type().shape().dim())
    out.push_back(d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
  return out;
}

TEST(OnnxExport, InitializersAreTheStateDictNames) {
  manual_seed(0);
  ModulePtr model = models::create("resnet18_cifar", {.num_classes = 10});
  onnx::ExportSummary s;
  const ::onnx::ModelProto m = parse(onnx::export_model_bytes(*model, zeros({1, 3, 32, 32}), {}, &s));
  EXPECT_EQ(m.opset_import(0).version(), 13);
  EXPECT_EQ(m.producer_name(), "cnnkit");
  std::set<std::string> names;
  for (const auto& t : m.graph().initializer()) names.insert(t.name());
  std::set<std::string> expected;
  for (const auto& [name, t] : model->state_dict())
    if (!name.ends_with("num_batches_tracked")) expected.insert(name);
  EXPECT_EQ(names, expected) << "every parameter and running statistic, under its state_dict name, nothing else";
  EXPECT_EQ(s.initializers, static_cast<int64_t>(expected.size()));
  EXPECT_EQ(s.parameters, model->num_parameters());
  EXPECT_EQ(s.op_counts.at("Conv"), 20);
  EXPECT_EQ(s.op_counts.at("BatchNormalization"), 20);
  EXPECT_EQ(s.op_counts.at("Add"), 8);
  EXPECT_EQ(s.op_counts.at("Gemm"), 1);
  ASSERT_EQ(m.graph().input_size(), 1);
  EXPECT_EQ(m.graph().input(0).name(), "input");
  EXPECT_EQ(dims_of(m.graph().input(0)), (std::vector<std::string>{"1", "3", "32", "32"}));
  EXPECT_EQ(dims_of(m.graph().output(0)), (std::vector<std::string>{"1", "10"}));
  // Node names say which module each op came from.
  bool named = false;
  for (const auto& n : m.graph().node()) named |= n.name() == "layer1.0.conv1/Conv";
  EXPECT_TRUE(named);
  // The weights are the model's values.
  for (const auto& t : m.graph().initializer())
    if (t.name() == "conv1.weight") {
      const Tensor w = model->state_dict().at("conv1.weight").contiguous();
      ASSERT_EQ(t.raw_data().size(), static_cast<size_t>(w.numel()) * sizeof(float));
      EXPECT_EQ(std::memcmp(t.raw_data().data(), w.data<float>(), t.raw_data().size()), 0);
    }
}

TEST(OnnxExport, DynamicBatchAndOpsetForms) {
  manual_seed(0);
  ModulePtr model = models::create("mobilenet_v2", {.num_classes = 10, .width_mult = 0.25});
  const ::onnx::ModelProto dynamic =
      parse(onnx::export_model_bytes(*model, zeros({2, 3, 32, 32}), {.opset = 11, .dynamic_batch = true}));
  EXPECT_EQ(dims_of(dynamic.graph().input(0)), (std::vector<std::string>{"N", "3", "32", "32"}));
  EXPECT_EQ(dims_of(dynamic.graph().output(0)), (std::vector<std::string>{"N", "10"}));
  std::multiset<std::string> ops11, ops10;
  for (const auto& n : dynamic.graph().node()) ops11.insert(n.op_type());
  EXPECT_EQ(ops11.count("Clip"), 0u) << "ReLU6 at opset >= 11 is r - Relu(r - 6), which OpenCV reads";
  const ::onnx::ModelProto old = parse(onnx::export_model_bytes(*model, zeros({1, 3, 32, 32}), {.opset = 10}));
  for (const auto& n : old.graph().node()) ops10.insert(n.op_type());
  EXPECT_EQ(ops10.count("Clip"), 35u) << "opset 10: Clip with min/max attributes, one per ReLU6";
}

TEST(OnnxExport, EluSeluMishAndPRelu) {
  manual_seed(0);
  auto seq = std::make_shared<Sequential>(Conv2d(3, 4, {.kernel_size = 1}), ELU(0.5), SELU(), Mish(), PReLU(4),
                                          PReLU());
  const ::onnx::ModelProto m = parse(onnx::export_model_bytes(*seq, zeros({1, 3, 8, 8}), {.opset = 17}));
  std::vector<std::string> ops;
  for (const auto& n : m.graph().node()) ops.push_back(n.op_type());
  EXPECT_EQ(ops, (std::vector<std::string>{"Conv", "Elu", "Selu", "Softplus", "Tanh", "Mul", "Reshape", "PRelu",
                                           "PRelu"}))
      << "Mish is x * Tanh(Softplus(x)) below opset 18; per-channel slopes are reshaped to [C, 1, 1]";
  const auto& elu = m.graph().node(1);
  ASSERT_EQ(elu.attribute_size(), 1);
  EXPECT_EQ(elu.attribute(0).name(), "alpha");
  EXPECT_FLOAT_EQ(elu.attribute(0).f(), 0.5f);
  EXPECT_EQ(m.graph().node(6).input(0), "4.weight");
  EXPECT_EQ(m.graph().node(8).input(1), "5.weight") << "one shared slope [1] broadcasts as it is";
  for (const auto& t : m.graph().initializer())
    if (t.name() == m.graph().node(6).input(1)) {
      ASSERT_EQ(t.raw_data().size(), 3 * sizeof(int64_t));
      std::vector<int64_t> shape(3);
      std::memcpy(shape.data(), t.raw_data().data(), t.raw_data().size());
      EXPECT_EQ(shape, (std::vector<int64_t>{4, 1, 1}));
    }
}

TEST(OnnxExport, RefusesWhatOnnxCannotSayNamingTheOpAndModule) {
  manual_seed(0);
  ModulePtr vgg;
  {
    init::SkipInitGuard skip;  // only the shapes matter here
    vgg = models::create("vgg11_bn", {.num_classes = 10});
  }
  EXPECT_EQ(test::error_message([&] { onnx::export_model_bytes(*vgg, zeros({1, 3, 64, 64})); }),
            "onnx export: cannot express AdaptiveAvgPool2DBackward (in avgpool) at opset 13: ONNX has no adaptive "
            "pooling, and output (7, 7) does not divide input (2, 2)");
  auto seq = std::make_shared<Sequential>(Conv2d(1, 4, {.kernel_size = 3}), GroupNorm(2, 4));
  EXPECT_EQ(test::error_message([&] { onnx::export_model_bytes(*seq, zeros({1, 1, 8, 8})); }),
            "onnx export: cannot express NativeGroupNormBackward (in 1) at opset 13: no ONNX form is written for this "
            "op (docs/deploy.md lists the ops exported)");
  EXPECT_EQ(test::error_message([&] { onnx::export_model_bytes(*seq, zeros({1, 1, 8, 8}), {.opset = 18}); }),
            "onnx export: opset must be 9 to 17, got 18");
  EXPECT_EQ(test::error_message([&] { onnx::export_model_bytes(*seq, zeros({1, 8, 8})); }),
            "onnx export: expected an example input [N, C, H, W] of f32, got float32 [1, 8, 8]");
}

TEST(OnnxExport, RestoresTrainingModeAndWritesTheFileAtomically) {
  manual_seed(0);
  ModulePtr model = models::create("simplecnn");
  model->train();
  const std::string dir = test::temp_dir("onnx_export");
  const std::string path = dir + "/simplecnn.onnx";
  const onnx::ExportSummary s = onnx::export_model(*model, zeros({1, 1, 28, 28}), path);
  EXPECT_TRUE(model->is_training());
  EXPECT_FALSE(std::filesystem::exists(path + ".tmp"));
  const ::onnx::ModelProto m = parse(test::slurp(path));
  EXPECT_EQ(m.graph().node_size(), s.nodes);
  EXPECT_EQ(test::error_message([&] { onnx::export_model(*model, zeros({1, 1, 28, 28}), dir + "/no/such/x.onnx"); }),
            "onnx export: cannot open " + dir +
                "/no/such/x.onnx.tmp for writing (No such file or directory)\nHINT: check that the folder exists and "
                "is writable");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cnn
