// Traced ops as ONNX nodes (see ops.h). Each case follows the op's own attributes (trace_attributes in src/ops).
// OpenCV's ONNX importer (4.6) rejects Clip with min/max given as inputs, so ReLU6 from opset 11 on is written
// as r - Relu(r - 6) with r = Relu(x); SiLU is x * Sigmoid(x), as PyTorch exports it, and so is Mish below opset 18:
// x * Tanh(Softplus(x)).
#include "onnx/ops.h"

#include <cnn/error.h>
#include <fmt/format.h>

#include <functional>
#include <numeric>

namespace cnn::onnx {

namespace {

using Ints = std::vector<int64_t>;

struct Context {
  const TracedOp& op;
  Graph& g;
  const std::string& out;
  const std::string& where;
  bool dynamic_batch;

  std::string in(size_t i) const { return g.value(op.inputs.at(i)); }
  bool has(size_t i) const { return i < op.inputs.size() && op.inputs[i].defined(); }
  const Shape& in_shape(size_t i = 0) const { return op.inputs.at(i).shape(); }
  const Ints& ints(const std::string& key) const {
    auto it = op.attributes.ints.find(key);
    CNN_CHECK(it != op.attributes.ints.end(), "onnx export: {} in {} did not report its attribute '{}'", op.name,
              where, key);
    return it->second;
  }
  double real(const std::string& key) const {
    auto it = op.attributes.floats.find(key);
    CNN_CHECK(it != op.attributes.floats.end(), "onnx export: {} in {} did not report its attribute '{}'", op.name,
              where, key);
    return it->second;
  }
  ::onnx::NodeProto& node(const std::string& type, const std::vector<std::string>& inputs,
                          const std::string& output = "") const {
    return g.node(type, inputs, {output.empty() ? out : output}, where);
  }
  [[noreturn]] void refuse(const std::string& why) const {
    throw Error(fmt::format("onnx export: cannot express {} (in {}) at opset {}: {}", op.name,
                            where.empty() ? "the model" : where, g.opset(), why));
  }
};

void conv(const Context& c, bool transposed) {
  std::vector<std::string> inputs{c.in(0), c.in(1)};
  if (c.has(2)) inputs.push_back(c.in(2));
  const Shape& w = c.in_shape(1);
  auto& n = c.node(transposed ? "ConvTranspose" : "Conv", inputs);
  set_ints(n, "kernel_shape", {w[2], w[3]});
  set_ints(n, "pads", c.ints("pads"));
  set_ints(n, "strides", c.ints("strides"));
  set_ints(n, "dilations", c.ints("dilations"));
  set_int(n, "group", c.ints("group")[0]);
  if (!transposed) return;
  const Ints pads = c.ints("pads"), s = c.ints("strides"), d = c.ints("dilations");
  const Shape& x = c.in_shape(0);
  const Shape& y = c.op.output.shape();
  Ints output_padding;
  for (int k = 0; k < 2; ++k) {
    const int64_t base = (x[2 + k] - 1) * s[static_cast<size_t>(k)] - pads[static_cast<size_t>(k)] -
                         pads[static_cast<size_t>(k + 2)] + d[static_cast<size_t>(k)] * (w[2 + k] - 1) + 1;
    output_padding.push_back(y[2 + k] - base);
  }
  if (output_padding != Ints{0, 0}) set_ints(n, "output_padding", output_padding);
}

void batch_norm(const Context& c) {
  const int64_t C = c.in_shape(0)[1];
  const auto& stats = c.op.attributes.tensors;
  CNN_CHECK(stats.size() == 2, "onnx export: {} in {} is not in eval mode (no running statistics)", c.op.name,
            c.where);
  const std::string scale = c.has(1) ? c.in(1) : c.g.constant_f32(std::vector<float>(static_cast<size_t>(C), 1.f), {C});
  const std::string bias = c.has(2) ? c.in(2) : c.g.constant_f32(std::vector<float>(static_cast<size_t>(C), 0.f), {C});
  auto& n = c.node("BatchNormalization", {c.in(0), scale, bias, c.g.value(stats[0]), c.g.value(stats[1])});
  set_float(n, "epsilon", static_cast<float>(c.real("epsilon")));
}

void linear(const Context& c) {
  std::vector<std::string> inputs{c.in(0), c.in(1)};
  if (c.has(2)) {
    inputs.push_back(c.in(2));
  } else if (c.g.opset() < 11) {
    inputs.push_back(c.g.scalar_f32(0.f));
  }
  set_int(c.node("Gemm", inputs), "transB", 1);
}

void clip(const Context& c, float lo, float hi) {
  if (c.g.opset() < 11) {
    auto& n = c.node("Clip", {c.in(0)});
    set_float(n, "min", lo);
    set_float(n, "max", hi);
    return;
  }
  if (lo == 0.f) {  // relu6 and clamp(min=0): r - Relu(r - max), r = Relu(x)
    const std::string r = c.g.temp(c.out + "_relu");
    c.node("Relu", {c.in(0)}, r);
    if (std::isinf(hi)) {
      c.node("Identity", {r});
      return;
    }
    const std::string over = c.g.temp(c.out + "_over"), excess = c.g.temp(c.out + "_excess");
    c.node("Sub", {r, c.g.scalar_f32(hi)}, over);
    c.node("Relu", {over}, excess);
    c.node("Sub", {r, excess});
    return;
  }
  c.node("Clip", {c.in(0), c.g.scalar_f32(lo), c.g.scalar_f32(hi)});
}

void gated(const Context& c, const std::string& gate, float alpha = 0.f, float beta = 0.f) {
  const std::string s = c.g.temp(c.out + "_gate");
  auto& n = c.node(gate, {c.in(0)}, s);
  if (gate == "HardSigmoid") set_float(n, "alpha", alpha), set_float(n, "beta", beta);
  c.node("Mul", {c.in(0), s});
}

// PRelu broadcasts its slope from the right: slopes [C] for x [N, C, *] become [C, 1, ...] (one shared slope as is).
void prelu(const Context& c) {
  const int64_t slopes = c.in_shape(1).numel(), rank = c.in_shape(0).dim();
  std::string slope = c.in(1);
  if (slopes > 1 && rank > 2) {
    Ints shape(static_cast<size_t>(rank - 1), 1);
    shape[0] = slopes;
    slope = c.g.temp(c.out + "_slope");
    c.node("Reshape", {c.in(1), c.g.constant_i64(shape)}, slope);
  }
  c.node("PRelu", {c.in(0), slope});
}

void mish(const Context& c) {
  const std::string soft = c.g.temp(c.out + "_softplus"), gate = c.g.temp(c.out + "_tanh");
  c.node("Softplus", {c.in(0)}, soft);
  c.node("Tanh", {soft}, gate);
  c.node("Mul", {c.in(0), gate});
}

void pool(const Context& c, const std::string& type) {
  auto& n = c.node(type, {c.in(0)});
  set_ints(n, "kernel_shape", c.ints("kernel_shape"));
  set_ints(n, "strides", c.ints("strides"));
  set_ints(n, "pads", c.ints("pads"));
  const bool ceil = c.ints("ceil_mode")[0] != 0;
  if (ceil && c.g.opset() < 10) c.refuse("ceil_mode=True needs opset 10");
  if (c.g.opset() >= 10) set_int(n, "ceil_mode", ceil ? 1 : 0);
  if (type == "AveragePool") {
    set_int(n, "count_include_pad", c.ints("count_include_pad")[0]);
  } else if (c.ints("dilations") != Ints{1, 1}) {
    if (c.g.opset() < 10) c.refuse("dilated max pooling needs opset 10");
    set_ints(n, "dilations", c.ints("dilations"));
  }
}

void adaptive_pool(const Context& c, bool is_max) {
  const Shape& x = c.in_shape(0);
  const Shape& y = c.op.output.shape();
  if (y[2] == 1 && y[3] == 1) {
    c.node(is_max ? "GlobalMaxPool" : "GlobalAveragePool", {c.in(0)});
    return;
  }
  if (x[2] % y[2] != 0 || x[3] % y[3] != 0)
    c.refuse(fmt::format("ONNX has no adaptive pooling, and output ({}, {}) does not divide input ({}, {})", y[2], y[3],
                         x[2], x[3]));
  const Ints k{x[2] / y[2], x[3] / y[3]};
  auto& n = c.node(is_max ? "MaxPool" : "AveragePool", {c.in(0)});
  set_ints(n, "kernel_shape", k);
  set_ints(n, "strides", k);
}

// view, reshape, squeeze, unsqueeze: Flatten for [N, ...] -> [N, rest], else Reshape (0 keeps the batch).
void reshape(const Context& c) {
  const Shape& x = c.in_shape(0);
  const Shape& y = c.op.output.shape();
  if (x.dim() >= 2 && y.dim() == 2 && x[0] == y[0] && y[1] == x.numel() / std::max<int64_t>(x[0], 1)) {
    set_int(c.node("Flatten", {c.in(0)}), "axis", 1);
    return;
  }
  Ints shape = y.dims();
  if (!shape.empty() && x.dim() > 0 && x[0] == y[0]) {
    shape[0] = 0;
  } else if (c.dynamic_batch) {
    c.refuse(fmt::format("a reshape from {} to {} moves the batch dimension, which --dynamic-batch cannot follow", x, y));
  }
  c.node("Reshape", {c.in(0), c.g.constant_i64(shape)});
}

void slice(const Context& c) {
  if (c.g.opset() < 10) {
    if (c.ints("steps") != Ints{1}) c.refuse("strided slices need opset 10");
    auto& n = c.node("Slice", {c.in(0)});
    set_ints(n, "axes", c.ints("axes"));
    set_ints(n, "starts", c.ints("starts"));
    set_ints(n, "ends", c.ints("ends"));
    return;
  }
  c.node("Slice", {c.in(0), c.g.constant_i64(c.ints("starts")), c.g.constant_i64(c.ints("ends")),
                   c.g.constant_i64(c.ints("axes")), c.g.constant_i64(c.ints("steps"))});
}

void softmax(const Context& c, const std::string& type) {
  const int64_t axis = c.ints("axis")[0];
  if (c.g.opset() < 13 && axis != c.in_shape(0).dim() - 1)
    c.refuse("softmax over a dimension other than the last needs opset 13");
  set_int(c.node(type, {c.in(0)}), "axis", axis);
}

void reduce(const Context& c, const std::string& type) {
  const Ints& axes = c.ints("axes");
  const int64_t keep = c.ints("keepdims")[0];
  if (type == "ReduceSum" && c.g.opset() >= 13) {
    set_int(c.node(type, {c.in(0), c.g.constant_i64(axes)}), "keepdims", keep);
    return;
  }
  auto& n = c.node(type, {c.in(0)});
  set_ints(n, "axes", axes);
  set_int(n, "keepdims", keep);
}

void pad(const Context& c) {
  const Ints& p = c.ints("pad_hw");  // top, left, bottom, right
  const int64_t rank = c.in_shape(0).dim();
  Ints pads(static_cast<size_t>(2 * rank), 0);
  pads[static_cast<size_t>(rank - 2)] = p[0], pads[static_cast<size_t>(rank - 1)] = p[1];
  pads[static_cast<size_t>(2 * rank - 2)] = p[2], pads[static_cast<size_t>(2 * rank - 1)] = p[3];
  if (std::any_of(pads.begin(), pads.end(), [](int64_t v) { return v < 0; })) c.refuse("negative padding (a crop)");
  if (c.g.opset() < 11) {
    set_ints(c.node("Pad", {c.in(0)}), "pads", pads);
    return;
  }
  c.node("Pad", {c.in(0), c.g.constant_i64(pads)});
}

void unary(const Context& c, const std::string& type) { c.node(type, {c.in(0)}); }
void binary(const Context& c, const std::string& type) { c.node(type, {c.in(0), c.in(1)}); }

using Converter = std::function<void(const Context&)>;

const std::map<std::string, Converter>& converters() {
  static const std::map<std::string, Converter> table = {
      {"Conv2dBackward", [](const Context& c) { conv(c, false); }},
      {"ConvTranspose2dBackward", [](const Context& c) { conv(c, true); }},
      {"NativeBatchNormBackward", batch_norm},
      {"LinearBackward", linear},
      {"MmBackward", [](const Context& c) { binary(c, "MatMul"); }},
      {"AddBackward", [](const Context& c) { binary(c, "Add"); }},
      {"SubBackward", [](const Context& c) { binary(c, "Sub"); }},
      {"MulBackward", [](const Context& c) { binary(c, "Mul"); }},
      {"DivBackward", [](const Context& c) { binary(c, "Div"); }},
      {"MaximumBackward", [](const Context& c) { binary(c, "Max"); }},
      {"MinimumBackward", [](const Context& c) { binary(c, "Min"); }},
      {"ReluBackward", [](const Context& c) { unary(c, "Relu"); }},
      {"LeakyReluBackward",
       [](const Context& c) { set_float(c.node("LeakyRelu", {c.in(0)}), "alpha", static_cast<float>(c.real("alpha"))); }},
      {"Relu6Backward", [](const Context& c) { clip(c, 0.f, 6.f); }},
      {"ClampBackward",
       [](const Context& c) { clip(c, static_cast<float>(c.real("alpha")), static_cast<float>(c.real("beta"))); }},
      {"SigmoidBackward", [](const Context& c) { unary(c, "Sigmoid"); }},
      {"TanhBackward", [](const Context& c) { unary(c, "Tanh"); }},
      {"SiluBackward", [](const Context& c) { gated(c, "Sigmoid"); }},
      {"HardsigmoidBackward",
       [](const Context& c) {
         auto& n = c.node("HardSigmoid", {c.in(0)});
         set_float(n, "alpha", 1.f / 6.f);
         set_float(n, "beta", 0.5f);
       }},
      {"HardswishBackward",
       [](const Context& c) {
         if (c.g.opset() >= 14) return unary(c, "HardSwish");
         gated(c, "HardSigmoid", 1.f / 6.f, 0.5f);
       }},
      {"EluBackward",
       [](const Context& c) { set_float(c.node("Elu", {c.in(0)}), "alpha", static_cast<float>(c.real("alpha"))); }},
      {"SeluBackward", [](const Context& c) { unary(c, "Selu"); }},
      {"MishBackward", mish},
      {"PreluBackward", prelu},
      {"NegBackward", [](const Context& c) { unary(c, "Neg"); }},
      {"ExpBackward", [](const Context& c) { unary(c, "Exp"); }},
      {"LogBackward", [](const Context& c) { unary(c, "Log"); }},
      {"SqrtBackward", [](const Context& c) { unary(c, "Sqrt"); }},
      {"AbsBackward", [](const Context& c) { unary(c, "Abs"); }},
      {"PowBackward",
       [](const Context& c) { c.node("Pow", {c.in(0), c.g.scalar_f32(static_cast<float>(c.real("alpha")))}); }},
      {"MaxPool2DWithIndicesBackward", [](const Context& c) { pool(c, "MaxPool"); }},
      {"AvgPool2DBackward", [](const Context& c) { pool(c, "AveragePool"); }},
      {"AdaptiveAvgPool2DBackward", [](const Context& c) { adaptive_pool(c, false); }},
      {"AdaptiveMaxPool2DBackward", [](const Context& c) { adaptive_pool(c, true); }},
      {"ViewBackward", reshape},
      {"SqueezeBackward", reshape},
      {"PermuteBackward", [](const Context& c) { set_ints(c.node("Transpose", {c.in(0)}), "perm", c.ints("perm")); }},
      {"CloneBackward", [](const Context& c) { unary(c, "Identity"); }},
      {"ExpandBackward",
       [](const Context& c) {
         Ints shape = c.op.output.shape().dims();
         if (c.dynamic_batch && !shape.empty() && c.in_shape(0).dim() == static_cast<int64_t>(shape.size()))
           shape[0] = 1;  // Expand broadcasts: 1 keeps the input's (batch) size
         c.node("Expand", {c.in(0), c.g.constant_i64(shape)});
       }},
      {"SliceBackward", slice},
      {"CatBackward",
       [](const Context& c) {
         std::vector<std::string> inputs;
         for (size_t i = 0; i < c.op.inputs.size(); ++i) inputs.push_back(c.in(i));
         set_int(c.node("Concat", inputs), "axis", c.ints("axis")[0]);
       }},
      {"SoftmaxBackward", [](const Context& c) { softmax(c, "Softmax"); }},
      {"LogSoftmaxBackward", [](const Context& c) { softmax(c, "LogSoftmax"); }},
      {"MeanBackward", [](const Context& c) { reduce(c, "ReduceMean"); }},
      {"SumBackward", [](const Context& c) { reduce(c, "ReduceSum"); }},
      {"ConstantPadNdBackward", pad},
      {"LocalResponseNormBackward",
       [](const Context& c) {
         auto& n = c.node("LRN", {c.in(0)});
         set_int(n, "size", c.ints("size")[0]);
         set_float(n, "alpha", static_cast<float>(c.real("alpha")));
         set_float(n, "beta", static_cast<float>(c.real("beta")));
         set_float(n, "bias", static_cast<float>(c.real("bias")));
       }},
  };
  return table;
}

}  // namespace

void convert_op(const TracedOp& op, Graph& graph, const std::string& output, const std::string& where,
                bool dynamic_batch) {
  const Context c{op, graph, output, where, dynamic_batch};
  const auto& table = converters();
  auto it = table.find(op.name);
  if (it == table.end()) c.refuse("no ONNX form is written for this op (docs/deploy.md lists the ops exported)");
  if (op.output.dtype() != DType::f32) c.refuse(fmt::format("its output is {}, not f32", dtype_name(op.output.dtype())));
  it->second(c);
}

}  // namespace cnn::onnx
