// The transform objects of transforms.h: parameter checks, random draws from the sample's SampleRng (in
// torchvision's order), and their printed form. Not the pixel work (geometry.cpp, resize.cpp, rotate.cpp, color.cpp).
#include <cnn/transforms.h>

#include <array>
#include <cmath>

namespace cnn::transforms {

namespace {

const char* interpolation_name(Interpolation i) { return i == Interpolation::nearest ? "nearest" : "bilinear"; }

const char* padding_mode_name(PaddingMode mode) {
  switch (mode) {
    case PaddingMode::constant:
      return "constant";
    case PaddingMode::edge:
      return "edge";
    case PaddingMode::reflect:
      return "reflect";
    case PaddingMode::symmetric:
      return "symmetric";
  }
  return "?";
}

std::string size_repr(ImageSize s) { return fmt::format("({}, {})", s.height, s.width); }
std::string range_repr(Range r) { return fmt::format("({:g}, {:g})", r.low, r.high); }

void check_size(ImageSize s, const char* what) {
  CNN_CHECK(s.height > 0 && s.width > 0, "{}: expected a positive size, got ({}, {})", what, s.height, s.width);
}
void check_probability(double p, const char* what) {
  CNN_CHECK(p >= 0.0 && p <= 1.0, "{}: expected a probability p in [0, 1], got {}", what, p);
}
void check_range(Range r, const char* what, const char* name) {
  CNN_CHECK(r.low <= r.high, "{}: {} should be (min, max) with min <= max, got ({}, {})", what, name, r.low, r.high);
}

// Python's int(round(x)): halves to even.
int64_t round_half_even(double x) { return static_cast<int64_t>(std::nearbyint(x)); }

}  // namespace

Compose::Compose(std::vector<std::shared_ptr<const Transform>> transforms) : transforms_(std::move(transforms)) {
  for (size_t k = 0; k < transforms_.size(); ++k)
    CNN_CHECK(transforms_[k] != nullptr, "Compose: transform {} of {} is null", k, transforms_.size());
}

void Compose::apply(Image& image, SampleRng& rng) const {
  for (const auto& t : transforms_) t->apply(image, rng);
}

std::string Compose::repr() const {
  std::string out = "Compose(\n";
  for (const auto& t : transforms_) out += "    " + t->repr() + "\n";
  return out + ")";
}

void ToTensor::apply(Image& image, SampleRng&) const { to_tensor(image); }

Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
  CNN_CHECK(!mean_.empty() && mean_.size() == std_.size(),
            "Normalize: expected as many means as standard deviations (one per channel), got {} and {}", mean_.size(),
            std_.size());
  for (float s : std_) CNN_CHECK(s > 0.0f, "Normalize: standard deviations must be positive, got {}", s);
}

void Normalize::apply(Image& image, SampleRng&) const { normalize(image, mean_, std_); }

std::string Normalize::repr() const {
  return fmt::format("Normalize(mean=[{}], std=[{}])", fmt::join(mean_, ", "), fmt::join(std_, ", "));
}

Resize::Resize(int64_t shorter_side, ResizeOptions options)
    : shorter_side_(shorter_side), size_(shorter_side), options_(options) {
  CNN_CHECK(shorter_side > 0, "Resize: expected a positive size, got {}", shorter_side);
  CNN_CHECK(!options_.max_size || *options_.max_size > shorter_side,
            "Resize: max_size ({}) must be larger than the requested size ({})", options_.max_size.value_or(0),
            shorter_side);
}

Resize::Resize(ImageSize size, ResizeOptions options) : size_(size), options_(options) {
  check_size(size, "Resize");
  CNN_CHECK(!options_.max_size, "Resize: max_size is only for a single (shorter-side) size, got ({}, {})", size.height,
            size.width);
}

void Resize::apply(Image& image, SampleRng&) const {
  const ImageSize target =
      shorter_side_ ? resize_output_size(image.height, image.width, *shorter_side_, options_.max_size) : size_;
  resize(image, target, options_.interpolation);
}

std::string Resize::repr() const {
  return fmt::format("Resize(size={}, interpolation={}, max_size={})",
                     shorter_side_ ? std::to_string(*shorter_side_) : size_repr(size_),
                     interpolation_name(options_.interpolation),
                     options_.max_size ? std::to_string(*options_.max_size) : "None");
}

CenterCrop::CenterCrop(ImageSize size) : size_(size) { check_size(size, "CenterCrop"); }
void CenterCrop::apply(Image& image, SampleRng&) const { center_crop(image, size_); }
std::string CenterCrop::repr() const { return fmt::format("CenterCrop(size={})", size_repr(size_)); }

RandomCrop::RandomCrop(ImageSize size, RandomCropOptions options)
    : size_(size), options_(std::move(options)), padding_(Padding::from(options_.padding)) {
  check_size(size, "RandomCrop");
}

