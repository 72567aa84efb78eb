// The Dataset defaults, SubsetDataset, and per-image transforms (Normalize).
// Not file formats: readers live in idx.cpp and mnist.cpp.
#include <cnn/data.h>

#include <algorithm>
#include <cstring>

namespace cnn {

Tensor Transform::operator()(const Tensor& image) const {
  CNN_CHECK(image.dim() == 3 && image.dtype() == DType::f32, "transform: expected an f32 image [C, H, W], got {} {}",
            dtype_name(image.dtype()), image.shape());
  Tensor out = image.clone(MemoryFormat::contiguous);
  apply(out.data<float>(), out.shape());
  return out;
}

Normalize::Normalize(std::vector<float> mean, std::vector<float> std) : mean_(std::move(mean)), std_(std::move(std)) {
  CNN_CHECK(!mean_.empty() && mean_.size() == std_.size(),
            "Normalize: expected as many means as standard deviations (one per channel), got {} and {}", mean_.size(),
            std_.size());
  for (float s : std_) CNN_CHECK(s > 0.0f, "Normalize: standard deviations must be positive, got {}", s);
}

void Normalize::apply(float* image, const Shape& shape) const {
  const int64_t channels = shape[0];
  CNN_CHECK(channels == static_cast<int64_t>(mean_.size()) || mean_.size() == 1,
            "Normalize: has statistics for {} channels, got an image {}", mean_.size(), shape);
  const int64_t plane = shape.numel() / channels;
  for (int64_t c = 0; c < channels; ++c) {
    const size_t k = mean_.size() == 1 ? 0 : static_cast<size_t>(c);
    const float m = mean_[k], inv = 1.0f / std_[k];
    float* p = image + c * plane;
    for (int64_t i = 0; i < plane; ++i) p[i] = (p[i] - m) * inv;
  }
}

void Dataset::get_into(int64_t i, float* image, int64_t* label) const {
  Example e = get(i);
  Tensor img = e.image.contiguous();
  CNN_CHECK(img.shape() == image_shape() && img.dtype() == DType::f32,
            "Dataset: get({}) returned an image {} {}, but image_shape() is {} (f32)", i, dtype_name(img.dtype()),
            img.shape(), image_shape());
  std::memcpy(image, img.data<float>(), static_cast<size_t>(img.numel()) * sizeof(float));
  *label = e.label;
}

SubsetDataset::SubsetDataset(std::shared_ptr<const Dataset> base, int64_t count)
    : base_(std::move(base)), count_(std::min(count, base_->size())) {
  CNN_CHECK(count >= 0, "Subset: expected a non-negative count, got {}", count);
}

Example SubsetDataset::get(int64_t i) const {
  CNN_CHECK(i >= 0 && i < count_, "Subset: index {} out of range for a subset of {} samples", i, count_);
  return base_->get(i);
}

void SubsetDataset::get_into(int64_t i, float* image, int64_t* label) const {
  CNN_CHECK(i >= 0 && i < count_, "Subset: index {} out of range for a subset of {} samples", i, count_);
  base_->get_into(i, image, label);
}

}  // namespace cnn
