// RefBackend: clean, minimal, reference kernels in plain loops; no intrinsics, no threads.
// It is the specification and the test oracle for every other backend. One file per family (ref_*.cpp),
// forward next to backward. Kernels read any strides by asking for contiguous copies of their inputs.
#pragma once

#include <cnn/backend.h>

namespace cnn {

class RefBackend : public Backend {
 public:
  std::string name() const override { return "ref"; }

  // ref_conv.cpp
  Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) override;
  Tensor conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvParams& p) override;
  std::pair<Tensor, Tensor> conv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                    bool with_bias, const ConvParams& p) override;
  // ref_deconv.cpp
  Tensor deconv2d_forward(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p) override;
  Tensor deconv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const ConvParams& p) override;
  std::pair<Tensor, Tensor> deconv2d_backward_weights(const Tensor& dy, const Tensor& x, const Shape& w_shape,
                                                      bool with_bias, const ConvParams& p) override;
  // ref_int8.cpp
  Tensor quantize_int8(const Tensor& x, float scale) override;
  Tensor conv2d_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b,
                             const ConvParams& p) override;
  Tensor linear_int8_forward(const Tensor& xq, const Tensor& wq, const Tensor& scales, const Tensor& b) override;
  // ref_linear.cpp
  Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) override;
  Tensor linear_backward_data(const Tensor& dy, const Tensor& w) override;
  std::pair<Tensor, Tensor> linear_backward_weights(const Tensor& dy, const Tensor& x, bool with_bias) override;
  Tensor matmul(const Tensor& a, const Tensor& b, bool trans_a, bool trans_b) override;
  // ref_pool.cpp
  std::pair<Tensor, Tensor> pool2d_forward(const Tensor& x, const PoolParams& p) override;
  Tensor pool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape, const PoolParams& p) override;
  std::pair<Tensor, Tensor> adaptive_pool2d_forward(const Tensor& x, bool is_max, int64_t out_h,
                                                    int64_t out_w) override;
  Tensor adaptive_pool2d_backward(const Tensor& dy, const Tensor& indices, bool is_max, const Shape& x_shape) override;
  // ref_unpool.cpp
  Tensor max_unpool2d_forward(const Tensor& x, const Tensor& indices, int64_t out_h, int64_t out_w) override;
  Tensor max_unpool2d_backward(const Tensor& dy, const Tensor& indices) override;
  // ref_norm.cpp
  BatchNormStats batchnorm_forward_training(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                            double eps) override;
  Tensor batchnorm_forward_inference(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& mean,
                                     const Tensor& var, double eps) override;
  BatchNormGrads batchnorm_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& mean,
                                    const Tensor& invstd, bool need_dx, bool need_affine) override;
  // ref_lrn.cpp
  Tensor lrn_forward(const Tensor& x, const LrnParams& p) override;
  Tensor lrn_backward(const Tensor& dy, const Tensor& x, const LrnParams& p) override;
  // ref_resampling.cpp
  Tensor resampling_forward(const Tensor& x, const ResamplingParams& p) override;
  Tensor resampling_backward(const Tensor& dy, const Shape& x_shape, const ResamplingParams& p) override;
  // ref_eltwise.cpp
  Tensor eltwise_forward(const Tensor& x, const EltwiseParams& p) override;
  Tensor eltwise_backward(const Tensor& dy, const Tensor& x, const Tensor& y, const EltwiseParams& p) override;
  Tensor binary(BinaryKind kind, const Tensor& a, const Tensor& b) override;
  // ref_prelu.cpp
  Tensor prelu_forward(const Tensor& x, const Tensor& w) override;
  PreluGrads prelu_backward(const Tensor& dy, const Tensor& x, const Tensor& w, bool need_dx, bool need_dw) override;
  // ref_reduce.cpp
  Tensor reduce(ReduceKind kind, const Tensor& x, const std::vector<int64_t>& dims, bool keepdim) override;
  std::pair<Tensor, Tensor> arg_reduce(bool is_max, const Tensor& x, int64_t dim, bool keepdim) override;
  Tensor scatter_add(const Tensor& src, const Tensor& indices, int64_t dim, const Shape& out_shape) override;
  // ref_softmax.cpp
  Tensor softmax_forward(const Tensor& x, int64_t dim, bool log) override;
  Tensor softmax_backward(const Tensor& dy, const Tensor& y, int64_t dim, bool log) override;
  Tensor nll_forward(const Tensor& logp, const Tensor& target, double label_smoothing, int64_t ignore_index) override;
  Tensor nll_backward(const Tensor& dloss, const Tensor& target, int64_t num_classes, double label_smoothing,
                      int64_t ignore_index) override;
};

}  // namespace cnn
