// fuse_conv_bn (see fuse.h): one traced forward pass names each op's module (TraceScope), so a Conv2dBackward
// op feeding only a NativeBatchNormBackward op identifies a (Conv2d, BatchNorm2d) pair wherever it sits. The
// batch norm is marked folded rather than replaced: blocks call their children through typed members.
#include <cnn/autograd.h>
#include <cnn/batchnorm.h>
#include <cnn/fuse.h>
#include <cnn/layers.h>
#include <cnn/trace.h>

#include <cmath>
#include <unordered_map>

namespace cnn {

namespace {

void fold(Conv2d& conv, const BatchNorm2d& bn) {
  const int64_t K = conv.out_channels();
  const Tensor mean = bn.running_mean.contiguous(), var = bn.running_var.contiguous();
  const Tensor gamma = bn.weight.defined() ? bn.weight.detach().contiguous() : Tensor();
  const Tensor beta = bn.bias.defined() ? bn.bias.detach().contiguous() : Tensor();
  Tensor w = conv.weight.detach().contiguous().clone();
  Tensor b = conv.bias.defined() ? conv.bias.detach().contiguous().clone() : zeros({K});
  const int64_t per = w.numel() / K;
  const double eps = bn.options().eps;
  for (int64_t k = 0; k < K; ++k) {
    const double g = gamma.defined() ? gamma.data<float>()[k] : 1.0;
    const double scale = g / std::sqrt(static_cast<double>(var.data<float>()[k]) + eps);
    for (int64_t i = 0; i < per; ++i) w.data<float>()[k * per + i] = static_cast<float>(w.data<float>()[k * per + i] * scale);
    const double shift = beta.defined() ? beta.data<float>()[k] : 0.0;
    b.data<float>()[k] = static_cast<float>((b.data<float>()[k] - mean.data<float>()[k]) * scale + shift);
  }
  conv.weight.detach().copy_(w);
  conv.bias = conv.register_parameter("bias", b);
}

}  // namespace

int64_t fuse_conv_bn(Module& model, const Shape& input) {
  CNN_CHECK(!model.is_training(), "fuse_conv_bn: {} is in training mode; call eval() first (batch norm is folded "
            "with its running statistics)", model.type_name());
  CNN_CHECK(input.dim() == 4, "fuse_conv_bn: expected an input shape [N, C, H, W], got {}", input);
  std::vector<TracedOp> ops;
  {
    NoGradGuard no_grad;
    TraceRecorder trace;
    const Tensor y = model(zeros(input));
    ops = trace.ops();
    ops.push_back(TracedOp{"output", {y}, Tensor(), {}, nullptr});  // the model's output counts as a use
  }
  std::unordered_map<const TensorImpl*, int> uses;
  std::unordered_map<const TensorImpl*, size_t> producer;
  std::unordered_map<const void*, int> conv_calls;
  for (size_t i = 0; i < ops.size(); ++i) {
    for (const Tensor& t : ops[i].inputs)
      if (t.defined()) ++uses[t.impl()];
    if (ops[i].output.defined()) producer[ops[i].output.impl()] = i;
    if (ops[i].name == "Conv2dBackward") ++conv_calls[ops[i].scope];
  }
  std::vector<std::pair<Conv2d*, BatchNorm2d*>> pairs;
  for (const TracedOp& op : ops) {
    if (op.name != "NativeBatchNormBackward" || !op.inputs[0].defined()) continue;
    auto p = producer.find(op.inputs[0].impl());
    if (p == producer.end() || ops[p->second].name != "Conv2dBackward") continue;
    const TracedOp& conv_op = ops[p->second];
    auto* conv = static_cast<Module*>(const_cast<void*>(conv_op.scope));
    auto* bn = static_cast<Module*>(const_cast<void*>(op.scope));
    auto* c = dynamic_cast<Conv2d*>(conv);
    auto* b = dynamic_cast<BatchNorm2d*>(bn);
    if (c == nullptr || b == nullptr || b->folded() || uses[conv_op.output.impl()] != 1 || conv_calls[conv] != 1)
      continue;
    pairs.emplace_back(c, b);
  }
  for (auto& [c, b] : pairs) {
    fold(*c, *b);
    b->mark_folded();
  }
  return static_cast<int64_t>(pairs.size());
}

}  // namespace cnn
