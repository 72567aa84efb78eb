// Post-training int8 quantisation (see quantize.h): forward hooks record each Conv2d's and Linear's inputs on the
// calibration images; the layers are then replaced in place through Module::replace (Note [Replacing children]).
#include <cnn/autograd.h>
#include <cnn/layers_quantized.h>
#include <cnn/loader.h>
#include <cnn/quantize.h>
#include <cnn/random.h>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace cnn::quant {

namespace {

bool quantizable(const Module& m) {
  return dynamic_cast<const Conv2d*>(&m) != nullptr || dynamic_cast<const Linear*>(&m) != nullptr;
}

// What one layer's inputs looked like: the largest |x| and a strided sample of |x| (for percentiles).
struct Observed {
  double max_abs = 0;
  std::vector<float> sample;
};

void observe(Observed& o, const Tensor& x, bool keep_sample) {
  const Tensor c = x.detach().contiguous();
  const float* p = c.data<float>();
  const int64_t n = c.numel();
  for (int64_t i = 0; i < n; ++i) o.max_abs = std::max(o.max_abs, static_cast<double>(std::abs(p[i])));
  if (!keep_sample) return;
  const int64_t stride = std::max<int64_t>(1, n / 65536);
  for (int64_t i = 0; i < n; i += stride) o.sample.push_back(std::abs(p[i]));
}

double percentile_of(std::vector<float>& v, double pct) {
  if (v.empty()) return 0;
  const auto k = static_cast<size_t>(std::min<double>(static_cast<double>(v.size()) - 1,
                                                      std::ceil(pct / 100.0 * static_cast<double>(v.size())) - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

std::map<std::string, double> calibrate(Module& model, std::shared_ptr<const Dataset> data,
                                        const CalibrationOptions& o) {
  CNN_CHECK(o.method == "minmax" || o.method == "percentile",
            "quantize: calibration method must be minmax or percentile, got '{}'", o.method);
  CNN_CHECK(o.percentile > 0 && o.percentile <= 100, "quantize: percentile must be in (0, 100], got {}", o.percentile);
  CNN_CHECK(data && data->size() > 0, "quantize: the calibration dataset is empty");
  CNN_CHECK(o.images > 0, "quantize: calibration images must be positive, got {}", o.images);
  const int64_t count = std::min(o.images, data->size());
  Generator gen(o.seed);
  std::vector<int64_t> order(static_cast<size_t>(data->size()));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), gen.engine());
  order.resize(static_cast<size_t>(count));
  DataLoader loader(std::make_shared<SubsetDataset>(data, order),
                    {.batch_size = o.batch_size, .seed = o.seed, .num_workers = 0});

  const bool percentile = o.method == "percentile";
  std::map<std::string, Observed> seen;
  std::vector<HookHandle> hooks;
  for (auto& [name, m] : model.named_modules()) {
    if (!quantizable(*m)) continue;
    seen[name];
    hooks.push_back(m->register_forward_hook([&seen, n = name, percentile](Module&, const Tensor& x, const Tensor&) {
      observe(seen[n], x, percentile);
    }));
  }
  CNN_CHECK(!seen.empty(), "quantize: {} has no Conv2d or Linear layer to quantise", model.type_name());
  const bool was_training = model.is_training();
  model.eval();
  {
    NoGradGuard no_grad;
    for (const Batch& b : loader) model(b.images);
  }
  if (was_training) model.train();
  for (HookHandle& h : hooks) h.remove();

  std::map<std::string, double> ranges;
  for (auto& [name, o2] : seen) ranges[name] = percentile ? percentile_of(o2.sample, o.percentile) : o2.max_abs;
  return ranges;
}

int64_t quantize_model(Module& model, const std::map<std::string, double>& ranges) {
  std::vector<std::pair<std::string, ModulePtr>> swaps;
  for (auto& [name, m] : model.named_modules()) {
    auto it = ranges.find(name);
    if (it == ranges.end() || name.empty()) continue;
    const double scale = it->second > 0 ? it->second / 127.0 : 1.0;
    if (const auto* conv = dynamic_cast<const Conv2d*>(m)) swaps.emplace_back(name, std::make_shared<QuantizedConv2d>(*conv, scale));
    else if (const auto* fc = dynamic_cast<const Linear*>(m)) swaps.emplace_back(name, std::make_shared<QuantizedLinear>(*fc, scale));
  }
  for (auto& [name, q] : swaps) model.replace(name, q);
  return static_cast<int64_t>(swaps.size());
}

int64_t prepare_quantized(Module& model) {
  std::map<std::string, double> placeholders;
  for (auto& [name, m] : model.named_modules())
    if (quantizable(*m)) placeholders[name] = 127.0;
  return quantize_model(model, placeholders);
}

}  // namespace cnn::quant
