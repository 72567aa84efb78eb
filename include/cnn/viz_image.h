// Pictures of tensors: colour maps, PNG read/write through cairo, and titled grids of image panels.
// Not charts with axes (viz_chart.h) and not the interpretation methods that make the heatmaps (viz_interpret.h).
#pragma once

#include <cnn/tensor.h>

#include <optional>
#include <string>
#include <vector>

namespace cnn::viz {

enum class Colormap { gray, viridis, hot, diverging };

/// A plane [H, W] as RGB [3, H, W] in [0, 1], scaled from [lo, hi] (default: the plane's min and max;
/// diverging maps [-m, m] with m = max |value|, white at zero).
Tensor colorize(const Tensor& plane, Colormap map, std::optional<std::pair<double, double>> range = std::nullopt);
/// An image [C, H, W] (C = 1 or 3) as RGB [3, H, W] in [0, 1], min-max normalised over the whole image.
Tensor to_rgb(const Tensor& image);
/// The image [3, H, W] blended with a heatmap [H, W] in [0, 1] through `map` (alpha: weight of the heat).
Tensor overlay(const Tensor& rgb, const Tensor& heat, Colormap map = Colormap::hot, double alpha = 0.5);

/// Writes RGB [3, H, W] in [0, 1] as a PNG of the same size.
void write_png(const std::string& path, const Tensor& rgb);
/// Reads a PNG as [3, H, W] f32 in [0, 1] (alpha dropped). Throws with the path and a HINT for a bad file.
Tensor read_png(const std::string& path);

/// A rectangle over a panel, in the panel image's pixel coordinates (may extend past its edges).
struct Box {
  double top = 0, left = 0, height = 0, width = 0;
  std::string color = "#00c0ff";
};

/// One picture in a grid: RGB [3, H, W], a title (lines split on '\n') and optional boxes drawn over it.
struct Panel {
  Tensor rgb{};
  std::string title{};
  std::string title_color = "#000000";  // e.g. "#d00000" for a wrong prediction
  std::vector<Box> boxes{};
};

/// A titled block of panels laid out in rows of `columns`.
struct Section {
  std::string title{};
  std::vector<Panel> panels{};
  int64_t columns = 8;
};

struct FigureOptions {
  std::string title{};
  double cell = 96;         // displayed width of each panel in pixels (height follows the aspect ratio)
  bool side_by_side = false;  // sections next to each other instead of stacked
};

/// Draws the sections (images scaled with nearest-neighbour, titles in DejaVu Sans) to a .png or .svg file.
/// Usage: save_figure("filters.png", {{.title = "conv1 [32, 1, 3, 3]", .panels = panels}}, {.title = "simplecnn"});
void save_figure(const std::string& path, const std::vector<Section>& sections, const FigureOptions& options = {});

}  // namespace cnn::viz
