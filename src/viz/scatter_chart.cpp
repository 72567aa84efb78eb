// Scatter plots (an embedding's points coloured by class, legend beside the plot), drawn by cairo.
// Not line or bar charts (chart.cpp, bar_chart.cpp); PNG or SVG is chosen by the Canvas from the file name.
#include <cnn/error.h>
#include <cnn/viz_chart.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "viz/canvas.h"

namespace cnn::viz {

void save_scatter_chart(const std::string& path, const std::vector<Series>& series, const ChartOptions& o) {
  double x_lo = std::numeric_limits<double>::max(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo, legend_w = 0;
  for (const Series& s : series) {
    CNN_CHECK(s.x.size() == s.y.size(), "save_scatter_chart: series '{}' has {} x values but {} y values", s.label,
              s.x.size(), s.y.size());
    for (size_t i = 0; i < s.x.size(); ++i) {
      x_lo = std::min(x_lo, s.x[i]), x_hi = std::max(x_hi, s.x[i]);
      y_lo = std::min(y_lo, s.y[i]), y_hi = std::max(y_hi, s.y[i]);
    }
    legend_w = std::max(legend_w, detail::measure_text(s.label, 11));
  }
  CNN_CHECK(x_lo <= x_hi, "save_scatter_chart: no points for '{}'", path);
  const std::vector<double> xt = nice_ticks(x_lo, x_hi, 7), yt = nice_ticks(y_lo, y_hi, 6);
  const double left = 60, right = legend_w + 50, top = o.title.empty() ? 20 : 40, bottom = 50;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - xt.front()) / (xt.back() - xt.front()) * pw; };
  auto py = [&](double y) { return top + ph - (y - yt.front()) / (yt.back() - yt.front()) * ph; };

  detail::Canvas canvas(path, o.width, o.height);
  cairo_t* cr = canvas.cr();
  detail::set_color(cr, "#000000");
  if (!o.title.empty()) detail::draw_text(cr, o.title, o.width / 2, 26, 15, 0.5, true);
  cairo_set_line_width(cr, 1);
  for (double t : xt) {
    detail::set_color(cr, "#e8e8e8");
    cairo_move_to(cr, px(t), top);
    cairo_line_to(cr, px(t), top + ph);
    cairo_stroke(cr);
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, detail::tick_text(t, xt[1] - xt[0]), px(t), top + ph + 16, 11, 0.5);
  }
  for (double t : yt) {
    detail::set_color(cr, "#e8e8e8");
    cairo_move_to(cr, left, py(t));
    cairo_line_to(cr, left + pw, py(t));
    cairo_stroke(cr);
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, detail::tick_text(t, yt[1] - yt[0]), left - 6, py(t) + 4, 11, 1.0);
  }
  detail::set_color(cr, "#000000");
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);
  detail::draw_text(cr, o.x_label, left + pw / 2, o.height - 10, 12, 0.5);
  cairo_save(cr);
  cairo_translate(cr, 16, top + ph / 2);
  cairo_rotate(cr, -M_PI / 2);
  detail::draw_text(cr, o.y_label, 0, 0, 12, 0.5);
  cairo_restore(cr);

  for (size_t k = 0; k < series.size(); ++k) {
    detail::set_color(cr, series[k].color.empty() ? detail::category_color(k) : series[k].color, 0.75);
    for (size_t i = 0; i < series[k].x.size(); ++i) {
      cairo_arc(cr, px(series[k].x[i]), py(series[k].y[i]), 2.2, 0, 2 * M_PI);
      cairo_fill(cr);
    }
  }
  // Legend: right of the plot, one dot and label per series.
  const double lx = left + pw + 14;
  for (size_t k = 0; k < series.size(); ++k) {
    const double y = top + 14 + 18.0 * static_cast<double>(k);
    detail::set_color(cr, series[k].color.empty() ? detail::category_color(k) : series[k].color);
    cairo_arc(cr, lx + 5, y - 4, 4, 0, 2 * M_PI);
    cairo_fill(cr);
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, series[k].label, lx + 14, y, 11);
  }
  canvas.finish();
}

}  // namespace cnn::viz
