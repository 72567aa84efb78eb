// The data side shared by `cnn train` and `cnn eval`: --dataset names (folder:PATH too), transforms from the
// timm-style flags, the optional validation split, and loaders. Not the readers or transforms (library's data.h).
#pragma once

#include <cnn/data.h>

#include <memory>
#include <string>
#include <vector>

namespace cnn::cli {

/// --dataset NAME or folder:PATH (an image folder at PATH, as imagefolder with --data-dir PATH).
struct DatasetSpec {
  std::string name;  // a dataset_names() entry
  std::string dir;   // the folder holding its files (resolved; the default when none was given)
};
DatasetSpec parse_dataset(const std::string& dataset, const std::string& data_dir);
/// What --dataset accepts, for help texts: "mnist, fashion-mnist, ..., folder:PATH".
std::string dataset_choices();

/// The augmentation and evaluation settings of timm's train.py that shape the transforms.
struct AugmentArgs {
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

}  // namespace cnn::cli
