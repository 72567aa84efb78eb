// Class-model visualisation (Simonyan et al. 2014): gradient ascent on the input for one class's score with an
// L2 penalty, plus the jitter, blur and clamping common in practice (CS231n's assignment). Not saliency.
#include <cnn/ops.h>
#include <cnn/random.h>
#include <cnn/viz_inside.h>

#include <algorithm>
#include <cmath>

namespace cnn::viz {

namespace {

// x [1, C, H, W] rolled by (dy, dx) pixels with wrap-around, as torch.roll(x, (dy, dx), (2, 3)).
Tensor roll(const Tensor& x, int64_t dy, int64_t dx) {
  const int64_t c = x.size(1), h = x.size(2), w = x.size(3);
  const std::vector<float> v = x.contiguous().to_vector<float>();
  std::vector<float> out(v.size());
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t y = 0; y < h; ++y)
      for (int64_t col = 0; col < w; ++col) {
        const int64_t ty = ((y + dy) % h + h) % h, tx = ((col + dx) % w + w) % w;
        out[static_cast<size_t>((ch * h + ty) * w + tx)] = v[static_cast<size_t>((ch * h + y) * w + col)];
      }
  return from_vector(out, x.shape());
}

// A 3x3 Gaussian ([1, 2, 1] / 4 in each direction) on every channel of x [1, C, H, W], zero-padded.
Tensor blur(const Tensor& x) {
  const int64_t c = x.size(1);
  std::vector<float> k;
  for (int64_t ch = 0; ch < c; ++ch)
    for (float a : {1.0f, 2.0f, 1.0f})
      for (float b : {1.0f, 2.0f, 1.0f}) k.push_back(a * b / 16.0f);
  return conv2d(x, from_vector(k, {c, 1, 3, 3}), Tensor(), {.padding = 1, .groups = c});
}

double norm(const Tensor& x) { return std::sqrt(sum(x * x).item()); }

}  // namespace

ClassModel class_model(Module& model, const Shape& input_shape, int64_t target, const ClassModelOptions& o) {
  CNN_CHECK(input_shape.dim() == 3, "class_model: expected an input shape [C, H, W], got {}", input_shape);
  CNN_CHECK(o.steps >= 0 && o.jitter >= 0 && o.blur_every >= 0 && o.l2 >= 0,
            "class_model: steps ({}), jitter ({}), blur_every ({}) and l2 ({}) must not be negative", o.steps, o.jitter,
            o.blur_every, o.l2);
  const bool was_training = model.is_training();
  model.eval();
  Generator gen(o.seed);
  Tensor image = zeros({1, input_shape[0], input_shape[1], input_shape[2]});
  ClassModel result;
  auto score_of = [&](const Tensor& logits) {
    CNN_CHECK(logits.dim() == 2 && target >= 0 && target < logits.size(1),
              "class_model: class {} is out of range for model output of shape {}", target, logits.shape());
    return sum(logits.select(1, target));
  };
  for (int64_t step = 0; step < o.steps; ++step) {
    const int64_t dy = o.jitter > 0 ? gen.randint(-o.jitter, o.jitter + 1) : 0;
    const int64_t dx = o.jitter > 0 ? gen.randint(-o.jitter, o.jitter + 1) : 0;
    Tensor x = o.jitter > 0 ? roll(image, dy, dx) : image.clone();
    x.requires_grad_();
    const Tensor score = score_of(model(x));
    if (o.jitter > 0) {
      NoGradGuard no_grad;  // the score of the image itself, not of its shifted copy
      result.scores.push_back(score_of(model(image)).item());
    } else {
      result.scores.push_back(score.item());
    }
    result.norms.push_back(norm(image));
    const Tensor g = grad({score}, {x})[0];
    NoGradGuard no_grad;
    // Ascent on S_c(I) - l2 ||I||^2: its gradient is dS_c/dI - 2 l2 I.
    Tensor next = x.detach() + (g - x.detach() * (2.0 * o.l2)) * o.lr;
    if (o.jitter > 0) next = roll(next, -dy, -dx);
    if (o.blur_every > 0 && (step + 1) % o.blur_every == 0) next = blur(next);
    if (std::isfinite(o.min_value) || std::isfinite(o.max_value))
      next = clamp(next, std::isfinite(o.min_value) ? std::optional<double>(o.min_value) : std::nullopt,
                   std::isfinite(o.max_value) ? std::optional<double>(o.max_value) : std::nullopt);
    image = next.contiguous();
  }
  {
    NoGradGuard no_grad;
    result.scores.push_back(score_of(model(image)).item());
    result.norms.push_back(norm(image));
  }
  model.train(was_training);
  result.image = image[0].contiguous();
  return result;
}

}  // namespace cnn::viz
