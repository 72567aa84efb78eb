// Seeds 001 §1.4 "Receptive Field": the notebook's calculate_receptive_field for its VGG-like stack (16) and its
// dilated stack (15), checked three ways: the notebook's loop, cnnkit's receptive_fields() (what `cnn rf` prints)
// and graph_receptive_fields() on real Conv2d/MaxPool2d layers. Run: build/examples/ex001_1_4_receptive_field
#include <cnn/analysis.h>
#include <cnn/cnn.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

namespace {

struct LayerDict {
  int64_t kernel_size = 1, stride = 1, dilation = 1;
};

/// The notebook's loop: rf += (d*(k-1)+1 - 1) * stride_product; stride_product *= s.
int64_t calculate_receptive_field(const std::vector<LayerDict>& layers) {
  int64_t rf = 1, stride_product = 1;
  for (const LayerDict& l : layers) {
    const int64_t effective_k = l.dilation * (l.kernel_size - 1) + 1;
    rf += (effective_k - 1) * stride_product;
    stride_product *= l.stride;
  }
  return rf;
}

/// The same stack as real layers (padding keeps the size), its field read from the recorded graph.
int64_t graph_field(const std::vector<cnn::LayerSpec>& specs) {
  cnn::Sequential model;
  int64_t channels = 1;
  for (const cnn::LayerSpec& s : specs) {
    if (s.kind == "pool")
      model.push_back(cnn::MaxPool2d({.kernel_size = s.kernel, .stride = s.stride}));
    else
      model.push_back(cnn::Conv2d(channels, 4, {.kernel_size = s.kernel, .stride = s.stride,
                                                .padding = s.dilation * (s.kernel / 2), .dilation = s.dilation}));
    channels = s.kind == "pool" ? channels : 4;
  }
  cnn::Tensor x = cnn::randn({1, 1, 64, 64});
  x.requires_grad_(true);
  const auto field = cnn::graph_receptive_fields(x, {model(x)})[0];
  return field ? static_cast<int64_t>(field->rf_h) : -1;
}

bool report(const std::string& name, const std::string& spec_text, const std::vector<LayerDict>& dicts) {
  const int64_t notebook = calculate_receptive_field(dicts);
  const auto specs = cnn::parse_layer_specs(spec_text);
  const auto steps = cnn::receptive_fields(specs);
  fmt::print("{} receptive field: {}\n", name, notebook);
  for (const auto& st : steps)
    fmt::print("  {:<8} RF = {:>2} + ({}-1)*{}*{} = {:>2}   jump {}\n", st.layer.text, st.rf_in, st.layer.kernel,
               st.layer.dilation, st.jump_in, st.rf, st.jump);
  const int64_t from_graph = graph_field(specs);
  fmt::print("  receptive_fields(): {}, graph of real layers: {}\n\n", steps.back().rf, from_graph);
  return notebook == steps.back().rf && notebook == from_graph;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §1.4 \"Receptive Field\"", {});

  cnn::manual_seed(42);
  const bool vgg = report("VGG-like", "conv3,conv3,pool2,conv3,conv3,pool2",
                           {{3, 1, 1}, {3, 1, 1}, {2, 2, 1}, {3, 1, 1}, {3, 1, 1}, {2, 2, 1}});
  const bool dilated = report("Dilated conv", "conv3,conv3d2,conv3d4", {{3, 1, 1}, {3, 1, 2}, {3, 1, 4}});
  fmt::print("All three methods agree: {}\n", vgg && dilated ? "yes" : "no");
  return vgg && dilated ? 0 : 1;
}
