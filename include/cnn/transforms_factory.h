// timm's create_transform: the training and evaluation pipelines from train.py-style settings (crop padding,
// RandomResizedCrop, flips, rotation, colour jitter, RandomErasing, crop_pct). Not the transforms (transforms.h).
#pragma once

#include <cnn/transforms.h>

#include <memory>
#include <vector>

namespace cnn::transforms {

/// The largest image side create_transform builds a pipeline for (a 8192 x 8192 RGB image is 805 MB of floats).
inline constexpr int64_t kMaxImageSize = 8192;

/// The settings of timm's create_transform (flag names as in timm's train.py).
struct TransformConfig {
  bool is_training = false;
  int64_t image_size = 0;            // output side; 0: the dataset's own size (raw_shape)
  int64_t crop_pad = 0;              // training: RandomCrop(image_size, padding=crop_pad) (the CIFAR recipe)
  bool random_resized_crop = false;  // training: RandomResizedCrop(image_size, scale, ratio) instead
  Range scale = {0.08, 1.0};
  Range ratio = {3.0 / 4.0, 4.0 / 3.0};
  double hflip = 0.5;
  double vflip = 0.0;
  double rotate = 0.0;                     // degrees, bilinear
  double color_jitter = 0.0;               // brightness = contrast = saturation = color_jitter
  double reprob = 0.0;                     // RandomErasing probability
  bool remode_pixel = true;                // erase with per-pixel normal values (timm's default "pixel"), else zeros
  double crop_pct = 1.0;                   // evaluation: Resize(image_size / crop_pct) then CenterCrop(image_size)
  std::vector<float> mean = {}, std = {};  // Normalize; empty: none
};
/// The training or evaluation pipeline for images whose raw shape is raw_shape [C, H, W]: resize/crop,
/// flips, rotation, colour jitter, ToTensor, Normalize, RandomErasing, in timm's order.
/// Usage: auto t = create_transform({.is_training = true, .crop_pad = 4, .mean = m, .std = s}, Shape{3, 32, 32});
std::shared_ptr<Compose> create_transform(const TransformConfig& config, const Shape& raw_shape);

}  // namespace cnn::transforms
