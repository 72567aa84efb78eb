// Line charts (axes, nice ticks, grid, legend; one or several per picture), TensorBoard's smoothing, and the
// confusion-matrix heatmap, drawn by cairo.
// Not images of tensors (figure.cpp); PNG or SVG is chosen by the Canvas from the file name.
#include <cnn/error.h>
#include <cnn/viz_chart.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "viz/canvas.h"

namespace cnn::viz {

namespace {

const char* palette(size_t i) {
  static const char* colors[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"};
  return colors[i % 6];
}

std::string tick_label(double v, double step) {
  if (step < 1e-3 || std::abs(v) >= 1e5) return fmt::format("{:.{}e}", v, step / std::abs(v == 0 ? step : v) < 0.1 ? 1 : 0);
  const int decimals = std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9)));
  return fmt::format("{:.{}f}", v, decimals);
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  if (!(hi > lo)) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target - 1);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double step = mag;
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * mag >= raw) {
      step = m * mag;
      break;
    }
  // Integer multiples of the step, so no rounding error creeps in: first <= lo, last >= hi.
  const auto first = static_cast<int64_t>(std::floor(lo / step + 1e-9));
  const auto last = static_cast<int64_t>(std::ceil(hi / step - 1e-9));
  std::vector<double> ticks;
  for (int64_t i = first; i <= last; ++i) ticks.push_back(static_cast<double>(i) * step);
  if (ticks.size() < 2) ticks.push_back(static_cast<double>(last + 1) * step);
  return ticks;
}

