// The configurable plain CNN of models_plain.h and its key=value options.
#include <cnn/models.h>
#include <cnn/models_plain.h>

#include <algorithm>
#include <charconv>

#include "models/zoo_util.h"

namespace cnn::models {

namespace {

int64_t parse_int(const std::string& key, const std::string& value, int64_t low) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  CNN_CHECK(ec == std::errc() && end == value.data() + value.size() && v >= low,
            "plaincnn: {} must be an integer >= {}, got \"{}\"", key, low, value);
  return v;
}

std::string parse_choice(const std::string& key, const std::string& value, std::initializer_list<const char*> ok) {
  for (const char* c : ok)
    if (value == c) return value;
  CNN_CHECK(false, "plaincnn: {} must be one of {}, got \"{}\"", key, fmt::join(ok, ", "), value);
  return {};
}

/// Conv layers per stage: depth spread over min(depth, 3) stages, the earlier stages taking the remainder.
std::vector<int64_t> stage_depths(int64_t depth) {
  const int64_t stages = std::min<int64_t>(depth, 3);
  std::vector<int64_t> out(static_cast<size_t>(stages), depth / stages);
  for (int64_t i = 0; i < depth % stages; ++i) ++out[static_cast<size_t>(i)];
  return out;
}

constexpr int64_t kMaxDepth = 128, kMaxWidth = 1024, kMaxImageSize = 65536;

// The input side of each stage (a square image_size input), and the receptive field of the last conv.
struct Geometry {
  std::vector<int64_t> stage_inputs;
  int64_t last_side = 0, receptive_field = 1;
};

Geometry geometry(const PlainCNNOptions& o, int64_t depth) {
  Geometry g;
  int64_t side = o.image_size, jump = 1;
  const int64_t kernel = std::min(o.kernel, o.image_size + 1);  // a larger kernel is refused anyway; no overflow
  for (int64_t convs : stage_depths(depth)) {
    g.stage_inputs.push_back(side);
    g.receptive_field += convs * (kernel - 1) * jump;
    if (o.pool != "stride") g.receptive_field += jump;  // the 2x2 pooling window
    jump *= 2;
    side = o.pool == "stride" ? (side - 1) / 2 + 1 : side / 2;
  }
  g.last_side = side;
  return g;
}

// Refuses, before any layer is built, knobs the input cannot carry: a kernel larger than a stage's input, more
// downsamplings than the input has pixels, a depth whose receptive field passes 4 x the input (the extra layers
// would see padding only), and a width whose last stage is wider than 4 x kMaxWidth channels.
void check_geometry(const PlainCNNOptions& o) {
  CNN_CHECK(o.depth <= kMaxDepth, "plaincnn: depth={} is more than the limit of {}", o.depth, kMaxDepth);
  CNN_CHECK(o.width <= kMaxWidth, "plaincnn: width={} is more than the limit of {} (the third stage doubles it twice)",
            o.width, kMaxWidth);
  const Geometry g = geometry(o, o.depth);
  CNN_CHECK(g.last_side >= 1, "plaincnn: a {}x{} input is too small for {} downsamplings", o.image_size,
            o.image_size, g.stage_inputs.size());
  const int64_t smallest = *std::min_element(g.stage_inputs.begin(), g.stage_inputs.end());
  for (size_t stage = 0; stage < g.stage_inputs.size(); ++stage) {
    const int64_t side = g.stage_inputs[stage];
    CNN_CHECK(o.kernel <= side,
              "plaincnn: kernel={} is larger than the {}x{} input of stage {} (image_size={}, depth={}); the limit "
              "is kernel={}",
              o.kernel, side, side, stage + 1, o.image_size, o.depth, smallest % 2 == 1 ? smallest : smallest - 1);
  }
  if (g.receptive_field <= 4 * o.image_size) return;
  int64_t deepest = 0;
  while (deepest < o.depth && geometry(o, deepest + 1).receptive_field <= 4 * o.image_size) ++deepest;
  CNN_CHECK(false,
            "plaincnn: depth={} is more than a {}x{} input supports: its receptive field is {} pixels, past 4 x {}; "
            "the limit is depth={} with kernel={} and pool={}",
            o.depth, o.image_size, o.image_size, g.receptive_field, o.image_size, deepest, o.kernel, o.pool);
}

}  // namespace

