// The ONNX graph under construction (see graph.h).
#include "onnx/graph.h"

#include <cnn/error.h>
#include <fmt/format.h>

#include <cstring>

namespace cnn::onnx {

namespace {

void fill_tensor(::onnx::TensorProto* out, const Tensor& t, const std::string& name) {
  out->set_name(name);
  for (int64_t d : t.shape().dims()) out->add_dims(d);
  const Tensor c = t.detach().contiguous();
  if (c.dtype() == DType::f32) {
    out->set_data_type(::onnx::TensorProto::FLOAT);
    out->set_raw_data(std::string(reinterpret_cast<const char*>(c.data<float>()),
                                  static_cast<size_t>(c.numel()) * sizeof(float)));
  } else if (c.dtype() == DType::i64) {
    out->set_data_type(::onnx::TensorProto::INT64);
    out->set_raw_data(std::string(reinterpret_cast<const char*>(c.data<int64_t>()),
                                  static_cast<size_t>(c.numel()) * sizeof(int64_t)));
  } else {
    throw Error(fmt::format("onnx export: initializer {} has dtype {}; only f32 and i64 are written", name,
                            dtype_name(c.dtype())));
  }
}

}  // namespace

void Graph::add_initializer(const Tensor& t, const std::string& name) {
  fill_tensor(proto_->add_initializer(), t, name);
  bind(t, name);
}

std::string Graph::value(const Tensor& t) {
  CNN_CHECK(t.defined(), "onnx export: an op input is undefined");
  auto it = names_.find(t.impl());
  if (it != names_.end()) return it->second;
  const std::string name = fmt::format("const_{}", next_++);
  add_initializer(t, name);
  return name;
}

std::string Graph::constant_i64(const std::vector<int64_t>& values) {
  const std::string name = fmt::format("const_{}", next_++);
  ::onnx::TensorProto* out = proto_->add_initializer();
  out->set_name(name);
  out->add_dims(static_cast<int64_t>(values.size()));
  out->set_data_type(::onnx::TensorProto::INT64);
  out->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t)));
  return name;
}

std::string Graph::constant_f32(const std::vector<float>& values, const std::vector<int64_t>& dims) {
  const std::string name = fmt::format("const_{}", next_++);
  ::onnx::TensorProto* out = proto_->add_initializer();
  out->set_name(name);
  for (int64_t d : dims) out->add_dims(d);
  out->set_data_type(::onnx::TensorProto::FLOAT);
  out->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
  return name;
}

::onnx::NodeProto& Graph::node(const std::string& type, const std::vector<std::string>& inputs,
                               const std::vector<std::string>& outputs, const std::string& name) {
  ::onnx::NodeProto* n = proto_->add_node();
  n->set_op_type(type);
  const std::string base = name.empty() ? type : name + "/" + type;
  const int k = node_names_[base]++;
  n->set_name(k == 0 ? base : fmt::format("{}_{}", base, k));
  for (const std::string& i : inputs) n->add_input(i);
  for (const std::string& o : outputs) n->add_output(o);
  ++op_counts_[type];
  return *n;
}

std::string Graph::temp(const std::string& hint) { return fmt::format("{}_{}", hint, next_++); }

void set_ints(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values) {
  ::onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INTS);
  for (int64_t v : values) a->add_ints(v);
}

void set_int(::onnx::NodeProto& node, const std::string& name, int64_t value) {
  ::onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::INT);
  a->set_i(value);
}

void set_float(::onnx::NodeProto& node, const std::string& name, float value) {
  ::onnx::AttributeProto* a = node.add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_f(value);
}

}  // namespace cnn::onnx
