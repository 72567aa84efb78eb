// The Dataset defaults, Transform's convenience calls, SubsetDataset and TransformedDataset.
// Not file formats (mnist.cpp, cifar.cpp, image_folder.cpp) nor seeded splits (split.cpp).
#include <cnn/dataset.h>

#include <algorithm>

namespace cnn {

Tensor Transform::operator()(const Tensor& image, uint64_t seed) const {
  CNN_CHECK(image.defined() && image.dim() == 3, "{}: expected an image tensor [C, H, W], got {}", repr(),
            image.defined() ? fmt::format("{}", image.shape()) : std::string("an undefined tensor"));
  return (*this)(Image::from_tensor(image), seed).to_tensor();
}

Image Transform::operator()(Image image, uint64_t seed) const {
  SampleRng rng(seed);
  apply(image, rng);
  return image;
}

int64_t Dataset::label(int64_t i) const {
  Image image;
  SampleRng rng;
  return get_into(i, image, rng);
}

Shape Dataset::image_shape() const {
  CNN_CHECK(size() > 0, "Dataset: image_shape() of an empty dataset\nHINT: check the data folder");
  Image image;
  SampleRng rng;
  get_into(0, image, rng);
  return image.shape();
}

Example Dataset::get(int64_t i, uint64_t seed) const {
  CNN_CHECK(i >= 0 && i < size(), "Dataset: index {} out of range for a dataset of {} samples", i, size());
  Image image;
  SampleRng rng(seed, 0, i);
  const int64_t label = get_into(i, image, rng);
  return {image.to_tensor(), label};
}

SubsetDataset::SubsetDataset(std::shared_ptr<const Dataset> base, int64_t count) : base_(std::move(base)) {
  CNN_CHECK(base_ != nullptr, "Subset: base dataset is null");
  CNN_CHECK(count >= 0, "Subset: expected a non-negative count, got {}", count);
  indices_.resize(static_cast<size_t>(std::min(count, base_->size())));
  for (size_t k = 0; k < indices_.size(); ++k) indices_[k] = static_cast<int64_t>(k);
}

SubsetDataset::SubsetDataset(std::shared_ptr<const Dataset> base, std::vector<int64_t> indices)
    : base_(std::move(base)), indices_(std::move(indices)) {
  CNN_CHECK(base_ != nullptr, "Subset: base dataset is null");
  const int64_t n = base_->size();
  for (size_t k = 0; k < indices_.size(); ++k)
    CNN_CHECK(indices_[k] >= 0 && indices_[k] < n, "Subset: index {} (position {}) out of range for a dataset of {}",
              indices_[k], k, n);
}

int64_t SubsetDataset::get_into(int64_t i, Image& out, SampleRng& rng) const {
  CNN_CHECK(i >= 0 && i < size(), "Subset: index {} out of range for a subset of {} samples", i, size());
  return base_->get_into(indices_[static_cast<size_t>(i)], out, rng);
}

int64_t SubsetDataset::label(int64_t i) const {
  CNN_CHECK(i >= 0 && i < size(), "Subset: index {} out of range for a subset of {} samples", i, size());
  return base_->label(indices_[static_cast<size_t>(i)]);
}

TransformedDataset::TransformedDataset(std::shared_ptr<const Dataset> base, std::shared_ptr<const Transform> transform)
    : base_(std::move(base)), transform_(std::move(transform)) {
  CNN_CHECK(base_ != nullptr && transform_ != nullptr, "TransformedDataset: base dataset and transform must be set");
}

int64_t TransformedDataset::get_into(int64_t i, Image& out, SampleRng& rng) const {
  const int64_t label = base_->get_into(i, out, rng);
  transform_->apply(out, rng);
  return label;
}

}  // namespace cnn
