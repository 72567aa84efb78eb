// The data side of a training run: dataset names (folder:PATH too), the timm-style augmentation settings that
// shape the transforms, and the train / validation / test splits. Not the readers or transforms (data.h).
#pragma once

#include <cnn/data.h>
#include <cnn/dataset.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn {

/// --dataset NAME or folder:PATH (an image folder at PATH, as imagefolder with --data-dir PATH).
struct DatasetSpec {
  std::string name;  // a dataset_names() entry
  std::string dir;   // the folder holding its files (resolved; the default when none was given)
};
DatasetSpec parse_dataset(const std::string& dataset, const std::string& data_dir);
/// What --dataset accepts, for help texts: "mnist, fashion-mnist, ..., folder:PATH".
std::string dataset_choices();

/// The augmentation and evaluation settings of timm's train.py that shape the transforms.
struct AugmentArgs {  // cnn train's --img-size --hflip --crop-pct --color-jitter --reprob --rotate --crop-pad
  int64_t img_size = 0;  // 0: the dataset's own size
  double hflip = 0.0, crop_pct = 1.0, color_jitter = 0.0, reprob = 0.0, rotate = 0.0;
  int64_t crop_pad = 0;
};

struct DataSplits {
  std::shared_ptr<Dataset> train, val, test;  // val is null without a validation split
  std::vector<std::string> classes;
  Shape raw_shape;  // [C, H, W] of the model's input
};

/// Opens the train split with the training transform and the test split with the evaluation one; with
/// 0 < val_split < 1, that fraction of the training images (seeded by `seed`) becomes `val`, with the evaluation
/// transform. train_subset > 0 then keeps that many of the remaining training images (a seeded random choice, as
/// random_split). Normalises with the dataset's mean and std.
DataSplits open_splits(const DatasetSpec& spec, const AugmentArgs& augment, double val_split, uint64_t seed,
                       int64_t train_subset = 0);

/// Only the test split (or the train split), with the evaluation transform: what `cnn eval` reads.
DataSplits open_eval_split(const DatasetSpec& spec, const AugmentArgs& augment, bool train_split);

/// The model's input [C, H, W] for a dataset under these settings, without reading any data (image folders: 3
/// channels at img_size).
Shape input_shape(const DatasetSpec& spec, const AugmentArgs& augment);
/// The training transform (timm's create_transform with is_training: crops, flips, rotation, jitter, ToTensor,
/// Normalize, RandomErasing) for a dataset under these settings: what open_splits gives the train split.
std::shared_ptr<const Transform> train_transform(const DatasetSpec& spec, const AugmentArgs& augment);
/// The evaluation transform (resize, centre crop, ToTensor, Normalize) for a dataset under these settings.
std::shared_ptr<const Transform> eval_transform(const DatasetSpec& spec, const AugmentArgs& augment);
/// The evaluation transform for an image file of shape file_shape [C, H, W] (any size): resized and centre-cropped
/// to the model's input, then normalised as the dataset's images are.
std::shared_ptr<const Transform> file_transform(const DatasetSpec& spec, const AugmentArgs& augment,
                                                const Shape& file_shape);

}  // namespace cnn
