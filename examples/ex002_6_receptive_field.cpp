// Seeds 002 §6 and notebook Exercise 2: the receptive-field formula R_l = R_{l-1} + (K_l - 1) D_l prod_{k<l} S_k
// implemented here over SimpleCNN's window layers in call order (their kernel/stride/dilation geometry), then
// checked against the library's receptive_fields() (`cnn rf`) and the fields `summary()` reads from the graph.
#include <cnn/cnn.h>
#include <cnn/analysis.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 002 §6 and notebook Exercise 2", {});

  auto model = cnn::models::create("simplecnn");
  const cnn::ModelSummary s = cnn::summary(*model, {1, 28, 28});

  // Exercise 2: fold the formula over the layers as the forward pass calls them.
  struct Step {
    std::string name;
    int64_t k, stride, dilation, product_before, r;
  };
  std::vector<Step> steps;
  int64_t r = 1, product = 1;
  for (const cnn::SummaryRow& row : s.rows) {
    const auto geometry = cnn::viz::find_module(*model, row.name).geometry();
    if (!geometry) continue;
    const int64_t k = geometry->kernel_size.h, st = geometry->stride.h, d = geometry->dilation.h;
    r = r + (k - 1) * d * product;
    steps.push_back({row.name, k, st, d, product, r});
    product *= st;
  }

  fmt::print("Receptive field of SimpleCNN (formula implemented in this program)\n");
  fmt::print("{:<8} {:>2} {:>2} {:>2} {:>16} {:>4}   {}\n", "layer", "K", "S", "D", "stride product", "R", "calc");
  fmt::print("{:<8} {:>2} {:>2} {:>2} {:>16} {:>4}\n", "input", "-", "-", "-", 1, 1);
  int64_t prev = 1;
  for (const Step& st : steps) {
    fmt::print("{:<8} {:>2} {:>2} {:>2} {:>16} {:>4}   {} + {} x {} x {} = {}\n", st.name, st.k, st.stride,
               st.dilation, st.product_before, st.r, prev, st.k - 1, st.dilation, st.product_before, st.r);
    prev = st.r;
  }
  fmt::print("document: 3, 4, 8, 10; a final neuron sees a {}x{} patch of the 28x28 input\n", r, r);

  fmt::print("\nlibrary receptive_fields(\"conv3p1,pool2,conv3p1,pool2\", 28):\n");
  for (const cnn::RfStep& st : cnn::receptive_fields(cnn::parse_layer_specs("conv3p1,pool2,conv3p1,pool2"), 28))
    fmt::print("  {:<7} rf {:>2}  jump {}  size {}\n", st.layer.text, st.rf, st.jump, st.size.value_or(0));

  fmt::print("\nsummary() fields read from the autograd graph:\n");
  for (const cnn::SummaryRow& row : s.rows)
    if (row.field) fmt::print("  {:<6} {:<10} rf {}\n", row.name, row.type, row.field->rf_str());
  return 0;
}
