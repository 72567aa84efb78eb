// Grids of titled image panels (filters, feature maps, predictions, heatmaps), stacked or side by side.
// Not the pictures' content: callers turn tensors into RGB panels with colorize()/to_rgb()/overlay().
#include <cnn/viz_image.h>

#include <algorithm>
#include <sstream>

#include "viz/canvas.h"

namespace cnn::viz {

namespace {

constexpr double kMargin = 12, kGap = 8, kLine = 12, kFont = 10, kSectionFont = 13, kTitleFont = 15;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

struct SectionLayout {
  double width = 0, height = 0, image_h = 0, title_h = 0;
  int64_t columns = 1, rows = 0;
};

SectionLayout layout(const Section& s, double cell) {
  SectionLayout l;
  l.columns = std::max<int64_t>(1, std::min<int64_t>(s.columns, static_cast<int64_t>(s.panels.size())));
  l.rows = (static_cast<int64_t>(s.panels.size()) + l.columns - 1) / l.columns;
  size_t title_lines = 0;
  for (const Panel& p : s.panels) {
    l.image_h = std::max(l.image_h, cell * static_cast<double>(p.rgb.size(1)) / static_cast<double>(p.rgb.size(2)));
    title_lines = std::max(title_lines, lines(p.title).size());
  }
  l.title_h = static_cast<double>(title_lines) * kLine + (title_lines ? 3 : 0);
  l.width = std::max(static_cast<double>(l.columns) * (cell + kGap) - kGap,
                     s.title.empty() ? 0.0 : detail::measure_text(s.title, kSectionFont, true));
  l.height = (s.title.empty() ? 0 : kSectionFont + 8) + static_cast<double>(l.rows) * (l.title_h + l.image_h + kGap);
  return l;
}

void draw_panel(cairo_t* cr, const Panel& p, double x, double y, double cell, double image_h, double title_h) {
  const std::vector<std::string> title = lines(p.title);
  detail::set_color(cr, p.title_color);
  for (size_t i = 0; i < title.size(); ++i) {
    const double w = detail::text_width(cr, title[i], kFont);
    const double size = w > cell + kGap ? kFont * (cell + kGap) / w : kFont;
    detail::draw_text(cr, title[i], x + cell / 2, y + kLine * static_cast<double>(i + 1) - 2, size, 0.5);
  }
  const double h = cell * static_cast<double>(p.rgb.size(1)) / static_cast<double>(p.rgb.size(2));
  const double top = y + title_h + (image_h - h) / 2;
  detail::paint_image(cr, p.rgb, x, top, cell, h);
  const double scale = cell / static_cast<double>(p.rgb.size(2));
  for (const Box& b : p.boxes) {
    detail::set_color(cr, b.color);
    cairo_set_line_width(cr, 2);
    cairo_rectangle(cr, x + b.left * scale, top + b.top * scale, b.width * scale, b.height * scale);
    cairo_stroke(cr);
  }
}

}  // namespace

void save_figure(const std::string& path, const std::vector<Section>& sections, const FigureOptions& options) {
  CNN_CHECK(!sections.empty(), "save_figure: nothing to draw for '{}'", path);
  std::vector<SectionLayout> ls;
  double width = 0, height = 0;
  for (const Section& s : sections) {
    CNN_CHECK(!s.panels.empty(), "save_figure: section '{}' of '{}' has no panels", s.title, path);
    ls.push_back(layout(s, options.cell));
    if (options.side_by_side) {
      width += ls.back().width + (width > 0 ? 3 * kGap : 0);
      height = std::max(height, ls.back().height);
    } else {
      width = std::max(width, ls.back().width);
      height += ls.back().height + kGap;
    }
  }
  const double title_h = options.title.empty() ? 0 : kTitleFont + 10;
  if (!options.title.empty()) width = std::max(width, detail::measure_text(options.title, kTitleFont, true));
  detail::Canvas canvas(path, width + 2 * kMargin, height + title_h + 2 * kMargin);
  cairo_t* cr = canvas.cr();
  if (!options.title.empty()) {
    detail::set_color(cr, "#000000");
    detail::draw_text(cr, options.title, kMargin, kMargin + kTitleFont, kTitleFont, 0.0, true);
  }
  double x0 = kMargin, y0 = kMargin + title_h;
  for (size_t si = 0; si < sections.size(); ++si) {
    const Section& s = sections[si];
    const SectionLayout& l = ls[si];
    double y = y0;
    if (!s.title.empty()) {
      detail::set_color(cr, "#202020");
      detail::draw_text(cr, s.title, x0, y + kSectionFont, kSectionFont, 0.0, true);
      y += kSectionFont + 8;
    }
    for (size_t i = 0; i < s.panels.size(); ++i) {
      const auto r = static_cast<int64_t>(i) / l.columns, c = static_cast<int64_t>(i) % l.columns;
      draw_panel(cr, s.panels[i], x0 + static_cast<double>(c) * (options.cell + kGap),
                 y + static_cast<double>(r) * (l.title_h + l.image_h + kGap), options.cell, l.image_h, l.title_h);
    }
    if (options.side_by_side)
      x0 += l.width + 3 * kGap;
    else
      y0 += l.height + kGap;
  }
  canvas.finish();
}

}  // namespace cnn::viz
