// ONNX export (see onnx.h): trace one eval-mode forward, keep the ops the output depends on, convert each
// (ops.cpp), then onnx::checker and shape inference, whose output shape must be the traced one.
#include <cnn/atomic_file.h>
#include <cnn/autograd.h>
#include <cnn/error.h>
#include <cnn/onnx.h>
#include <cnn/trace.h>
#include <fmt/format.h>
#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include <unordered_map>
#include <unordered_set>

#include "onnx/graph.h"
#include "onnx/ops.h"

namespace cnn::onnx {

namespace {

// The IR version that goes with an opset (onnx/helper.py's VERSION_TABLE).
int64_t ir_version(int64_t opset) {
  if (opset <= 9) return 4;
  if (opset == 10) return 5;
  if (opset == 11) return 6;
  if (opset <= 14) return 7;
  return 8;
}

void set_value_info(::onnx::ValueInfoProto* v, const std::string& name, const Shape& shape, bool dynamic_batch) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(::onnx::TensorProto::FLOAT);
  auto* s = t->mutable_shape();
  for (int64_t i = 0; i < shape.dim(); ++i) {
    auto* d = s->add_dim();
    if (i == 0 && dynamic_batch)
      d->set_dim_param("N");
    else
      d->set_dim_value(shape[i]);
  }
}

std::string storage_key(const Tensor& t) {
  return fmt::format("{}|{}|{}|{}", static_cast<const void*>(t.impl()->storage.get()), t.storage_offset(), t.shape(),
                     fmt::join(t.strides(), ","));
}

// Ops (indices into the trace) that the output depends on, in trace (= execution) order.
std::vector<size_t> needed_ops(const std::vector<TracedOp>& ops, const Tensor& output) {
  std::unordered_map<const TensorImpl*, size_t> producer;
  for (size_t i = 0; i < ops.size(); ++i) producer[ops[i].output.impl()] = i;
  std::vector<bool> needed(ops.size(), false);
  std::vector<const TensorImpl*> stack{output.impl()};
  std::unordered_set<const TensorImpl*> seen;
  while (!stack.empty()) {
    const TensorImpl* t = stack.back();
    stack.pop_back();
    if (!seen.insert(t).second) continue;
    auto it = producer.find(t);
    if (it == producer.end()) continue;
    needed[it->second] = true;
    for (const Tensor& in : ops[it->second].inputs)
      if (in.defined()) stack.push_back(in.impl());
    for (const Tensor& in : ops[it->second].attributes.tensors)
      if (in.defined()) stack.push_back(in.impl());
  }
  std::vector<size_t> order;
  for (size_t i = 0; i < ops.size(); ++i)
    if (needed[i]) order.push_back(i);
  return order;
}

void check_and_infer(::onnx::ModelProto& model, const Shape& expected, bool dynamic_batch) {
  try {
    ::onnx::checker::check_model(model);
    ::onnx::ShapeInferenceOptions options{true, 1, false};
    ::onnx::shape_inference::InferShapes(model, ::onnx::OpSchemaRegistry::Instance(), options);
  } catch (const std::exception& e) {
    throw Error(fmt::format("onnx export: the written model does not pass onnx::checker / shape inference: {}",
                            e.what()));
  }
  const auto& dims = model.graph().output(0).type().tensor_type().shape().dim();
  std::vector<std::string> got;
  for (const auto& d : dims) got.push_back(d.has_dim_value() ? std::to_string(d.dim_value()) : d.dim_param());
  std::vector<std::string> want;
  for (int64_t i = 0; i < expected.dim(); ++i)
    want.push_back(i == 0 && dynamic_batch ? "N" : std::to_string(expected[i]));
  CNN_CHECK(got == want, "onnx export: shape inference gives output [{}], the traced model gives [{}]",
            fmt::join(got, ", "), fmt::join(want, ", "));
}

}  // namespace

