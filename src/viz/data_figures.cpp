// Panels of the data itself: a sample grid with class names, and one image under each step of an augmentation
// pipeline. Not figures of a model (model_figures.cpp).
#include <cnn/transforms.h>
#include <cnn/viz_model.h>
#include <fmt/format.h>

namespace cnn::viz {

namespace {

namespace T = transforms;

bool deterministic(const Transform& t) {
  return dynamic_cast<const T::ToTensor*>(&t) != nullptr || dynamic_cast<const T::Normalize*>(&t) != nullptr ||
         dynamic_cast<const T::Resize*>(&t) != nullptr || dynamic_cast<const T::CenterCrop*>(&t) != nullptr;
}

// The steps of a pipeline: a Compose's own list, or the transform alone.
std::vector<std::shared_ptr<const Transform>> steps_of(const Transform& pipeline) {
  if (const auto* c = dynamic_cast<const T::Compose*>(&pipeline)) return c->transforms();
  return {std::shared_ptr<const Transform>(&pipeline, [](const Transform*) {})};
}

Tensor shown(const Image& image) {
  Image copy = image;
  if (copy.is_bytes()) T::to_tensor(copy);
  return to_rgb(copy.to_tensor());
}

}  // namespace

Section sample_section(const Dataset& data, const std::vector<std::string>& classes, int64_t per_class) {
  CNN_CHECK(per_class > 0, "sample grid: per_class must be positive, got {}", per_class);
  const auto n = static_cast<int64_t>(classes.size());
  CNN_CHECK(n > 0, "sample grid: the dataset has no class names");
  std::vector<std::vector<int64_t>> picked(static_cast<size_t>(n));
  int64_t full = 0;
  for (int64_t i = 0; i < data.size() && full < n; ++i) {
    const int64_t label = data.label(i);
    CNN_CHECK(label >= 0 && label < n, "sample grid: sample {} has label {}, expected 0..{}", i, label, n - 1);
    auto& row = picked[static_cast<size_t>(label)];
    if (static_cast<int64_t>(row.size()) < per_class && (row.push_back(i), static_cast<int64_t>(row.size()) == per_class))
      ++full;
  }
  Section s{.title = "", .panels = {}, .columns = per_class};
  for (int64_t c = 0; c < n; ++c)
    for (int64_t k = 0; k < per_class; ++k) {
      const auto& row = picked[static_cast<size_t>(c)];
      if (row.empty()) break;
      if (k < static_cast<int64_t>(row.size()))
        s.panels.push_back({.rgb = to_rgb(data.get(row[static_cast<size_t>(k)]).image),
                            .title = fmt::format("{} (#{})", classes[static_cast<size_t>(c)], row[static_cast<size_t>(k)])});
      else
        s.panels.push_back({.rgb = ones({3, 1, 1}), .title = ""});
    }
  return s;
}

std::vector<Section> augmentation_sections(const Dataset& raw, int64_t index, const Transform& pipeline,
                                           int64_t draws, uint64_t seed, const std::vector<std::string>& classes) {
  CNN_CHECK(index >= 0 && index < raw.size(), "augmentation grid: index {} is past the {} images", index, raw.size());
  CNN_CHECK(draws > 0, "augmentation grid: draws must be positive, got {}", draws);
  Image original;
  SampleRng rng(seed, 0, index);
  const int64_t label = raw.get_into(index, original, rng);
  const auto steps = steps_of(pipeline);
  std::vector<Section> out;
  const std::string name = label >= 0 && label < static_cast<int64_t>(classes.size())
                               ? classes[static_cast<size_t>(label)]
                               : fmt::format("class {}", label);
  out.push_back({.title = fmt::format("original: training image #{} ({})", index, name),
                 .panels = {{.rgb = shown(original), .title = fmt::format("{}x{}", original.width, original.height)}},
                 .columns = draws});
  auto run = [&](const std::vector<std::shared_ptr<const Transform>>& kept, const std::string& title) {
    Section s{.title = title, .panels = {}, .columns = draws};
    for (int64_t d = 0; d < draws; ++d) {
      Image image = original;
      SampleRng draw_rng(seed + 1, d, index);
      for (const auto& t : kept) t->apply(image, draw_rng);
      s.panels.push_back({.rgb = shown(image), .title = fmt::format("draw {}", d + 1)});
    }
    out.push_back(std::move(s));
  };
  for (size_t k = 0; k < steps.size(); ++k) {
    if (deterministic(*steps[k])) continue;
    std::vector<std::shared_ptr<const Transform>> kept;
    for (size_t j = 0; j < steps.size(); ++j)
      if (j == k || deterministic(*steps[j])) kept.push_back(steps[j]);
    run(kept, steps[k]->repr());
  }
  run(steps, "the whole pipeline");
  return out;
}

}  // namespace cnn::viz
