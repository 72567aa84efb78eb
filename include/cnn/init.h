// torch.nn.init: in-place initialisers drawing from cnn's global generator, run under NoGradGuard.
// Not PyTorch's bit stream: statistics match PyTorch's formulas, the numbers themselves do not.
#pragma once

#include <cnn/tensor.h>

#include <optional>
#include <string>
#include <utility>

namespace cnn::init {

/// While alive (on this thread), every initialiser below leaves its tensor as it is, as PyTorch's
/// torch.nn.utils.skip_init: for models whose weights are loaded or overwritten right after building, where
/// drawing ~100M random numbers (VGG) would cost seconds. Usage: { init::SkipInitGuard skip; m = models::vgg16(); }
class SkipInitGuard {
 public:
  SkipInitGuard();
  ~SkipInitGuard();
  SkipInitGuard(const SkipInitGuard&) = delete;
  SkipInitGuard& operator=(const SkipInitGuard&) = delete;

 private:
  bool previous_;
};
/// Whether a SkipInitGuard is alive on this thread.
bool is_init_skipped();

/// {fan_in, fan_out} of a weight: [out, in] or [out, in/groups, kh, kw] (times the receptive field size).
std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t);
/// The recommended gain for a nonlinearity ("linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu",
/// "selu"); `param` is leaky_relu's negative slope (default 0.01). Usage: calculate_gain("leaky_relu", 0.2)
double calculate_gain(const std::string& nonlinearity, std::optional<double> param = std::nullopt);

/// Kaiming options, as PyTorch's keyword arguments. Usage: kaiming_normal_(w, {.mode = "fan_out", .nonlinearity = "relu"})
struct KaimingOptions {
  double a = 0.0;
  std::string mode = "fan_in";
  std::string nonlinearity = "leaky_relu";
};
/// Uniform on [-b, b], b = gain * sqrt(3 / fan).
Tensor kaiming_uniform_(const Tensor& t, const KaimingOptions& options = {});
/// Normal with std = gain / sqrt(fan).
Tensor kaiming_normal_(const Tensor& t, const KaimingOptions& options = {});
/// Uniform on [-b, b], b = gain * sqrt(6 / (fan_in + fan_out)).
Tensor xavier_uniform_(const Tensor& t, double gain = 1.0);
/// Normal with std = gain * sqrt(2 / (fan_in + fan_out)).
Tensor xavier_normal_(const Tensor& t, double gain = 1.0);

Tensor uniform_(const Tensor& t, double a = 0.0, double b = 1.0);
Tensor normal_(const Tensor& t, double mean = 0.0, double std = 1.0);
/// Normal(mean, std) redrawn until inside [a, b] (absolute bounds, as PyTorch). Usage: trunc_normal_(w, 0, 0.01)
Tensor trunc_normal_(const Tensor& t, double mean = 0.0, double std = 1.0, double a = -2.0, double b = 2.0);
Tensor constant_(const Tensor& t, double value);
Tensor zeros_(const Tensor& t);
Tensor ones_(const Tensor& t);

}  // namespace cnn::init
