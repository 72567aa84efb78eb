// Bar charts with error bars (an ablation study's mean ± std per configuration), drawn by cairo.
// Not line charts or heatmaps (chart.cpp); PNG or SVG is chosen by the Canvas from the file name.
#include <cnn/error.h>
#include <cnn/viz_chart.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "viz/canvas.h"

namespace cnn::viz {

void save_bar_chart(const std::string& path, const std::vector<Bar>& bars, const ChartOptions& o) {
  CNN_CHECK(!bars.empty(), "save_bar_chart: no bars for '{}'", path);
  double lo = std::numeric_limits<double>::max(), hi = -lo;
  std::vector<std::string> groups;  // in order of appearance
  for (const Bar& b : bars) {
    CNN_CHECK(std::isfinite(b.value) && std::isfinite(b.error) && b.error >= 0,
              "save_bar_chart: bar '{}' needs a finite value and a finite error >= 0, got {} ± {}", b.label, b.value,
              b.error);
    lo = std::min(lo, b.value - b.error);
    hi = std::max(hi, b.value + b.error);
    if (std::find(groups.begin(), groups.end(), b.group) == groups.end()) groups.push_back(b.group);
  }
  if (std::isfinite(o.reference_y)) {
    lo = std::min(lo, o.reference_y);
    hi = std::max(hi, o.reference_y);
  }
  // A margin around the data, so the differences between bars fill the plot; 0 only when the data come near it.
  const double margin = std::max(0.15 * (hi - lo), 1e-6 + 0.01 * std::abs(hi));
  double axis_lo = lo - margin;
  if (lo >= 0 && axis_lo < 0.25 * lo) axis_lo = 0;
  const std::vector<double> yt = nice_ticks(axis_lo, hi + margin, 6);
  const double y0 = yt.front(), y1 = yt.back();

  double label_w = 0;
  for (const Bar& b : bars) label_w = std::max(label_w, detail::measure_text(b.label, 11));
  const double n = static_cast<double>(bars.size());
  double gaps = 0;  // half a slot wherever the group changes
  for (size_t i = 1; i < bars.size(); ++i) gaps += bars[i].group != bars[i - 1].group ? 1 : 0;
  double left = 70;
  const double right = 20;
  const double slot = std::clamp((o.width - left - right) / (n + 0.5 * gaps), 22.0, 90.0);
  const double legend_h = groups.size() > 1 || !groups[0].empty() ? 22 : 0;
  const double top = (o.title.empty() ? 16 : 40) + legend_h, bottom = label_w + 40;
  // As wide as the bars need (narrower than options.width when the bars are few), and the title.
  const double pw = slot * (n + 0.5 * gaps);
  const double width = std::max(left + pw + right, detail::measure_text(o.title, 15, true) + 40);
  left = (width - pw - right + left) / 2;  // centred under a wider title
  const double ph = std::max(120.0, o.height - top - bottom), height = top + ph + bottom;
  auto py = [&](double y) { return top + ph - (std::clamp(y, y0, y1) - y0) / (y1 - y0) * ph; };

  detail::Canvas canvas(path, width, height);
  cairo_t* cr = canvas.cr();
  detail::set_color(cr, "#000000");
  if (!o.title.empty()) detail::draw_text(cr, o.title, width / 2, 26, 15, 0.5, true);
  cairo_set_line_width(cr, 1);
  for (double t : yt) {
    detail::set_color(cr, "#e0e0e0");
    cairo_move_to(cr, left, py(t));
    cairo_line_to(cr, left + pw, py(t));
    cairo_stroke(cr);
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, detail::tick_text(t, yt[1] - yt[0]), left - 6, py(t) + 4, 11, 1.0);
  }
  // Legend: one row under the title, a colour swatch and the group's name each.
  if (legend_h > 0) {
    double x = left;
    for (size_t g = 0; g < groups.size(); ++g) {
      detail::set_color(cr, detail::category_color(g));
      cairo_rectangle(cr, x, top - legend_h - 2, 12, 12);
      cairo_fill(cr);
      detail::set_color(cr, "#000000");
      detail::draw_text(cr, groups[g], x + 16, top - legend_h + 8, 11);
      x += 28 + detail::text_width(cr, groups[g], 11);
    }
  }
  // Bars, whiskers, values and the rotated labels below.
  double x = left;
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    if (i > 0 && b.group != bars[i - 1].group) x += 0.5 * slot;
    const size_t g = static_cast<size_t>(std::find(groups.begin(), groups.end(), b.group) - groups.begin());
    const double cx = x + slot / 2, bw = 0.7 * slot;
    detail::set_color(cr, detail::category_color(g), 0.85);
    cairo_rectangle(cr, cx - bw / 2, py(b.value), bw, py(y0) - py(b.value));
    cairo_fill(cr);
    detail::set_color(cr, "#000000");
    if (b.error > 0) {
      cairo_set_line_width(cr, 1.2);
      cairo_move_to(cr, cx, py(b.value - b.error));
      cairo_line_to(cr, cx, py(b.value + b.error));
      for (double e : {b.value - b.error, b.value + b.error}) {
        cairo_move_to(cr, cx - bw / 4, py(e));
        cairo_line_to(cr, cx + bw / 4, py(e));
      }
      cairo_stroke(cr);
    }
    detail::draw_text(cr, detail::tick_text(b.value, 0.1), cx, py(b.value + b.error) - 4, 9, 0.5);
    cairo_save(cr);
    cairo_translate(cr, cx + 4, top + ph + 8);
    cairo_rotate(cr, M_PI / 2);
    detail::draw_text(cr, b.label, 0, 0, 11);
    cairo_restore(cr);
    x += slot;
  }
  if (std::isfinite(o.reference_y)) {
    const double dash[] = {6.0, 4.0};
    detail::set_color(cr, "#404040");
    cairo_set_line_width(cr, 1.2);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, left, py(o.reference_y));
    cairo_line_to(cr, left + pw, py(o.reference_y));
    cairo_stroke(cr);
    if (!o.reference_label.empty()) {  // in the legend row, right-aligned, so it never covers a bar
      const double tw = detail::text_width(cr, o.reference_label, 11), ly = top - (legend_h > 0 ? legend_h : 4) + 4;
      cairo_move_to(cr, left + pw - tw - 30, ly);
      cairo_line_to(cr, left + pw - tw - 6, ly);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
      detail::draw_text(cr, o.reference_label, left + pw, ly + 4, 11, 1.0);
    }
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  detail::set_color(cr, "#000000");
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);
  if (!o.x_label.empty()) detail::draw_text(cr, o.x_label, left + pw / 2, height - 10, 12, 0.5);
  cairo_save(cr);
  cairo_translate(cr, left - 54, top + ph / 2);
  cairo_rotate(cr, -M_PI / 2);
  const std::string y_note = y0 != 0 ? fmt::format(" (axis from {})", detail::tick_text(y0, yt[1] - yt[0])) : "";
  detail::draw_text(cr, o.y_label + y_note, 0, 0, 12, 0.5);
  cairo_restore(cr);
  canvas.finish();
}

}  // namespace cnn::viz
