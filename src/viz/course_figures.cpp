// The course's pictures of convolution geometry: 001 §1.2 (kernel, padding, stride, dilation on one image),
// exercise 2 (transposed-convolution output sizes) and its autoencoder challenge. Not the report (report.cpp).
#include <cnn/nn.h>
#include <cnn/ops.h>
#include <cnn/optim.h>
#include <cnn/viz_image.h>
#include <cnn/viz_report.h>
#include <fmt/format.h>

#include "viz/canvas.h"

namespace cnn::viz {

void save_conv_params_figure(const std::string& path, const Tensor& image) {
  CNN_CHECK(image.dim() == 3, "conv-params: expected an image [C, H, W], got {}", image.shape());
  NoGradGuard no_grad;
  const Tensor x = mean(image.detach(), {0}, true).unsqueeze(0);  // [1, 1, H, W]
  // A Sobel kernel: its output shows vertical edges, so every panel is recognisably the same image.
  const Tensor w = from_vector(std::vector<float>{-1, 0, 1, -2, 0, 2, -1, 0, 1}, {1, 1, 3, 3});
  struct Config {
    int64_t k, p, s, d;
  };
  const std::vector<Config> configs{{3, 0, 1, 1}, {3, 1, 1, 1}, {3, 1, 2, 1}, {3, 2, 1, 2}, {3, 0, 1, 3}};
  std::vector<Panel> panels{{.rgb = colorize(x[0][0], Colormap::viridis),
                             .title = fmt::format("input\n\n{}x{}", x.size(2), x.size(3))}};
  for (const Config& c : configs) {
    const Tensor y = conv2d(x, w, Tensor(), {.stride = c.s, .padding = c.p, .dilation = c.d});
    panels.push_back({.rgb = colorize(y[0][0], Colormap::viridis),
                      .title = fmt::format("k={} p={}\ns={} d={}\n{}x{}", c.k, c.p, c.s, c.d, y.size(2), y.size(3))});
  }
  save_figure(path, {{.title = "", .panels = panels, .columns = 6}},
              {.title = "Kernel, padding, stride, dilation (Sobel 3x3): out = (in + 2p - d(k-1) - 1)/s + 1", .cell = 120});
}

std::vector<std::string> transpose_sizes(const std::string& path, int64_t in_size) {
  std::vector<std::string> rows;
  std::vector<bool> doubles;
  const Shape x{1, 16, in_size, in_size};
  for (int64_t k : {2, 3, 4, 5})
    for (int64_t s : {1, 2})
      for (int64_t p : {0, 1, 2})
        for (int64_t op = 0; op < s; ++op) {
          if (p > (k - 1)) continue;
          const Shape out = conv_transpose2d_output_shape(x, {16, 8, k, k}, {.stride = s, .padding = p, .output_padding = op});
          rows.push_back(fmt::format("k={} s={} p={} output_padding={}  ->  {}x{}", k, s, p, op, out[2], out[3]));
          doubles.push_back(out[2] == 2 * in_size);
        }
  if (path.empty()) return rows;
  const double line = 17, width = 520, height = 70 + line * static_cast<double>(rows.size());
  detail::Canvas canvas(path, width, height);
  cairo_t* cr = canvas.cr();
  detail::set_color(cr, "#000000");
  detail::draw_text(cr, fmt::format("ConvTranspose2d on 1x16x{0}x{0}: out = (in-1)s - 2p + k + output_padding", in_size),
                    12, 22, 13, 0.0, true);
  detail::set_color(cr, "#006000");
  detail::draw_text(cr, fmt::format("green: exactly 2x upsampling ({0} -> {1})", in_size, 2 * in_size), 12, 42, 11);
  for (size_t i = 0; i < rows.size(); ++i) {
    detail::set_color(cr, doubles[i] ? "#006000" : "#000000");
    cairo_select_font_face(cr, "DejaVu Sans Mono", CAIRO_FONT_SLANT_NORMAL,
                           doubles[i] ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 12);
    cairo_move_to(cr, 12, 64 + line * static_cast<double>(i));
    cairo_show_text(cr, rows[i].c_str());
  }
  canvas.finish();
  return rows;
}

double autoencoder_demo(const std::string& path, const Tensor& images, int64_t steps) {
  CNN_CHECK(images.dim() == 4 && images.size(1) == 1, "autoencoder: expected images [N, 1, H, W], got {}",
            images.shape());
  Sequential net(Conv2d(1, 8, {.kernel_size = 3, .stride = 2, .padding = 1}), ReLU(),
                 ConvTranspose2d(8, 1, {.kernel_size = 3, .stride = 2, .padding = 1, .output_padding = 1}));
  Adam opt(net.parameters(), {.lr = 0.01});
  const Tensor x = images.detach();
  double loss_value = 0;
  for (int64_t step = 0; step < steps; ++step) {
    opt.zero_grad();
    const Tensor loss = mse_loss(net(x), x);
    loss.backward();
    opt.step();
    loss_value = loss.item();
  }
  NoGradGuard no_grad;
  const Tensor y = net(x);
  CNN_CHECK(y.shape() == x.shape(), "autoencoder: output {} does not match input {}", y.shape(), x.shape());
  const int64_t n = std::min<int64_t>(x.size(0), 8);
  std::vector<Panel> in, out;
  for (int64_t i = 0; i < n; ++i) {
    in.push_back({.rgb = to_rgb(x[i]), .title = fmt::format("{}x{}", x.size(2), x.size(3))});
    out.push_back({.rgb = to_rgb(y[i]), .title = fmt::format("{}x{}", y.size(2), y.size(3))});
  }
  if (!path.empty())
    save_figure(path,
                {{.title = "input", .panels = in, .columns = n},
                 {.title = fmt::format("reconstruction (MSE {:.4f} after {} Adam steps)", loss_value, steps),
                  .panels = out, .columns = n}},
                {.title = "Conv2d(1, 8, 3, s=2, p=1) -> ReLU -> ConvTranspose2d(8, 1, 3, s=2, p=1, output_padding=1)"});
  return loss_value;
}

}  // namespace cnn::viz
