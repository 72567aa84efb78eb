// ONNX export checked in another runtime: each model family is exported (onnx::checker and shape inference pass
// inside export_model), loaded by OpenCV's dnn module and run on a fresh random input, not the traced one; the
// outputs match cnnkit's within 1e-4 of their largest magnitude. A small stack of ELU, SELU, Mish and PReLU too.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/onnx.h>
#include <gtest/gtest.h>

#include <opencv2/dnn.hpp>

#include "test_util.h"

namespace cnn {
namespace {

struct Family {
  std::string model;
  Shape input;  // [N, C, H, W]
  int64_t opset = 13;
  models::ModelOptions options{};
  int64_t run_batch = 0;  // > 0: exported with a dynamic batch, run with this many images
};

void PrintTo(const Family& f, std::ostream* os) { *os << f.model << " " << f.input.str() << " opset " << f.opset; }

std::vector<Family> families() {
  return {{"resnet18", {2, 3, 64, 64}},
          {"resnet18_cifar", {1, 3, 32, 32}},
          {"resnet18_cifar", {1, 3, 32, 32}, 17, {}, 3},
          {"vgg11_bn", {1, 3, 224, 224}},
          {"mobilenet_v1", {1, 3, 96, 96}},
          {"mobilenet_v2", {2, 3, 96, 96}},
          {"mobilenet_v2", {1, 3, 64, 64}, 10},
          {"densenet121", {1, 3, 64, 64}},
          {"googlenet", {1, 3, 96, 96}},
          {"shufflenet_v2_x1_0", {1, 3, 96, 96}},
          {"squeezenet1_0", {1, 3, 96, 96}},
          {"squeezenet1_1", {1, 3, 96, 96}},
          {"efficientnet_b0", {1, 3, 96, 96}},
          {"alexnet", {1, 3, 224, 224}},
          {"simplecnn", {3, 1, 28, 28}},
          {"lenet5", {2, 1, 28, 28}},
          {"plaincnn", {2, 1, 28, 28}, 13, {.kwargs = {{"depth", "4"}, {"head", "flatten"}, {"image_size", "28"}}}}};
}

std::string case_name(const ::testing::TestParamInfo<Family>& info) {
  const Family& f = info.param;
  return f.model + "_" + std::to_string(f.input[2]) + "px_opset" + std::to_string(f.opset) +
         (f.run_batch > 0 ? "_dynamic_batch" : "");
}

// Exports `model` (eval mode) traced on zeros of `input`, runs the file in OpenCV on a random input of `run_shape`
// and expects OpenCV's output within 1e-4 of the largest cnnkit output.
void expect_opencv_matches(Module& model, const Shape& input, const onnx::ExportOptions& options,
                           const Shape& run_shape, const std::string& what) {
  onnx::ExportSummary summary;
  const std::string bytes = onnx::export_model_bytes(model, zeros(input), options, &summary);
  EXPECT_GT(summary.nodes, 0);
  EXPECT_EQ(summary.output[0], input[0]);
  const Tensor x = test::uniform(run_shape);
  Tensor expected;
  {
    NoGradGuard no_grad;
    expected = model(x).contiguous();
  }
  cv::dnn::Net net = cv::dnn::readNetFromONNX(bytes.data(), bytes.size());
  ASSERT_FALSE(net.empty());
  std::vector<int> dims(run_shape.dims().begin(), run_shape.dims().end());
  const Tensor xc = x.contiguous();
  cv::Mat blob(static_cast<int>(dims.size()), dims.data(), CV_32F, const_cast<float*>(xc.data<float>()));
  net.setInput(blob);
  cv::Mat out = net.forward();
  ASSERT_EQ(static_cast<int64_t>(out.total()), expected.numel());
  const float* got = out.ptr<float>();
  const float* want = expected.data<float>();
  double worst = 0, scale = 0;
  for (int64_t i = 0; i < expected.numel(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(got[i] - want[i])));
    scale = std::max(scale, static_cast<double>(std::abs(want[i])));
  }
  EXPECT_LE(worst, 1e-4 * scale) << what << ": max |OpenCV - cnnkit| = " << worst << ", max |cnnkit| = " << scale;
}

class OnnxInOpenCv : public ::testing::TestWithParam<Family> {};

TEST_P(OnnxInOpenCv, OutputsMatchCnnkit) {
  const Family& f = GetParam();
  manual_seed(11);
  ModulePtr model = models::create(f.model, f.options);
  model->eval();
  // Batch norm with non-trivial statistics, so that a wrong epsilon or swapped mean/var would show.
  for (auto& [name, t] : model->named_buffers())
    if (name.ends_with("running_var")) t.copy_(test::uniform(t.shape()) * 0.4 + 1.0);
    else if (name.ends_with("running_mean")) t.copy_(test::uniform(t.shape()) * 0.1);
  Shape run_shape = f.input;
  if (f.run_batch > 0) run_shape[0] = f.run_batch;
  expect_opencv_matches(*model, f.input, {.opset = f.opset, .dynamic_batch = f.run_batch > 0}, run_shape, f.model);
}

// ELU, SELU, Mish and PReLU (per channel and shared, slopes of both signs) between convolutions.
TEST(OnnxInOpenCvActivations, OutputsMatchCnnkit) {
  manual_seed(12);
  auto per_channel = std::make_shared<PReLU>(6);
  per_channel->weight.detach().copy_(test::uniform({6}) * 0.5);
  Sequential model(Conv2d(3, 6, {.kernel_size = 3, .padding = 1}), ELU(0.5), Conv2d(6, 6, {.kernel_size = 1}),
                   SELU(), Conv2d(6, 6, {.kernel_size = 1}), Mish(), Conv2d(6, 6, {.kernel_size = 1}));
  model.push_back(per_channel);
  model.push_back(PReLU());
  model.eval();
  expect_opencv_matches(model, {1, 3, 16, 16}, {.opset = 13}, {2, 3, 16, 16}, "activations");
}

INSTANTIATE_TEST_SUITE_P(Families, OnnxInOpenCv, ::testing::ValuesIn(families()), case_name);

}  // namespace
}  // namespace cnn