namespace {

// One line chart in the rectangle (0, 0, o.width, o.height) of the current cairo transformation.
void draw_line_chart(cairo_t* cr, const std::vector<Series>& series, const ChartOptions& o, const std::string& path) {
  double x_lo = std::numeric_limits<double>::max(), x_hi = -x_lo, y_lo = x_lo, y_hi = -x_lo;
  for (const Series& s : series) {
    CNN_CHECK(s.x.size() == s.y.size(), "save_line_chart: series '{}' has {} x values but {} y values", s.label,
              s.x.size(), s.y.size());
    for (size_t i = 0; i < s.x.size(); ++i) {
      x_lo = std::min(x_lo, s.x[i]);
      x_hi = std::max(x_hi, s.x[i]);
      const double y = o.log_y ? std::log10(std::max(s.y[i], 1e-12)) : s.y[i];
      y_lo = std::min(y_lo, y);
      y_hi = std::max(y_hi, y);
    }
  }
  CNN_CHECK(x_lo <= x_hi, "save_line_chart: no data points for '{}'", path);
  std::vector<double> xt = nice_ticks(x_lo, x_hi, 7);
  const std::vector<double> yt = nice_ticks(y_lo, y_hi, 6);
  bool integer_x = true;  // epochs: whole-number ticks only
  for (const Series& s : series)
    for (double x : s.x) integer_x = integer_x && x == std::floor(x);
  if (integer_x && xt[1] - xt[0] < 1) {
    xt.clear();
    for (double t = std::floor(x_lo) - (x_lo == x_hi ? 1 : 0); t <= std::ceil(x_hi) + (x_lo == x_hi ? 1 : 0); t += 1)
      xt.push_back(t);
  }
  const double left = 70, right = 20, top = o.title.empty() ? 20 : 40, bottom = 50;
  const double pw = o.width - left - right, ph = o.height - top - bottom;
  auto px = [&](double x) { return left + (x - xt.front()) / (xt.back() - xt.front()) * pw; };
  auto py = [&](double y) { return top + ph - (y - yt.front()) / (yt.back() - yt.front()) * ph; };

  detail::set_color(cr, "#000000");
  if (!o.title.empty()) detail::draw_text(cr, o.title, o.width / 2, 26, 15, 0.5, true);
  cairo_set_line_width(cr, 1);
  for (double t : xt) {
    detail::set_color(cr, "#e0e0e0");
    cairo_move_to(cr, px(t), top);
    cairo_line_to(cr, px(t), top + ph);
    cairo_stroke(cr);
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, tick_label(t, xt[1] - xt[0]), px(t), top + ph + 16, 11, 0.5);
  }
  for (double t : yt) {
    detail::set_color(cr, "#e0e0e0");
    cairo_move_to(cr, left, py(t));
    cairo_line_to(cr, left + pw, py(t));
    cairo_stroke(cr);
    detail::set_color(cr, "#000000");
    const std::string label = o.log_y ? fmt::format("1e{}", t) : tick_label(t, yt[1] - yt[0]);
    detail::draw_text(cr, label, left - 6, py(t) + 4, 11, 1.0);
  }
  detail::set_color(cr, "#000000");
  cairo_rectangle(cr, left, top, pw, ph);
  cairo_stroke(cr);
  detail::draw_text(cr, o.x_label, left + pw / 2, o.height - 10, 12, 0.5);
  cairo_save(cr);
  cairo_translate(cr, 16, top + ph / 2);
  cairo_rotate(cr, -M_PI / 2);
  detail::draw_text(cr, o.y_label + (o.log_y ? " (log10)" : ""), 0, 0, 12, 0.5);
  cairo_restore(cr);

  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    const std::string color = s.color.empty() ? palette(k) : s.color;
    detail::set_color(cr, color, s.alpha);
    cairo_set_line_width(cr, s.line_width);
    for (size_t i = 0; i < s.x.size() && s.line_width > 0; ++i) {
      const double y = py(o.log_y ? std::log10(std::max(s.y[i], 1e-12)) : s.y[i]);
      if (i == 0) cairo_move_to(cr, px(s.x[i]), y);
      else cairo_line_to(cr, px(s.x[i]), y);
    }
    cairo_stroke(cr);
    for (size_t i = 0; i < s.x.size() && s.markers; ++i) {
      cairo_arc(cr, px(s.x[i]), py(o.log_y ? std::log10(std::max(s.y[i], 1e-12)) : s.y[i]), 3, 0, 2 * M_PI);
      cairo_fill(cr);
    }
  }
  // Legend: top right, one line per series.
  double lw = 0;
  for (const Series& s : series) lw = std::max(lw, detail::text_width(cr, s.label, 11));
  const double box_h = 18.0 * static_cast<double>(series.size()) + 6;
  const double lx = left + pw - lw - 44, ly = o.legend_bottom ? top + ph - 8 - box_h : top + 8;
  detail::set_color(cr, "#ffffff", 0.85);
  cairo_rectangle(cr, lx, ly, lw + 36, box_h);
  cairo_fill_preserve(cr);
  detail::set_color(cr, "#a0a0a0");
  cairo_set_line_width(cr, 1);
  cairo_stroke(cr);
  for (size_t k = 0; k < series.size(); ++k) {
    const double y = ly + 14 + 18.0 * static_cast<double>(k);
    detail::set_color(cr, series[k].color.empty() ? palette(k) : series[k].color, series[k].alpha);
    cairo_set_line_width(cr, std::max(series[k].line_width, 1.0));
    cairo_move_to(cr, lx + 6, y - 4);
    cairo_line_to(cr, lx + 26, y - 4);
    if (series[k].line_width > 0) cairo_stroke(cr);
    cairo_new_path(cr);
    if (series[k].markers) {
      cairo_arc(cr, lx + 16, y - 4, 3, 0, 2 * M_PI);
      cairo_fill(cr);
    }
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, series[k].label, lx + 30, y, 11);
  }
}

}  // namespace

void save_line_chart(const std::string& path, const std::vector<Series>& series, const ChartOptions& o) {
  detail::Canvas canvas(path, o.width, o.height);
  draw_line_chart(canvas.cr(), series, o, path);
  canvas.finish();
}

void save_line_charts(const std::string& path, const std::vector<Chart>& charts, const std::string& title,
                      int64_t columns) {
  CNN_CHECK(!charts.empty() && columns > 0, "save_line_charts: {} charts in {} columns for '{}'", charts.size(),
            columns, path);
  const auto cols = static_cast<size_t>(std::min<int64_t>(columns, static_cast<int64_t>(charts.size())));
  const size_t rows = (charts.size() + cols - 1) / cols;
  double cell_w = 0, cell_h = 0;
  for (const Chart& c : charts) {
    cell_w = std::max(cell_w, c.options.width);
    cell_h = std::max(cell_h, c.options.height);
  }
  const double head = title.empty() ? 0 : 36;
  detail::Canvas canvas(path, cell_w * static_cast<double>(cols), head + cell_h * static_cast<double>(rows));
  cairo_t* cr = canvas.cr();
  if (!title.empty()) {
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, title, cell_w * static_cast<double>(cols) / 2, 26, 16, 0.5, true);
  }
  for (size_t i = 0; i < charts.size(); ++i) {
    cairo_save(cr);
    cairo_translate(cr, cell_w * static_cast<double>(i % cols), head + cell_h * static_cast<double>(i / cols));
    draw_line_chart(cr, charts[i].series, charts[i].options, path);
    cairo_restore(cr);
  }
  canvas.finish();
}

