// Receptive fields read from the autograd graph: window geometry recorded by conv/pool ops, the largest field
// where paths join, resampling and global ops by node name. Not the `cnn rf --layers` calculator (rf_calculator.cpp).
#include <cnn/analysis.h>
#include <cnn/autograd.h>

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace cnn {

namespace {

using Field = std::optional<ReceptiveField>;

struct Spatial {
  int64_t h = 0, w = 0;
  bool operator==(const Spatial&) const = default;
};

// The last two sizes of a 4-D or higher tensor (channel shuffle's 5-D views keep them); nullopt otherwise.
std::optional<Spatial> spatial(const Shape& s) {
  if (s.dim() < 4) return std::nullopt;
  return Spatial{s[-2], s[-1]};
}

ReceptiveField global_field() {
  ReceptiveField f;
  f.global = true;
  f.jump_h = f.jump_w = 0;
  return f;
}

// Largest field and jump over the joining inputs, per axis.
ReceptiveField widest(const std::vector<ReceptiveField>& fields) {
  ReceptiveField out = fields.front();
  for (const auto& f : fields) {
    out.rf_h = std::max(out.rf_h, f.rf_h), out.rf_w = std::max(out.rf_w, f.rf_w);
    out.jump_h = std::max(out.jump_h, f.jump_h), out.jump_w = std::max(out.jump_w, f.jump_w);
    out.global_context = out.global_context || f.global_context;
  }
  return out;
}

// One axis through a window: forward windows add (k-1)*d input steps; a transposed window with stride s
// reaches ceil(((k-1)*d + 1) / s) input elements per output element and divides the jump by s.
void through_window(double& rf, double& jump, int64_t k, int64_t s, int64_t d, bool transposed) {
  if (!transposed) {
    rf += static_cast<double>((k - 1) * d) * jump;
    jump *= static_cast<double>(s);
    return;
  }
  const int64_t span = (k - 1) * d + 1, taps = (span + s - 1) / s;
  rf += static_cast<double>(taps - 1) * jump;
  jump /= static_cast<double>(s);
}

// Adaptive pooling window i spans [floor(i*in/out), ceil((i+1)*in/out)); the widest one bounds the field.
int64_t widest_adaptive_window(int64_t in, int64_t out) {
  int64_t widest_window = 1;
  for (int64_t i = 0; i < out; ++i)
    widest_window = std::max(widest_window, ((i + 1) * in + out - 1) / out - (i * in) / out);
  return widest_window;
}

// Field of an input that changed spatial size through a node without window geometry; nullopt means "global".
Field through_resize(std::string_view node, ReceptiveField f, Spatial in, Spatial out) {
  const double scale_h = static_cast<double>(in.h) / static_cast<double>(out.h);
  const double scale_w = static_cast<double>(in.w) / static_cast<double>(out.w);
  if (node.starts_with("ConstantPad") || node.starts_with("Slice")) return f;  // shifts or crops: same field
  if (node.starts_with("Upsample") || node.starts_with("MaxUnpool")) {
    if (node.starts_with("UpsampleBilinear")) {  // two input taps per axis that changes size
      if (in.h != out.h) f.rf_h += f.jump_h;
      if (in.w != out.w) f.rf_w += f.jump_w;
    }
    f.jump_h *= scale_h, f.jump_w *= scale_w;
    return f;
  }
  if (node.starts_with("AdaptiveAvgPool") || node.starts_with("AdaptiveMaxPool")) {
    if (out.h == 1 && out.w == 1) return std::nullopt;
    f.rf_h += static_cast<double>(widest_adaptive_window(in.h, out.h) - 1) * f.jump_h;
    f.rf_w += static_cast<double>(widest_adaptive_window(in.w, out.w) - 1) * f.jump_w;
    f.jump_h *= scale_h, f.jump_w *= scale_w;
    return f;
  }
  return std::nullopt;  // flatten, reshape across spatial dims, reductions: every element mixes the input
}

// The field of a node's output from its inputs' fields (nullopt inputs are off the input's path).
Field propagate(const Node& node, const std::vector<Field>& in_fields, const std::optional<Shape>& out_shape) {
  std::vector<size_t> path;
  for (size_t i = 0; i < in_fields.size(); ++i)
    if (in_fields[i]) path.push_back(i);
  if (path.empty()) return std::nullopt;
  const auto out = out_shape ? spatial(*out_shape) : std::nullopt;
  if (!out) return global_field();
  // A global input joining local ones (x * sigmoid(fc(mean(x)))) adds context; global alone stays global.
  std::vector<size_t> local;
  for (size_t i : path)
    if (!in_fields[i]->global) local.push_back(i);
  if (local.empty()) return global_field();
  const bool context = local.size() < path.size();

  if (node.geometry && in_fields[0]) {
    if (in_fields[0]->global) return global_field();
    const WindowGeometry& g = *node.geometry;
    const auto in = spatial(node.inputs[0].shape());
    ReceptiveField f = *in_fields[0];
    through_window(f.rf_h, f.jump_h, g.kernel_size.h, g.stride.h, g.dilation.h, g.transposed);
    through_window(f.rf_w, f.jump_w, g.kernel_size.w, g.stride.w, g.dilation.w, g.transposed);
    // A single output whose window spans the whole padded input sees all of it.
    const bool spans_h = in && (g.kernel_size.h - 1) * g.dilation.h + 1 >= in->h + 2 * g.padding.h;
    const bool spans_w = in && (g.kernel_size.w - 1) * g.dilation.w + 1 >= in->w + 2 * g.padding.w;
    if (!g.transposed && out->h == 1 && out->w == 1 && spans_h && spans_w) return global_field();
    return f;
  }

  std::vector<ReceptiveField> candidates;
  for (size_t i : local) {
    const auto in = spatial(node.inputs[i].shape());
    if (!in) return global_field();
    if (*in == *out || (in->h == 1 && in->w == 1)) {  // same grid, or broadcast from 1x1
      candidates.push_back(*in_fields[i]);
      continue;
    }
    const Field resized = through_resize(node.name, *in_fields[i], *in, *out);
    if (!resized) return global_field();
    candidates.push_back(*resized);
  }
  ReceptiveField f = widest(candidates);
  f.global_context = f.global_context || context;
  return f;
}

}  // namespace

std::vector<Field> graph_receptive_fields(const Tensor& input, const std::vector<Tensor>& outputs) {
  CNN_CHECK(input.defined() && input.dim() >= 2,
            "graph_receptive_fields: expected an input with at least two (spatial) dimensions, got {}",
            input.defined() ? input.shape().str() : std::string("an undefined tensor"));
  // Post-order over the nodes reachable from the outputs (inputs before consumers), and each node's output
  // shape as its consumers (or the caller) hold it.
  std::vector<const Node*> order;
  std::unordered_map<const Node*, Shape> out_shapes;
  std::unordered_set<const Node*> visited;
  for (const Tensor& t : outputs) {
    if (!t.defined() || !t.grad_fn()) continue;
    out_shapes.emplace(t.grad_fn().get(), t.shape());
    if (!visited.insert(t.grad_fn().get()).second) continue;
    std::vector<std::pair<const Node*, size_t>> stack{{t.grad_fn().get(), 0}};
    while (!stack.empty()) {
      auto& [node, next] = stack.back();
      if (next < node->inputs.size()) {
        const Tensor& in = node->inputs[next++];
        if (!in.defined() || !in.grad_fn()) continue;
        const Node* child = in.grad_fn().get();
        out_shapes.emplace(child, in.shape());
        if (visited.insert(child).second) stack.push_back({child, 0});
      } else {
        order.push_back(node);
        stack.pop_back();
      }
    }
  }

  ReceptiveField start;  // one input pixel
  std::unordered_map<const Node*, Field> fields;
  auto field_of = [&](const Tensor& t) -> Field {
    if (!t.defined()) return std::nullopt;
    if (t.impl() == input.impl()) return start;
    if (!t.grad_fn()) return std::nullopt;  // a parameter or a constant
    auto it = fields.find(t.grad_fn().get());
    return it == fields.end() ? std::nullopt : it->second;
  };
  for (const Node* node : order) {
    std::vector<Field> in_fields;
    for (const Tensor& in : node->inputs) in_fields.push_back(field_of(in));
    auto shape = out_shapes.find(node);
    fields[node] = propagate(*node, in_fields,
                             shape == out_shapes.end() ? std::nullopt : std::optional<Shape>(shape->second));
  }

  std::vector<Field> result;
  for (const Tensor& t : outputs) {
    Field f = field_of(t);
    if (f && f->global) f->rf_h = static_cast<double>(input.size(-2)), f->rf_w = static_cast<double>(input.size(-1));
    result.push_back(f);
  }
  return result;
}

namespace {

// 7 -> "7", 2.5 -> "2.5", 0.25 -> "0.25".
std::string number(double v) {
  if (v == std::floor(v)) return fmt::format("{}", static_cast<int64_t>(v));
  std::string s = fmt::format("{:.2f}", v);
  while (s.back() == '0') s.pop_back();
  return s;
}

}  // namespace

std::string ReceptiveField::rf_str() const {
  if (global) return "global";
  return (rf_h == rf_w ? number(rf_h) : number(rf_h) + "x" + number(rf_w)) + (global_context ? "*" : "");
}

std::string ReceptiveField::jump_str() const {
  if (global) return "-";
  return jump_h == jump_w ? number(jump_h) : number(jump_h) + "x" + number(jump_w);
}

}  // namespace cnn
