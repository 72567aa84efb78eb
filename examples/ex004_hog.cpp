// Seeds 004 "Other things: histogram of gradients": a HOG descriptor (Dalal & Triggs) built on the library's
// tensors: gradients by conv2d with [-1, 0, 1], 9 unsigned orientation bins voted into 8x8 cells (avg_pool2d),
// 2x2-cell blocks with L2-Hys normalisation; a 64x128 window gives the classic 3780 values. Shows that a dark
// and a bright copy of an image get the same descriptor. Writes ex004_hog.png into --output.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numbers>
#include <string>
#include <vector>

#include "example_args.h"

namespace {

constexpr int64_t kCell = 8, kBins = 9;

struct Hog {
  cnn::Tensor magnitude;   // [H, W]
  cnn::Tensor cells;       // [9, H/8, W/8] orientation histograms
  cnn::Tensor descriptor;  // [blocks * 36]
};

// image [1, 1, H, W] with H, W multiples of 8.
Hog hog(const cnn::Tensor& image) {
  const cnn::Tensor kx = cnn::from_vector(std::vector<float>{-1, 0, 1}, {1, 1, 1, 3});
  // Valid convolutions, then a zero gradient on the border pixels (zero padding would invent edges there).
  const cnn::Tensor gx = cnn::zero_pad2d(cnn::conv2d(image, kx), {1, 1, 0, 0});
  const cnn::Tensor gy = cnn::zero_pad2d(cnn::conv2d(image, kx.reshape({1, 1, 3, 1})), {0, 0, 1, 1});
  const cnn::Tensor magnitude = cnn::sqrt(gx * gx + gy * gy);
  // Unsigned orientation in [0, 180) degrees; each pixel votes its magnitude into the two nearest bin centres.
  const auto xs = gx.contiguous().to_vector<float>(), ys = gy.contiguous().to_vector<float>(),
             ms = magnitude.contiguous().to_vector<float>();
  const int64_t h = image.size(2), w = image.size(3), n = h * w;
  std::vector<float> votes(static_cast<size_t>(kBins * n), 0.0f);
  for (int64_t i = 0; i < n; ++i) {
    double angle = std::atan2(ys[i], xs[i]) * 180.0 / std::numbers::pi;
    if (angle < 0) angle += 180.0;
    const double pos = angle / 20.0 - 0.5;  // bin b is centred on 20 b + 10 degrees
    const int64_t lo = static_cast<int64_t>(std::floor(pos));
    const double frac = pos - static_cast<double>(lo);
    votes[static_cast<size_t>(((lo + kBins) % kBins) * n + i)] += static_cast<float>(ms[i] * (1.0 - frac));
    votes[static_cast<size_t>(((lo + 1) % kBins) * n + i)] += static_cast<float>(ms[i] * frac);
  }
  const cnn::Tensor vote_maps = cnn::from_vector(votes, {1, kBins, h, w});
  const cnn::Tensor cells = cnn::avg_pool2d(vote_maps, {.kernel_size = kCell}) * double(kCell * kCell);
  // Blocks of 2x2 cells, stride one cell: L2 normalise, clip at 0.2, normalise again (L2-Hys).
  std::vector<cnn::Tensor> blocks;
  for (int64_t by = 0; by + 1 < cells.size(2); ++by)
    for (int64_t bx = 0; bx + 1 < cells.size(3); ++bx) {
      cnn::Tensor v = cells.slice(2, by, by + 2).slice(3, bx, bx + 2).contiguous().reshape({4 * kBins});
      v = v / cnn::sqrt(cnn::sum(v * v) + 1e-6);
      v = cnn::clamp(v, std::nullopt, 0.2);
      blocks.push_back(v / cnn::sqrt(cnn::sum(v * v) + 1e-6));
    }
  return {magnitude.select(0, 0).select(0, 0), cells.select(0, 0), cnn::cat(blocks, 0)};
}

// A picture of the cell histograms: in each 8x8 cell a line per bin, along the edge direction, as bright as its vote.
cnn::Tensor glyphs(const cnn::Tensor& cells) {
  const int64_t rows = cells.size(1), cols = cells.size(2), s = 16;
  std::vector<float> pix(static_cast<size_t>(rows * s * cols * s), 0.0f);
  const auto v = cells.contiguous().to_vector<float>();
  const float top = *std::max_element(v.begin(), v.end()) + 1e-6f;
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      for (int64_t b = 0; b < kBins; ++b) {
        const float strength = v[static_cast<size_t>((b * rows + r) * cols + c)] / top;
        const double edge = (20.0 * b + 10.0 + 90.0) * std::numbers::pi / 180.0;  // edges run across the gradient
        for (double t = -s / 2.0 + 0.5; t < s / 2.0; t += 0.5) {
          const int64_t y = r * s + s / 2 + static_cast<int64_t>(std::lround(-t * std::sin(edge)));
          const int64_t x = c * s + s / 2 + static_cast<int64_t>(std::lround(t * std::cos(edge)));
          if (y < r * s || y >= (r + 1) * s || x < c * s || x >= (c + 1) * s) continue;
          float& p = pix[static_cast<size_t>(y * cols * s + x)];
          p = std::max(p, strength);
        }
      }
  return cnn::from_vector(pix, {rows * s, cols * s});
}

// A 64x128 (width x height) window with a bright upright figure: head, torso and legs.
cnn::Tensor synthetic_person() {
  cnn::Tensor img = cnn::full({1, 1, 128, 64}, 0.2);
  img.slice(2, 12, 32).slice(3, 24, 40).fill_(0.9);   // head
  img.slice(2, 34, 80).slice(3, 18, 46).fill_(0.8);   // torso
  img.slice(2, 80, 118).slice(3, 20, 30).fill_(0.7);  // legs
  img.slice(2, 80, 118).slice(3, 34, 44).fill_(0.7);
  return img;
}

}  // namespace

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 004 \"Other things: histogram of gradients\": a HOG descriptor",
                           {{"--data-dir", "", "dataset folder (empty: synthetic or built-in data)"},
                            {"--output", ".", "folder for the written files"}});

  const std::string data_dir = flags.str("--data-dir");
  const std::filesystem::path out = flags.str("--output");
  std::filesystem::create_directories(out);

  cnn::Tensor image = synthetic_person();
  std::string what = "synthetic 64x128 figure";
  if (!data_dir.empty() && std::filesystem::exists(std::filesystem::path(data_dir) / "t10k-images-idx3-ubyte.gz")) {
    // An MNIST test digit in [0, 1], bilinearly resized to 64x64 so that 8x8 cells give an 8x8 grid.
    const cnn::Tensor digit = cnn::open_dataset("mnist", data_dir, false)->get(0).image.unsqueeze(0);
    image = cnn::interpolate(digit, {.size = cnn::Pair2{64, 64}, .mode = "bilinear"});
    what = "MNIST test digit 0 resized to 64x64";
  }
  const Hog h = hog(image);
  const int64_t cy = h.cells.size(1), cx = h.cells.size(2);
  fmt::print("image: {} {}\n", what, image.shape().str());
  fmt::print("gradients: conv2d with [-1, 0, 1] and its transpose; magnitude max {:.3f}\n",
             cnn::max(h.magnitude).item());
  fmt::print("cells: {}x{} of 8x8 pixels, 9 orientation bins -> histograms {}\n", cy, cx, h.cells.shape().str());
  fmt::print("blocks: {}x{} of 2x2 cells (stride 1 cell), 36 values each, L2-Hys normalised\n", cy - 1, cx - 1);
  fmt::print("descriptor length: {} = {} x {} x 36\n", h.descriptor.numel(), cy - 1, cx - 1);

  // The notes' point: dark and bright versions of the same picture get the same description.
  const Hog dark = hog(image * 0.3), bright = hog(image * 0.5 + 0.4);
  fmt::print("pixels: max |dark - bright| = {:.3f}\n", cnn::max(cnn::abs(image * 0.3 - (image * 0.5 + 0.4))).item());
  fmt::print("HOG:    max |dark - bright| = {:.4f}\n", cnn::max(cnn::abs(dark.descriptor - bright.descriptor)).item());

  cnn::viz::save_figure(
      (out / "ex004_hog.png").string(),
      {{.title = "HOG: image, gradient magnitude, cell orientation histograms",
        .panels = {{.rgb = cnn::viz::to_rgb(image.select(0, 0)), .title = "image"},
                   {.rgb = cnn::viz::colorize(h.magnitude, cnn::viz::Colormap::gray), .title = "|gradient|"},
                   {.rgb = cnn::viz::colorize(glyphs(h.cells), cnn::viz::Colormap::gray), .title = "HOG cells"}},
        .columns = 3}},
      {.cell = 192, .side_by_side = false});
  fmt::print("wrote ex004_hog.png in {}\n", out.string());
  return 0;
}
