// int8 versions of Conv2d and Linear for post-training quantisation (quantize.h): weights int8 per output
// channel (scale max|w_k| / 127), inputs int8 per tensor with a calibrated scale, int32 sums, f32 output and bias.
// Inference only. Usage: model->replace("fc1", QuantizedLinear(fc1, /*input_scale=*/0.02));
#pragma once

#include <cnn/layers.h>
#include <cnn/module.h>

namespace cnn {

/// Per output channel: scale[k] = max|w_k| / 127 (1 for an all-zero channel) and int8 round(w / scale[k]).
std::pair<Tensor, Tensor> quantize_weight_per_channel(const Tensor& w);

/// Buffers (state_dict): weight int8 [K, C/groups, R, S], weight_scale [K], bias [K] (when the conv has one),
/// input_scale [] (f32).
class QuantizedConv2d : public Module {
 public:
  /// conv's weights quantised, inputs quantised with input_scale (> 0).
  QuantizedConv2d(const Conv2d& conv, double input_scale);
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "QuantizedConv2d"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;
  std::optional<WindowGeometry> geometry() const override;
  double input_scale() const { return input_scale_.item(); }
  const Conv2dOptions& conv_options() const { return options_; }

  Tensor weight, weight_scale, bias;

 private:
  Tensor input_scale_;
  Conv2dOptions options_;
  std::string conv_repr_;
};

/// Buffers: weight int8 [O, I], weight_scale [O], bias [O] (when the layer has one), input_scale [].
class QuantizedLinear : public Module {
 public:
  QuantizedLinear(const Linear& linear, double input_scale);
  /// x [*, I] -> [*, O].
  Tensor forward(const Tensor& x) override;
  std::string type_name() const override { return "QuantizedLinear"; }
  std::string extra_repr() const override;
  Shape output_shape(const Shape& in) const override;
  int64_t macs(const Shape& in) const override;
  double input_scale() const { return input_scale_.item(); }

  Tensor weight, weight_scale, bias;

 private:
  Tensor input_scale_;
};

}  // namespace cnn