std::vector<double> ema_smooth(const std::vector<double>& values, double weight) {
  CNN_CHECK(weight >= 0 && weight < 1, "ema_smooth: weight must be in [0, 1), got {}", weight);
  std::vector<double> out;
  out.reserve(values.size());
  double last = 0, debias = 1;
  for (double v : values) {
    last = last * weight + (1 - weight) * v;
    debias *= weight;
    out.push_back(last / (1 - debias));
  }
  return out;
}

void save_confusion_matrix(const std::string& path, const std::vector<std::vector<int64_t>>& counts,
                           const std::vector<std::string>& classes, const std::string& title) {
  const size_t n = counts.size();
  CNN_CHECK(n > 0 && classes.size() == n, "save_confusion_matrix: {} rows of counts for {} classes", n, classes.size());
  double label_w = 0;
  for (const std::string& c : classes) label_w = std::max(label_w, detail::measure_text(c, 11));
  const double cell = 40, left = label_w + 40, top = 60;
  const double width = left + cell * static_cast<double>(n) + 20, height = top + cell * static_cast<double>(n) + 40 + label_w;
  detail::Canvas canvas(path, width, height);
  cairo_t* cr = canvas.cr();
  detail::set_color(cr, "#000000");
  detail::draw_text(cr, title, width / 2, 24, 15, 0.5, true);
  detail::draw_text(cr, "predicted", left + cell * static_cast<double>(n) / 2, 48, 12, 0.5);
  for (size_t r = 0; r < n; ++r) {
    CNN_CHECK(counts[r].size() == n, "save_confusion_matrix: row {} has {} counts, expected {}", r, counts[r].size(), n);
    int64_t total = 0;
    for (int64_t v : counts[r]) total += v;
    for (size_t c = 0; c < n; ++c) {
      const double f = total > 0 ? static_cast<double>(counts[r][c]) / static_cast<double>(total) : 0.0;
      const double x = left + cell * static_cast<double>(c), y = top + cell * static_cast<double>(r);
      cairo_set_source_rgb(cr, 1 - 0.85 * f, 1 - 0.6 * f, 1 - 0.25 * f);
      cairo_rectangle(cr, x, y, cell, cell);
      cairo_fill(cr);
      detail::set_color(cr, f > 0.5 ? "#ffffff" : (r == c ? "#000000" : "#b00000"));
      if (counts[r][c] > 0 || r == c) detail::draw_text(cr, std::to_string(counts[r][c]), x + cell / 2, y + cell / 2 + 4, 11, 0.5);
    }
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, classes[r], left - 6, top + cell * (static_cast<double>(r) + 0.5) + 4, 11, 1.0);
  }
  detail::set_color(cr, "#808080");
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, left, top, cell * static_cast<double>(n), cell * static_cast<double>(n));
  cairo_stroke(cr);
  detail::set_color(cr, "#000000");
  for (size_t c = 0; c < n; ++c) {
    cairo_save(cr);
    cairo_translate(cr, left + cell * (static_cast<double>(c) + 0.5) + 4, top + cell * static_cast<double>(n) + 8);
    cairo_rotate(cr, M_PI / 2);
    detail::draw_text(cr, classes[c], 0, 0, 11);
    cairo_restore(cr);
  }
  cairo_save(cr);
  cairo_translate(cr, 14, top + cell * static_cast<double>(n) / 2);
  cairo_rotate(cr, -M_PI / 2);
  detail::draw_text(cr, "true", 0, 0, 12, 0.5);
  cairo_restore(cr);
  canvas.finish();
}

}  // namespace cnn::viz
