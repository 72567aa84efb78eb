// create_transform: timm's recipe builder (transforms_factory.py) for training and evaluation pipelines.
// Not the transforms themselves (transforms.cpp).
#include <cnn/transforms_factory.h>

#include <cmath>

namespace cnn::transforms {

std::shared_ptr<Compose> create_transform(const TransformConfig& config, const Shape& raw_shape) {
  CNN_CHECK(raw_shape.dim() == 3 || config.image_size > 0,
            "create_transform: need the raw image shape [C, H, W] or an image_size, got {}", raw_shape);
  const int64_t raw_h = raw_shape.dim() == 3 ? raw_shape[1] : 0, raw_w = raw_shape.dim() == 3 ? raw_shape[2] : 0;
  const int64_t size = config.image_size > 0 ? config.image_size : std::min(raw_h, raw_w);
  const bool native = raw_h == size && raw_w == size;
  CNN_CHECK(size <= kMaxImageSize,
            "create_transform: image_size {} is more than the limit of {}\nHINT: pass a smaller --img-size", size,
            kMaxImageSize);
  CNN_CHECK(config.crop_pct > 0.0 && config.crop_pct <= 1.0, "create_transform: crop_pct must be in (0, 1], got {}",
            config.crop_pct);
  CNN_CHECK(config.crop_pad >= 0, "create_transform: crop_pad must be non-negative, got {}", config.crop_pad);
  std::vector<std::shared_ptr<const Transform>> t;
  if (config.is_training) {
    if (config.random_resized_crop) {
      t.push_back(std::make_shared<RandomResizedCrop>(
          size, RandomResizedCropOptions{.scale = config.scale, .ratio = config.ratio}));
    } else {
      if (!native) {
        t.push_back(std::make_shared<Resize>(size));
        t.push_back(std::make_shared<CenterCrop>(size));
      }
      if (config.crop_pad > 0)
        t.push_back(std::make_shared<RandomCrop>(size, RandomCropOptions{.padding = {config.crop_pad}}));
    }
    if (config.hflip > 0) t.push_back(std::make_shared<RandomHorizontalFlip>(config.hflip));
    if (config.vflip > 0) t.push_back(std::make_shared<RandomVerticalFlip>(config.vflip));
    if (config.rotate > 0)
      t.push_back(std::make_shared<RandomRotation>(config.rotate,
                                                   RandomRotationOptions{.interpolation = Interpolation::bilinear}));
    if (config.color_jitter > 0)
      t.push_back(std::make_shared<ColorJitter>(ColorJitterOptions{
          .brightness = config.color_jitter, .contrast = config.color_jitter, .saturation = config.color_jitter}));
  } else if (!native || config.crop_pct < 1.0) {
    const auto scale_size = static_cast<int64_t>(std::floor(static_cast<double>(size) / config.crop_pct));
    t.push_back(std::make_shared<Resize>(scale_size));
    t.push_back(std::make_shared<CenterCrop>(size));
  }
  t.push_back(std::make_shared<ToTensor>());
  if (!config.mean.empty()) t.push_back(std::make_shared<Normalize>(config.mean, config.std));
  if (config.is_training && config.reprob > 0)
    t.push_back(
        std::make_shared<RandomErasing>(RandomErasingOptions{.p = config.reprob, .random_value = config.remode_pixel}));
  return std::make_shared<Compose>(std::move(t));
}

}  // namespace cnn::transforms