void RandomCrop::apply(Image& image, SampleRng& rng) const {
  Padding p = padding_;
  int64_t h = image.height + p.top + p.bottom, w = image.width + p.left + p.right;
  if (options_.pad_if_needed && (w < size_.width || h < size_.height)) {
    // torchvision pads in steps (padding, then width, then height); reflections of a padded image differ.
    pad(image, p, options_.padding_mode, options_.fill);
    if (image.width < size_.width)
      pad(image, Padding{size_.width - image.width, 0, size_.width - image.width, 0}, options_.padding_mode,
          options_.fill);
    if (image.height < size_.height)
      pad(image, Padding{0, size_.height - image.height, 0, size_.height - image.height}, options_.padding_mode,
          options_.fill);
    p = Padding{};
    h = image.height;
    w = image.width;
  }
  CNN_CHECK(h >= size_.height && w >= size_.width,
            "RandomCrop: required crop size ({}, {}) is larger than the (padded) input image size ({}, {})\nHINT: "
            "add padding, set pad_if_needed, or Resize first",
            size_.height, size_.width, h, w);
  CropBox box{0, 0, size_.height, size_.width};
  if (h != size_.height || w != size_.width) {
    box.top = rng.randint(0, h - size_.height + 1);
    box.left = rng.randint(0, w - size_.width + 1);
  }
  pad_crop(image, p, box, options_.padding_mode, options_.fill);
}

std::string RandomCrop::repr() const {
  return fmt::format("RandomCrop(size={}, padding=[{}], pad_if_needed={}, fill={:g}, padding_mode={})",
                     size_repr(size_), fmt::join(options_.padding, ", "), options_.pad_if_needed ? "True" : "False",
                     options_.fill, padding_mode_name(options_.padding_mode));
}

RandomHorizontalFlip::RandomHorizontalFlip(double p) : p_(p) { check_probability(p, "RandomHorizontalFlip"); }
void RandomHorizontalFlip::apply(Image& image, SampleRng& rng) const {
  if (rng.uniform() < p_) hflip(image);
}
std::string RandomHorizontalFlip::repr() const { return fmt::format("RandomHorizontalFlip(p={:g})", p_); }

RandomVerticalFlip::RandomVerticalFlip(double p) : p_(p) { check_probability(p, "RandomVerticalFlip"); }
void RandomVerticalFlip::apply(Image& image, SampleRng& rng) const {
  if (rng.uniform() < p_) vflip(image);
}
std::string RandomVerticalFlip::repr() const { return fmt::format("RandomVerticalFlip(p={:g})", p_); }

RandomRotation::RandomRotation(double degrees, RandomRotationOptions options)
    : range_{-degrees, degrees}, options_(options) {
  CNN_CHECK(degrees >= 0.0, "RandomRotation: a single degrees value must be non-negative, got {}", degrees);
}
RandomRotation::RandomRotation(Range range, RandomRotationOptions options) : range_(range), options_(options) {
  check_range(range, "RandomRotation", "degrees");
}
void RandomRotation::apply(Image& image, SampleRng& rng) const {
  rotate(image, rng.uniform(range_.low, range_.high), options_.interpolation, options_.fill);
}
std::string RandomRotation::repr() const {
  return fmt::format("RandomRotation(degrees=[{:g}, {:g}], interpolation={}, expand=False, fill={:g})", range_.low,
                     range_.high, interpolation_name(options_.interpolation), options_.fill);
}

RandomResizedCrop::RandomResizedCrop(ImageSize size, RandomResizedCropOptions options)
    : size_(size), options_(options) {
  check_size(size, "RandomResizedCrop");
  check_range(options.scale, "RandomResizedCrop", "scale");
  check_range(options.ratio, "RandomResizedCrop", "ratio");
  CNN_CHECK(options.scale.low > 0.0 && options.ratio.low > 0.0,
            "RandomResizedCrop: scale and ratio must be positive, got scale {} and ratio {}", range_repr(options.scale),
            range_repr(options.ratio));
}

CropBox RandomResizedCrop::get_params(int64_t height, int64_t width, Range scale, Range ratio, SampleRng& rng) {
  const double area = static_cast<double>(height * width);
  const double log_low = std::log(ratio.low), log_high = std::log(ratio.high);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * rng.uniform(scale.low, scale.high);
    const double aspect = std::exp(rng.uniform(log_low, log_high));
    const int64_t w = round_half_even(std::sqrt(target_area * aspect));
    const int64_t h = round_half_even(std::sqrt(target_area / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const int64_t top = rng.randint(0, height - h + 1);
      const int64_t left = rng.randint(0, width - w + 1);
      return {top, left, h, w};
    }
  }
  // Fallback: the centre crop, as wide or as tall as the ratio range allows.
  const double in_ratio = static_cast<double>(width) / static_cast<double>(height);
  int64_t w = width, h = height;
  if (in_ratio < ratio.low) {
    h = round_half_even(static_cast<double>(w) / ratio.low);
  } else if (in_ratio > ratio.high) {
    w = round_half_even(static_cast<double>(h) * ratio.high);
  }
  return {(height - h) / 2, (width - w) / 2, h, w};
}