PlainCNNOptions plain_cnn_options(const std::map<std::string, std::string>& kwargs, PlainCNNOptions o) {
  for (const auto& [key, value] : kwargs) {
    if (key == "depth") o.depth = parse_int(key, value, 1);
    else if (key == "width") o.width = parse_int(key, value, 1);
    else if (key == "kernel") o.kernel = parse_int(key, value, 1);
    else if (key == "pool") o.pool = parse_choice(key, value, {"max", "avg", "stride"});
    else if (key == "bn") o.bn = parse_choice(key, value, {"on", "off", "true", "false", "1", "0"}) == "on" ||
                                 value == "true" || value == "1";
    else if (key == "head") o.head = parse_choice(key, value, {"gap", "flatten"});
    else if (key == "dropout") o.dropout = std::stod(value);
    else if (key == "image_size") o.image_size = parse_int(key, value, 1);
    else
      CNN_CHECK(false, "plaincnn: unknown option \"{}\" (options: depth, width, kernel, pool, bn, head, dropout, "
                "image_size)", key);
  }
  return o;
}

PlainCNN::PlainCNN(const PlainCNNOptions& o) : options_(o) {
  CNN_CHECK(o.depth >= 1 && o.width >= 1 && o.kernel >= 1 && o.kernel % 2 == 1,
            "plaincnn: depth and width must be positive and kernel odd, got depth={} width={} kernel={}", o.depth,
            o.width, o.kernel);
  CNN_CHECK(o.dropout >= 0 && o.dropout < 1, "plaincnn: dropout must be in [0, 1), got {}", o.dropout);
  CNN_CHECK(o.image_size >= 1 && o.image_size <= kMaxImageSize, "plaincnn: image_size must be 1 to {}, got {}",
            kMaxImageSize, o.image_size);
  check_geometry(o);
  features = register_module("features", std::make_shared<Sequential>());
  int64_t channels = o.in_channels, width = o.width, side = o.image_size;
  for (int64_t convs : stage_depths(o.depth)) {
    for (int64_t i = 0; i < convs; ++i) {
      const bool strided = o.pool == "stride" && i == convs - 1;
      features->push_back(Conv2d(channels, width,
                                 {.kernel_size = o.kernel, .stride = strided ? 2 : 1, .padding = o.kernel / 2,
                                  .bias = !o.bn}));
      if (o.bn) features->push_back(BatchNorm2d(width));
      features->push_back(ReLU());
      channels = width;
    }
    if (o.pool == "max") features->push_back(MaxPool2d(2));
    if (o.pool == "avg") features->push_back(AvgPool2d(2));
    side = o.pool == "stride" ? (side - 1) / 2 + 1 : side / 2;
    width *= 2;
  }
  classifier = register_module("classifier", std::make_shared<Sequential>());
  if (o.head == "gap") classifier->push_back(AdaptiveAvgPool2d(1));
  classifier->push_back(Flatten());
  if (o.dropout > 0) classifier->push_back(Dropout(o.dropout));
  classifier->push_back(Linear(o.head == "gap" ? channels : channels * side * side, o.num_classes));
}

Tensor PlainCNN::forward(const Tensor& x) { return call_children(*this, {"features", "classifier"}, x); }

ModulePtr plaincnn(const ModelOptions& options) {
  const Resolved r = resolve("plaincnn", options, kMnist, {Extra::kwargs});
  PlainCNNOptions o = plain_cnn_options(options.kwargs);
  o.num_classes = r.num_classes;
  o.in_channels = r.in_channels;
  return std::make_shared<PlainCNN>(o);
}

}  // namespace cnn::models
