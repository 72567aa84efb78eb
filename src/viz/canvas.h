// A cairo drawing target written to .png or .svg by extension, plus the text and colour helpers charts share.
// Private to src/viz; not an image type (pictures of tensors are Tensors, see viz_image.h).
#pragma once

#include <cairo.h>
#include <cnn/tensor.h>

#include <string>

namespace cnn::viz::detail {

/// Usage: Canvas c(path, 640, 400); draw on c.cr(); c.finish();  (finish writes the file; throws on failure)
class Canvas {
 public:
  Canvas(const std::string& path, double width, double height);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;
  cairo_t* cr() const { return cr_; }
  void finish();

 private:
  std::string path_;
  bool png_ = true;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
};

/// "#rrggbb" as the current source colour.
void set_color(cairo_t* cr, const std::string& hex, double alpha = 1.0);
/// Text in DejaVu Sans; anchor x: 0 left, 0.5 centre, 1 right; y is the baseline.
void draw_text(cairo_t* cr, const std::string& text, double x, double y, double size, double anchor = 0.0,
               bool bold = false);
double text_width(cairo_t* cr, const std::string& text, double size, bool bold = false);
/// The same, before any canvas exists (to size one).
double measure_text(const std::string& text, double size, bool bold = false);
/// The ten-colour categorical palette (matplotlib's tab10) by position, for groups and classes.
const char* category_color(size_t i);
/// v with as many decimals as the tick step `step` needs (0.25 for step 0.05).
std::string tick_text(double v, double step);
/// Paints RGB [3, H, W] in [0, 1] into the rectangle (x, y, w, h), nearest-neighbour scaled.
void paint_image(cairo_t* cr, const Tensor& rgb, double x, double y, double w, double h);

}  // namespace cnn::viz::detail