void RandomResizedCrop::apply(Image& image, SampleRng& rng) const {
  const CropBox box = get_params(image.height, image.width, options_.scale, options_.ratio, rng);
  resized_crop(image, box, size_, options_.interpolation);
}

std::string RandomResizedCrop::repr() const {
  return fmt::format("RandomResizedCrop(size={}, scale={}, ratio={}, interpolation={})", size_repr(size_),
                     range_repr(options_.scale), range_repr(options_.ratio),
                     interpolation_name(options_.interpolation));
}

ColorJitter::ColorJitter(ColorJitterOptions options) : options_(options) {
  CNN_CHECK(options.brightness >= 0 && options.contrast >= 0 && options.saturation >= 0,
            "ColorJitter: brightness, contrast and saturation must be non-negative, got {}, {}, {}", options.brightness,
            options.contrast, options.saturation);
  CNN_CHECK(options.hue >= 0 && options.hue <= 0.5, "ColorJitter: hue must be in [0, 0.5], got {}", options.hue);
}

void ColorJitter::apply(Image& image, SampleRng& rng) const {
  // As torchvision's get_params: a random order (Fisher-Yates), then every enabled factor, then the adjustments.
  std::array<int, 4> order{0, 1, 2, 3};
  for (int i = 3; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(rng.randint(0, i + 1))]);
  auto factor = [&rng](double v) { return v > 0 ? rng.uniform(std::max(0.0, 1.0 - v), 1.0 + v) : 1.0; };
  const double b = factor(options_.brightness), c = factor(options_.contrast), s = factor(options_.saturation);
  const double h = options_.hue > 0 ? rng.uniform(-options_.hue, options_.hue) : 0.0;
  for (int fn : order) {
    if (fn == 0 && options_.brightness > 0) adjust_brightness(image, b);
    if (fn == 1 && options_.contrast > 0) adjust_contrast(image, c);
    if (fn == 2 && options_.saturation > 0) adjust_saturation(image, s);
    if (fn == 3 && options_.hue > 0) adjust_hue(image, h);
  }
}

std::string ColorJitter::repr() const {
  return fmt::format("ColorJitter(brightness={:g}, contrast={:g}, saturation={:g}, hue={:g})", options_.brightness,
                     options_.contrast, options_.saturation, options_.hue);
}

RandomErasing::RandomErasing(RandomErasingOptions options) : options_(std::move(options)) {
  check_probability(options_.p, "RandomErasing");
  check_range(options_.scale, "RandomErasing", "scale");
  check_range(options_.ratio, "RandomErasing", "ratio");
  CNN_CHECK(options_.scale.low >= 0.0 && options_.scale.high <= 1.0 && options_.ratio.low > 0.0,
            "RandomErasing: scale must lie in [0, 1] and ratio be positive, got scale {} and ratio {}",
            range_repr(options_.scale), range_repr(options_.ratio));
  CNN_CHECK(options_.random_value || !options_.value.empty(), "RandomErasing: value needs at least one number");
}

void RandomErasing::apply(Image& image, SampleRng& rng) const {
  CNN_CHECK(!image.is_bytes(),
            "RandomErasing: expected a float image, got bytes {}\nHINT: put RandomErasing after "
            "ToTensor (and Normalize)",
            image.shape());
  if (rng.uniform() >= options_.p) return;
  const int64_t ih = image.height, iw = image.width;
  const double area = static_cast<double>(ih * iw);
  const double log_low = std::log(options_.ratio.low), log_high = std::log(options_.ratio.high);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double erase_area = area * rng.uniform(options_.scale.low, options_.scale.high);
    const double aspect = std::exp(rng.uniform(log_low, log_high));
    const int64_t h = round_half_even(std::sqrt(erase_area * aspect));
    const int64_t w = round_half_even(std::sqrt(erase_area / aspect));
    if (!(h < ih && w < iw)) continue;
    const CropBox box{rng.randint(0, ih - h + 1), rng.randint(0, iw - w + 1), h, w};
    if (!options_.random_value) {
      erase(image, box, options_.value);
      return;
    }
    // Per-pixel standard normal values, written straight into the image.
    for (int64_t k = 0; k < image.channels; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          image.values[static_cast<size_t>((k * ih + box.top + y) * iw + box.left + x)] =
              static_cast<float>(rng.normal());
    return;
  }
}

std::string RandomErasing::repr() const {
  return fmt::format("RandomErasing(p={:g}, scale={}, ratio={}, value={})", options_.p, range_repr(options_.scale),
                     range_repr(options_.ratio),
                     options_.random_value ? "random" : fmt::format("[{}]", fmt::join(options_.value, ", ")));
}

}  // namespace cnn::transforms
