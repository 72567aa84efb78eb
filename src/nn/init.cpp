// torch.nn.init's initialisers: fans, gains, Kaiming, Xavier, uniform, normal and constants, all in place.
// Not layer-specific: Conv2d and Linear call these from their reset_parameters.
#include <cnn/autograd.h>
#include <cnn/init.h>

#include <cmath>

namespace cnn::init {

namespace {

thread_local bool skip_init = false;

Tensor fill_random(const Tensor& t, const Tensor& values) {
  NoGradGuard no_grad;
  Tensor(t).copy_(values);
  return t;
}

int64_t correct_fan(const Tensor& t, const std::string& mode) {
  CNN_CHECK(mode == "fan_in" || mode == "fan_out", "init: mode {} not supported, please use one of fan_in, fan_out",
            mode);
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return mode == "fan_in" ? fan_in : fan_out;
}

double kaiming_std(const Tensor& t, const KaimingOptions& o) {
  const int64_t fan = correct_fan(t, o.mode);
  CNN_CHECK(fan > 0, "init: kaiming initialisation needs a non-zero {} (tensor of shape {})", o.mode, t.shape());
  return calculate_gain(o.nonlinearity, o.a) / std::sqrt(static_cast<double>(fan));
}

}  // namespace

SkipInitGuard::SkipInitGuard() : previous_(skip_init) { skip_init = true; }
SkipInitGuard::~SkipInitGuard() { skip_init = previous_; }
bool is_init_skipped() { return skip_init; }

std::pair<int64_t, int64_t> calculate_fan_in_and_fan_out(const Tensor& t) {
  CNN_CHECK(t.defined() && t.dim() >= 2,
            "init: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got {})",
            t.defined() ? t.shape().str() : std::string("undefined"));
  int64_t receptive_field = 1;
  for (int64_t d = 2; d < t.dim(); ++d) receptive_field *= t.size(d);
  return {t.size(1) * receptive_field, t.size(0) * receptive_field};
}

double calculate_gain(const std::string& nonlinearity, std::optional<double> param) {
  static const char* const linear_fns[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                           "conv_transpose2d", "conv_transpose3d", "sigmoid"};
  for (const char* name : linear_fns)
    if (nonlinearity == name) return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") {
    const double slope = param.value_or(0.01);
    return std::sqrt(2.0 / (1.0 + slope * slope));
  }
  if (nonlinearity == "selu") return 3.0 / 4.0;
  CNN_CHECK(false, "calculate_gain: unsupported nonlinearity {} (expected linear, conv2d, sigmoid, tanh, relu, "
            "leaky_relu or selu)", nonlinearity);
  return 1.0;
}

Tensor kaiming_uniform_(const Tensor& t, const KaimingOptions& options) {
  if (t.numel() == 0) return t;
  const double bound = std::sqrt(3.0) * kaiming_std(t, options);
  return uniform_(t, -bound, bound);
}

Tensor kaiming_normal_(const Tensor& t, const KaimingOptions& options) {
  if (t.numel() == 0) return t;
  return normal_(t, 0.0, kaiming_std(t, options));
}

Tensor xavier_uniform_(const Tensor& t, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  const double bound = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  return uniform_(t, -bound, bound);
}

Tensor xavier_normal_(const Tensor& t, double gain) {
  const auto [fan_in, fan_out] = calculate_fan_in_and_fan_out(t);
  return normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

Tensor uniform_(const Tensor& t, double a, double b) {
  CNN_CHECK(t.defined(), "init::uniform_: tensor is undefined");
  if (skip_init) return t;
  return fill_random(t, rand(t.shape(), a, b));
}

Tensor normal_(const Tensor& t, double mean, double std) {
  CNN_CHECK(t.defined(), "init::normal_: tensor is undefined");
  if (skip_init) return t;
  return fill_random(t, randn(t.shape(), mean, std));
}

Tensor trunc_normal_(const Tensor& t, double mean, double std, double a, double b) {
  CNN_CHECK(t.defined(), "init::trunc_normal_: tensor is undefined");
  CNN_CHECK(a < b && mean >= a - 2 * std && mean <= b + 2 * std,
            "init::trunc_normal_: mean {} is more than 2 std from [a, b] = [{}, {}]; the values would be skewed", mean,
            a, b);
  if (skip_init) return t;
  Tensor values = randn(t.shape(), mean, std);
  float* v = values.data<float>();
  for (int64_t i = 0; i < values.numel(); ++i)
    while (v[i] < a || v[i] > b) v[i] = static_cast<float>(randn({1}, mean, std).item());
  return fill_random(t, values);
}

Tensor constant_(const Tensor& t, double value) {
  CNN_CHECK(t.defined(), "init::constant_: tensor is undefined");
  if (skip_init) return t;
  Tensor(t).fill_(value);
  return t;
}
Tensor zeros_(const Tensor& t) { return constant_(t, 0.0); }
Tensor ones_(const Tensor& t) { return constant_(t, 1.0); }

}  // namespace cnn::init
