// OneDnnBackend: RefBackend with the hot kernels overridden by oneDNN primitives (one file per family,
// onednn_*.cpp). Whatever oneDNN cannot express exactly as PyTorch does falls back to the reference.
// Activations keep their memory format; convolutions produce channels-last (see Note [Memory format]).
#pragma once

#include "backend/ref/ref_backend.h"

namespace cnn {

class OneDnnBackend : public RefBackend {
 public:
  std::string name() const override { return "onednn"; }
  bool supports_bf16() const override;
  BackendCounters counters() const override;
  void reset_counters() override;

  // onednn_conv.cpp
  Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) override;
  Tensor conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvParams& p) override;
  std::pair<Tensor, Tensor> conv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                    bool with_bias, const ConvParams& p) override;
  // onednn_deconv.cpp
  Tensor deconv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) override;
  Tensor deconv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvParams& p) override;
  std::pair<Tensor, Tensor> deconv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                      bool with_bias, const ConvParams& p) override;
  // onednn_int8.cpp
  Tensor quantize_int8(const Tensor& x, float scale) override;
  Tensor conv2d_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b,
                             const ConvParams& p) override;
  Tensor linear_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b) override;
  // onednn_linear.cpp
  Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) override;
  Tensor linear_backward_data(const Tensor& dy, const Tensor& w) override;
  std::pair<Tensor, Tensor> linear_backward_weights(const Tensor& dy, const Tensor& x, bool with_bias) override;
  Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) override;
  // onednn_pool.cpp
  std::pair<Tensor, Tensor> pool2d_forward(const Tensor& x, const PoolParams& p) override;
  Tensor pool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape, const PoolParams& p) override;
  std::pair<Tensor, Tensor> adaptive_pool2d_forward(const Tensor& x, bool is_max, int64_t out_h,
                                                    int64_t out_w) override;
  Tensor adaptive_pool2d_backward(const Tensor& dy, const Tensor& indices, bool is_max, const Shape& x_shape) override;
  // onednn_norm.cpp
  BatchNormStats batchnorm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            double eps) override;
  Tensor batchnorm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                     const Tensor& var, double eps) override;
  BatchNormGrads batchnorm_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                    const Tensor& invstd, bool need_dx, bool need_affine) override;
  // onednn_lrn.cpp
  Tensor lrn_forward(const Tensor& x, const LrnParams& p) override;
  Tensor lrn_backward(const Tensor& dy, const Tensor& x, const LrnParams& p) override;
  // onednn_eltwise.cpp
  Tensor eltwise_forward(const Tensor& x, const EltwiseParams& p) override;
  Tensor eltwise_backward(const Tensor& dy, const Tensor& x, const Tensor& y, const EltwiseParams& p) override;
  Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b) override;
  // onednn_prelu.cpp
  Tensor prelu_forward(const Tensor& x, const Tensor& w) override;
  PreluGrads prelu_backward(const Tensor& dy, const Tensor& x, const Tensor& w, bool need_dx, bool need_dw) override;
  // onednn_softmax.cpp
  Tensor softmax_forward(const Tensor& x, int64_t dim, bool log) override;
  Tensor softmax_backward(const Tensor& dy, const Tensor& y, int64_t dim, bool log) override;
};

}  // namespace cnn
