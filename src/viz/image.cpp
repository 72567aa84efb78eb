// Tensors as pictures: colour maps, overlays, and PNG files read and written through cairo image surfaces.
// Not layout (figure.cpp) nor charts (chart.cpp).
#include <cairo.h>
#include <cnn/ops.h>
#include <cnn/viz_image.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

#include "viz/canvas.h"

namespace cnn::viz {

namespace {

using Rgb = std::array<float, 3>;

// Piecewise-linear colour maps through a few anchors (viridis and hot as matplotlib's, diverging blue-white-red).
Rgb lookup(Colormap map, float t) {
  static const std::vector<Rgb> viridis{{0.267f, 0.005f, 0.329f}, {0.229f, 0.322f, 0.546f}, {0.128f, 0.567f, 0.551f},
                                        {0.369f, 0.789f, 0.383f}, {0.993f, 0.906f, 0.144f}};
  static const std::vector<Rgb> hot{{0.04f, 0, 0}, {0.9f, 0, 0}, {1, 0.8f, 0}, {1, 1, 1}};
  static const std::vector<Rgb> diverging{{0.02f, 0.19f, 0.38f}, {1, 1, 1}, {0.4f, 0, 0.05f}};
  static const std::vector<Rgb> gray{{0, 0, 0}, {1, 1, 1}};
  const std::vector<Rgb>& a = map == Colormap::viridis ? viridis
                              : map == Colormap::hot   ? hot
                              : map == Colormap::gray  ? gray
                                                       : diverging;
  t = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(a.size() - 1);
  const size_t i = std::min(static_cast<size_t>(t), a.size() - 2);
  const float f = t - static_cast<float>(i);
  return {a[i][0] + f * (a[i + 1][0] - a[i][0]), a[i][1] + f * (a[i + 1][1] - a[i][1]),
          a[i][2] + f * (a[i + 1][2] - a[i][2])};
}

}  // namespace

Tensor colorize(const Tensor& plane, Colormap map, std::optional<std::pair<double, double>> range) {
  CNN_CHECK(plane.dim() == 2, "colorize: expected a plane [H, W], got {}", plane.shape());
  const std::vector<float> v = plane.contiguous().to_vector<float>();
  double lo = *std::min_element(v.begin(), v.end()), hi = *std::max_element(v.begin(), v.end());
  if (map == Colormap::diverging) {
    const double m = std::max(std::abs(lo), std::abs(hi));
    lo = -m;
    hi = m;
  }
  if (range) std::tie(lo, hi) = *range;
  const double scale = hi > lo ? 1.0 / (hi - lo) : 0.0;
  Tensor out = Tensor::empty({3, plane.size(0), plane.size(1)});
  float* o = out.data<float>();
  const size_t n = v.size();
  for (size_t i = 0; i < n; ++i) {
    const Rgb c = lookup(map, hi > lo ? static_cast<float>((v[i] - lo) * scale) : 0.5f);
    for (size_t k = 0; k < 3; ++k) o[k * n + i] = c[k];
  }
  return out;
}

Tensor to_rgb(const Tensor& image) {
  CNN_CHECK(image.dim() == 3 && (image.size(0) == 1 || image.size(0) == 3),
            "to_rgb: expected an image [1 or 3, H, W], got {}", image.shape());
  NoGradGuard no_grad;
  Tensor x = image.detach();
  const double lo = min(x).item(), hi = max(x).item();
  x = hi > lo ? (x - lo) / (hi - lo) : zeros_like(x);
  return (x.size(0) == 1 ? x.expand({3, x.size(1), x.size(2)}) : x).contiguous();
}

Tensor overlay(const Tensor& rgb, const Tensor& heat, Colormap map, double alpha) {
  NoGradGuard no_grad;
  const Tensor h = colorize(heat.detach(), map, std::pair{0.0, 1.0});
  // Where the heat is low the image shows through: per-pixel weight alpha * heat.
  const Tensor w = heat.detach().unsqueeze(0) * alpha;
  return (rgb * (1.0 - w) + h * w).contiguous();
}

void write_png(const std::string& path, const Tensor& rgb) {
  detail::Canvas canvas(path, static_cast<double>(rgb.size(2)), static_cast<double>(rgb.size(1)));
  detail::paint_image(canvas.cr(), rgb, 0, 0, static_cast<double>(rgb.size(2)), static_cast<double>(rgb.size(1)));
  canvas.finish();
}

Tensor read_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  const cairo_status_t status = cairo_surface_status(s);
  if (status != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(s);
    CNN_CHECK(false, "read_png: cannot read '{}': {}\nHINT: give a PNG file (other formats: convert them first)", path,
              cairo_status_to_string(status));
  }
  cairo_surface_flush(s);
  const int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
  const int stride = cairo_image_surface_get_stride(s);
  const unsigned char* data = cairo_image_surface_get_data(s);
  Tensor out = Tensor::empty({3, h, w});
  float* o = out.data<float>();
  const size_t n = static_cast<size_t>(w) * h;
  for (int r = 0; r < h; ++r)
    for (int c = 0; c < w; ++c) {
      const uint32_t p = reinterpret_cast<const uint32_t*>(data + r * stride)[c];
      const size_t i = static_cast<size_t>(r) * w + c;
      for (int k = 0; k < 3; ++k) o[k * n + i] = static_cast<float>((p >> (16 - 8 * k)) & 255) / 255.0f;
    }
  cairo_surface_destroy(s);
  return out;
}

}  // namespace cnn::viz
