// The ONNX graph under construction: value names for traced tensors (graph input, initializers by state_dict
// name, node outputs, constants), and nodes with attributes. Not the op mapping (ops.cpp) nor tracing.
#pragma once

#include <cnn/tensor.h>
#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace cnn::onnx {

class Graph {
 public:
  Graph(::onnx::GraphProto* proto, int64_t opset) : proto_(proto), opset_(opset) {}

  int64_t opset() const { return opset_; }
  /// Names `t` (by its TensorImpl) as `name`: the graph input, an initializer or a node's output.
  void bind(const Tensor& t, const std::string& name) { names_[t.impl()] = name; }
  /// Adds `t` as an initializer called `name` (f32 or i64, contiguous copy) and binds it.
  void add_initializer(const Tensor& t, const std::string& name);
  /// The value name of `t`: bound before, else a new constant initializer holding its current values.
  std::string value(const Tensor& t);
  bool bound(const Tensor& t) const { return names_.count(t.impl()) != 0; }

  /// Constants made on demand (initializers named "const_N").
  std::string constant_i64(const std::vector<int64_t>& values);
  std::string constant_f32(const std::vector<float>& values, const std::vector<int64_t>& dims);
  std::string scalar_f32(float value) { return constant_f32({value}, {}); }

  /// A new node; returns it for attributes. `name` is the node's name (the module it came from, when known).
  ::onnx::NodeProto& node(const std::string& type, const std::vector<std::string>& inputs,
                          const std::vector<std::string>& outputs, const std::string& name);
  /// A fresh value name for an intermediate result.
  std::string temp(const std::string& hint);

  const std::map<std::string, int64_t>& op_counts() const { return op_counts_; }

 private:
  ::onnx::GraphProto* proto_;
  int64_t opset_;
  std::unordered_map<const TensorImpl*, std::string> names_;
  std::map<std::string, int64_t> op_counts_;
  std::map<std::string, int> node_names_;
  int64_t next_ = 0;
};

void set_ints(::onnx::NodeProto& node, const std::string& name, const std::vector<int64_t>& values);
void set_int(::onnx::NodeProto& node, const std::string& name, int64_t value);
void set_float(::onnx::NodeProto& node, const std::string& name, float value);

}  // namespace cnn::onnx
