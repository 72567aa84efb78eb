// Dataset names and train/val/test datasets with timm-style transforms (see data_splits.h).
#include <cnn/data_splits.h>

#include <fmt/format.h>

#include <algorithm>

namespace cnn {

DatasetSpec parse_dataset(const std::string& dataset, const std::string& data_dir) {
  const std::string prefix = "folder:";
  if (dataset.rfind(prefix, 0) == 0) {
    CNN_CHECK(dataset.size() > prefix.size(), "--dataset folder:PATH needs a PATH");
    return {"imagefolder", dataset.substr(prefix.size())};
  }
  const auto names = dataset_names();
  CNN_CHECK(std::find(names.begin(), names.end(), dataset) != names.end(),
            "--dataset: unknown dataset '{}'; the datasets are {}", dataset, dataset_choices());
  return {dataset, resolve_data_dir(dataset, data_dir)};
}

std::string dataset_choices() { return fmt::format("{}, folder:PATH", fmt::join(dataset_names(), ", ")); }

namespace {

transforms::TransformConfig transform_config(const DatasetInfo& info, const AugmentArgs& a, bool training) {
  return {.is_training = training,
          .image_size = a.img_size,
          .crop_pad = a.crop_pad,
          .hflip = a.hflip,
          .rotate = a.rotate,
          .color_jitter = a.color_jitter,
          .reprob = a.reprob,
          .crop_pct = a.crop_pct,
          .mean = info.mean,
          .std = info.std};
}

// The raw shape transforms start from, and the model's input shape after them.
// Image folders hold images of any size: they are always resized and centre-cropped to --img-size.
std::pair<Shape, Shape> shapes(const DatasetInfo& info, const AugmentArgs& a) {
  if (info.image_shape.dim() != 3) {
    CNN_CHECK(a.img_size > 0,
              "--img-size: an image-folder dataset needs the side to resize its images to (e.g. "
              "--img-size 64)");
    return {Shape{3, 0, 0}, Shape{3, a.img_size, a.img_size}};
  }
  const Shape& shape = info.image_shape;
  const int64_t side = a.img_size > 0 ? a.img_size : std::min(shape[1], shape[2]);
  return {shape, Shape{shape[0], side, side}};
}

std::vector<std::string> classes_of(const DatasetInfo& info, const Dataset& data) {
  return info.classes.empty() ? data.classes() : info.classes;
}

}  // namespace

DataSplits open_splits(const DatasetSpec& spec, const AugmentArgs& augment, double val_split, uint64_t seed,
                       int64_t train_subset) {
  const DatasetInfo info = dataset_info(spec.name);
  auto raw_train = open_dataset(spec.name, spec.dir, true);
  const auto [raw, input] = shapes(info, augment);
  auto train_t = transforms::create_transform(transform_config(info, augment, true), raw);
  auto eval_t = transforms::create_transform(transform_config(info, augment, false), raw);
  DataSplits s;
  s.raw_shape = input;
  s.classes = classes_of(info, *raw_train);
  s.test = open_dataset(spec.name, spec.dir, false, eval_t);
  std::shared_ptr<const Dataset> train_part = raw_train;
  if (val_split > 0) {
    CNN_CHECK(val_split < 1, "--val-split: expected a fraction in (0, 1), got {}", val_split);
    auto [kept, val_part] = train_val_split(raw_train, val_split, seed);
    train_part = kept;
    s.val = std::make_shared<TransformedDataset>(val_part, eval_t);
  }
  if (train_subset > 0) {
    const int64_t n = train_part->size();
    CNN_CHECK(train_subset <= n, "--train-subset: asked for {} images, but the training split has {}", train_subset,
              n);
    train_part = random_split(train_part, {train_subset, n - train_subset}, seed)[0];
  }
  s.train = std::make_shared<TransformedDataset>(train_part, train_t);
  return s;
}

DataSplits open_eval_split(const DatasetSpec& spec, const AugmentArgs& augment, bool train_split) {
  const DatasetInfo info = dataset_info(spec.name);
  auto raw = open_dataset(spec.name, spec.dir, train_split);
  const auto [raw_shape, input] = shapes(info, augment);
  DataSplits s;
  s.raw_shape = input;
  s.classes = classes_of(info, *raw);
  s.test = std::make_shared<TransformedDataset>(
      raw, transforms::create_transform(transform_config(info, augment, false), raw_shape));
  return s;
}

Shape input_shape(const DatasetSpec& spec, const AugmentArgs& augment) {
  return shapes(dataset_info(spec.name), augment).second;
}

std::shared_ptr<const Transform> train_transform(const DatasetSpec& spec, const AugmentArgs& augment) {
  const DatasetInfo info = dataset_info(spec.name);
  return transforms::create_transform(transform_config(info, augment, true), shapes(info, augment).first);
}

std::shared_ptr<const Transform> eval_transform(const DatasetSpec& spec, const AugmentArgs& augment) {
  const DatasetInfo info = dataset_info(spec.name);
  return transforms::create_transform(transform_config(info, augment, false), shapes(info, augment).first);
}

std::shared_ptr<const Transform> file_transform(const DatasetSpec& spec, const AugmentArgs& augment,
                                                const Shape& file_shape) {
  const DatasetInfo info = dataset_info(spec.name);
  AugmentArgs sized = augment;
  sized.img_size = shapes(info, augment).second[2];
  return transforms::create_transform(transform_config(info, sized, false), file_shape);
}

}  // namespace cnn