std::string export_model_bytes(Module& model, const Tensor& example, const ExportOptions& options,
                               ExportSummary* summary) {
  CNN_CHECK(options.opset >= 9 && options.opset <= 17, "onnx export: opset must be 9 to 17, got {}", options.opset);
  CNN_CHECK(example.dim() == 4 && example.dtype() == DType::f32,
            "onnx export: expected an example input [N, C, H, W] of f32, got {} {}", dtype_name(example.dtype()),
            example.shape());
  const bool was_training = model.is_training();
  model.eval();
  const Tensor x = example.detach().contiguous();
  Tensor y;
  std::vector<TracedOp> ops;
  std::unordered_map<const void*, std::string> module_names;
  for (auto& [name, m] : model.named_modules()) module_names.emplace(m, name);
  try {
    NoGradGuard no_grad;
    TraceRecorder trace;
    y = model(x);
    ops = trace.ops();
  } catch (...) {
    if (was_training) model.train();
    throw;
  }
  if (was_training) model.train();
  CNN_CHECK(y.defined() && y.dtype() == DType::f32, "onnx export: the model's output is not an f32 tensor");

  ::onnx::ModelProto proto;
  proto.set_ir_version(ir_version(options.opset));
  proto.set_producer_name("cnnkit");
  proto.set_producer_version("0.1.0");
  auto* opset = proto.add_opset_import();
  opset->set_domain("");
  opset->set_version(options.opset);
  ::onnx::GraphProto* graph = proto.mutable_graph();
  graph->set_name(model.type_name());
  Graph g(graph, options.opset);

  set_value_info(graph->add_input(), options.input_name, x.shape(), options.dynamic_batch);
  g.bind(x, options.input_name);
  // Parameters and buffers become initializers under their state_dict names when an op uses them.
  // Keyed by storage, offset and shape: state_dict() hands out detached handles on the same memory.
  std::unordered_map<std::string, std::pair<std::string, Tensor>> state;
  for (const auto& [name, t] : model.state_dict()) state.emplace(storage_key(t), std::make_pair(name, t));
  std::unordered_set<std::string> param_names;
  for (const auto& [name, t] : model.named_parameters()) param_names.insert(name);
  const std::vector<size_t> order = needed_ops(ops, y);
  CNN_CHECK(!order.empty(), "onnx export: the output was not computed by traced ops");
  int64_t parameters = 0, initializers = 0;
  std::unordered_set<std::string> added;
  for (size_t i : order) {
    const TracedOp& op = ops[i];
    for (const std::vector<Tensor>* list : {&op.inputs, &op.attributes.tensors})
      for (const Tensor& t : *list) {
        auto it = t.defined() && !g.bound(t) ? state.find(storage_key(t)) : state.end();
        if (it == state.end()) continue;
        if (!added.insert(it->second.first).second) {  // another handle on a tensor already written (shared weights)
          g.bind(t, it->second.first);
          continue;
        }
        g.add_initializer(t, it->second.first);
        if (param_names.count(it->second.first)) parameters += t.numel();
        ++initializers;
      }
    const bool last = op.output.is_same(y);
    auto scope = module_names.find(op.scope);
    const std::string where = scope == module_names.end() ? "" : scope->second;
    const std::string out = last ? options.output_name : g.temp(where.empty() ? "t" : where);
    convert_op(op, g, out, where, options.dynamic_batch);
    g.bind(op.output, out);
  }
  set_value_info(graph->add_output(), options.output_name, y.shape(), options.dynamic_batch);
  check_and_infer(proto, y.shape(), options.dynamic_batch);

  if (summary) {
    summary->op_counts = g.op_counts();
    summary->nodes = graph->node_size();
    summary->initializers = initializers;
    summary->parameters = parameters;
    summary->input = x.shape();
    summary->output = y.shape();
  }
  std::string bytes;
  CNN_CHECK(proto.SerializeToString(&bytes), "onnx export: protobuf could not serialize the model");
  return bytes;
}

ExportSummary export_model(Module& model, const Tensor& example, const std::string& path, const ExportOptions& options) {
  ExportSummary summary;
  const std::string bytes = export_model_bytes(model, example, options, &summary);
  write_file_atomic(path, bytes, "onnx export");
  return summary;
}

}  // namespace cnn::onnx
