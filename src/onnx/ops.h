// One traced op (trace.h) as ONNX nodes: the table from autograd node names to ONNX op types and attributes,
// per opset. Not the graph walk (export.cpp).
#pragma once

#include <cnn/trace.h>

#include <string>

#include "onnx/graph.h"

namespace cnn::onnx {

/// Emits the nodes computing `op`, writing its result to `output`; `where` names the module it ran in (node
/// names, errors). Throws naming the op when ONNX (at the graph's opset) cannot express it.
void convert_op(const TracedOp& op, Graph& graph, const std::string& output, const std::string& where,
                bool dynamic_batch);

}  // namespace cnn::onnx
