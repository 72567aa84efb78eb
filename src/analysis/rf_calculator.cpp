// The `cnn rf --layers` calculator: parses "conv3,conv3s2,pool2" and folds the receptive-field formula over it.
// Not models: graph_receptive_fields (receptive_field.cpp) follows a real forward pass.
#include <cnn/analysis.h>

#include <cctype>

namespace cnn {

namespace {

constexpr const char* kGrammar =
    "each item is conv<k>[s<stride>][d<dilation>][p<padding>] or pool<k>[s<stride>][d<dilation>][p<padding>], "
    "e.g. conv3, conv3s2, conv3d2, conv7s2p3, pool2, pool3s2p1";

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

// Parses one item; `where` names it in errors ("item 2 'conv3x'").
LayerSpec parse_item(const std::string& item, const std::string& where) {
  LayerSpec spec;
  spec.text = item;
  size_t pos = 0;
  for (const char* kind : {"conv", "pool"})
    if (item.rfind(kind, 0) == 0) spec.kind = kind, pos = 4;
  CNN_CHECK(!spec.kind.empty(), "rf: {} does not start with conv or pool; {}", where, kGrammar);
  auto read_number = [&](const std::string& what) {
    const size_t start = pos;
    while (pos < item.size() && std::isdigit(static_cast<unsigned char>(item[pos]))) ++pos;
    CNN_CHECK(pos > start && pos - start <= 6, "rf: {}: expected a {} (up to 6 digits) at position {}; {}", where, what, start + 1,
              kGrammar);
    return std::stoll(item.substr(start, pos - start));
  };
  spec.kernel = read_number("kernel size after '" + spec.kind + "'");
  bool stride_set = false, seen_s = false, seen_d = false, seen_p = false;
  while (pos < item.size()) {
    const char letter = item[pos++];
    bool* seen = letter == 's' ? &seen_s : letter == 'd' ? &seen_d : letter == 'p' ? &seen_p : nullptr;
    CNN_CHECK(seen != nullptr, "rf: {}: unexpected '{}' at position {} (suffixes are s, d and p); {}", where, letter,
              pos, kGrammar);
    CNN_CHECK(!*seen, "rf: {}: '{}' is given twice; {}", where, letter, kGrammar);
    *seen = true;
    const std::string what = letter == 's' ? "stride" : letter == 'd' ? "dilation" : "padding";
    const int64_t v = read_number(what + " after '" + letter + "'");
    if (letter == 's') spec.stride = v, stride_set = true;
    if (letter == 'd') spec.dilation = v;
    if (letter == 'p') spec.padding = v;
  }
  if (spec.kind == "pool" && !stride_set) spec.stride = spec.kernel;  // PyTorch: stride defaults to kernel_size
  CNN_CHECK(spec.kernel >= 1 && spec.stride >= 1 && spec.dilation >= 1,
            "rf: {}: kernel, stride and dilation must be at least 1, got kernel {}, stride {}, dilation {}", where,
            spec.kernel, spec.stride, spec.dilation);
  CNN_CHECK(spec.kind != "pool" || spec.padding <= spec.kernel / 2,
            "rf: {}: pooling padding must be at most half the kernel size (PyTorch refuses it), got padding {} for "
            "kernel {}",
            where, spec.padding, spec.kernel);
  return spec;
}

}  // namespace

std::vector<LayerSpec> parse_layer_specs(const std::string& list) {
  std::vector<LayerSpec> specs;
  size_t begin = 0, index = 1;
  while (true) {
    const size_t comma = list.find(',', begin);
    const std::string item = trim(list.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
    const std::string where = fmt::format("item {} '{}' of \"{}\"", index, item, list);
    CNN_CHECK(!item.empty(), "rf: item {} of \"{}\" is empty; {}", index, list, kGrammar);
    specs.push_back(parse_item(item, where));
    if (comma == std::string::npos) break;
    begin = comma + 1, ++index;
  }
  return specs;
}

std::vector<RfStep> receptive_fields(const std::vector<LayerSpec>& layers, std::optional<int64_t> input_size) {
  CNN_CHECK(!input_size || *input_size >= 1, "rf: the input size must be at least 1, got {}", input_size.value_or(0));
  std::vector<RfStep> steps;
  int64_t rf = 1, jump = 1;
  double start = 0;
  std::optional<int64_t> size = input_size;
  for (const auto& layer : layers) {
    RfStep step;
    step.layer = layer, step.rf_in = rf, step.jump_in = jump;
    const int64_t span = (layer.kernel - 1) * layer.dilation;  // dilated kernel size - 1
    rf += span * jump;
    start += (static_cast<double>(span) / 2.0 - static_cast<double>(layer.padding)) * static_cast<double>(jump);
    jump *= layer.stride;
    if (size) {
      const int64_t room = *size + 2 * layer.padding - span - 1;
      CNN_CHECK(room >= 0,
                "rf: {} does not fit its input of size {}: the dilated kernel {} is larger than the padded input {}",
                layer.text, *size, span + 1, *size + 2 * layer.padding);
      size = room / layer.stride + 1;
    }
    step.rf = rf, step.jump = jump, step.start = start, step.size = size;
    steps.push_back(step);
  }
  return steps;
}

}  // namespace cnn
