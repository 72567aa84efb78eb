// The cairo canvas behind every figure: surface by file extension, text, colours, tensors as image surfaces.
// Not any particular figure (chart.cpp, figure.cpp, confusion.cpp draw them).
#include "viz/canvas.h"

#include <cairo-svg.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

namespace cnn::viz::detail {

namespace {
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Canvas::Canvas(const std::string& path, double width, double height) : path_(path) {
  CNN_CHECK(ends_with(path, ".png") || ends_with(path, ".svg"), "viz: cannot write '{}': the name must end in .png or .svg",
            path);
  png_ = ends_with(path, ".png");
  surface_ = png_ ? cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(std::ceil(width)),
                                               static_cast<int>(std::ceil(height)))
                  : cairo_svg_surface_create(path.c_str(), width, height);
  CNN_CHECK(cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS, "viz: cannot create a {}x{} surface for '{}': {}",
            width, height, path, cairo_status_to_string(cairo_surface_status(surface_)));
  cr_ = cairo_create(surface_);
  cairo_set_source_rgb(cr_, 1, 1, 1);
  cairo_paint(cr_);
}

Canvas::~Canvas() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
}

void Canvas::finish() {
  cairo_surface_flush(surface_);
  cairo_status_t status = png_ ? cairo_surface_write_to_png(surface_, path_.c_str()) : CAIRO_STATUS_SUCCESS;
  if (!png_) {
    cairo_surface_finish(surface_);
    status = cairo_surface_status(surface_);
  }
  CNN_CHECK(status == CAIRO_STATUS_SUCCESS, "viz: cannot write '{}': {}\nHINT: check that the folder exists and is writable",
            path_, cairo_status_to_string(status));
}

void set_color(cairo_t* cr, const std::string& hex, double alpha) {
  unsigned v = 0;
  if (hex.size() == 7 && hex[0] == '#') v = static_cast<unsigned>(std::stoul(hex.substr(1), nullptr, 16));
  cairo_set_source_rgba(cr, ((v >> 16) & 255) / 255.0, ((v >> 8) & 255) / 255.0, (v & 255) / 255.0, alpha);
}

static void select_font(cairo_t* cr, double size, bool bold) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

double text_width(cairo_t* cr, const std::string& text, double size, bool bold) {
  select_font(cr, size, bold);
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

double measure_text(const std::string& text, double size, bool bold) {
  cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
  cairo_t* cr = cairo_create(scratch);
  const double w = text_width(cr, text, size, bold);
  cairo_destroy(cr);
  cairo_surface_destroy(scratch);
  return w;
}

void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, double anchor, bool bold) {
  const double w = text_width(cr, text, size, bold);
  cairo_move_to(cr, x - anchor * w, y);
  cairo_show_text(cr, text.c_str());
}

void paint_image(cairo_t* cr, const Tensor& rgb, double x, double y, double w, double h) {
  CNN_CHECK(rgb.dim() == 3 && rgb.size(0) == 3, "viz: expected an RGB image [3, H, W], got {}", rgb.shape());
  const int height = static_cast<int>(rgb.size(1)), width = static_cast<int>(rgb.size(2));
  cairo_surface_t* img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  const std::vector<float> v = rgb.contiguous().to_vector<float>();
  unsigned char* data = cairo_image_surface_get_data(img);
  const int stride = cairo_image_surface_get_stride(img);
  const size_t plane = static_cast<size_t>(width) * height;
  auto byte = [](float f) { return static_cast<uint32_t>(std::lround(std::clamp(f, 0.0f, 1.0f) * 255.0f)); };
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c) {
      const size_t i = static_cast<size_t>(r) * width + c;
      reinterpret_cast<uint32_t*>(data + r * stride)[c] = byte(v[i]) << 16 | byte(v[plane + i]) << 8 | byte(v[2 * plane + i]);
    }
  cairo_surface_mark_dirty(img);
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, w / width, h / height);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

const char* category_color(size_t i) {
  static const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
  return colors[i % 10];
}

std::string tick_text(double v, double step) {
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace cnn::viz::detail
