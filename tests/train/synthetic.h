// Tiny in-memory classification data and a small BN + dropout CNN for the training-loop tests: an image's class
// is drawn as a bright horizontal band at a class-dependent row, plus seeded noise. Not a test by itself.
#pragma once

#include <cnn/data.h>
#include <cnn/nn.h>

#include <memory>

namespace cnn::test {

/// `size` RGB images of side x side bytes, `classes` classes (label = i % classes).
class BandDataset : public Dataset {
 public:
  BandDataset(int64_t size, int64_t classes, int64_t side = 12) : size_(size), classes_(classes), side_(side) {}
  int64_t size() const override { return size_; }
  int64_t get_into(int64_t i, Image& out, SampleRng& rng) const override {
    const int64_t label = i % classes_;
    out.reset_bytes(side_, side_, 3);
    SampleRng noise(1234, 0, i);
    for (int64_t y = 0; y < side_; ++y)
      for (int64_t x = 0; x < side_; ++x)
        for (int64_t c = 0; c < 3; ++c) {
          const bool band = y == (label * side_) / classes_;
          out.at(y, x, c) = static_cast<uint8_t>((band ? 200 : 20) + noise.randint(0, 40));
        }
    return label;
  }
  int64_t label(int64_t i) const override { return i % classes_; }
  Shape image_shape() const override { return Shape{3, side_, side_}; }

 private:
  int64_t size_, classes_, side_;
};

/// The band data as float tensors, with crop + flip augmentation when `augment`.
inline std::shared_ptr<Dataset> band_data(int64_t size, int64_t classes, bool augment) {
  auto raw = std::make_shared<BandDataset>(size, classes);
  auto t = transforms::create_transform({.is_training = augment,
                                         .crop_pad = augment ? 1 : 0,
                                         .hflip = augment ? 0.5 : 0.0,
                                         .mean = {0.3f, 0.3f, 0.3f},
                                         .std = {0.3f, 0.3f, 0.3f}},
                                        raw->image_shape());
  return std::make_shared<TransformedDataset>(raw, t);
}

/// conv(3->8) + BN + ReLU + Dropout + average pool to 4x4 + Linear: BN buffers and dropout's generator both matter.
inline std::shared_ptr<Sequential> small_cnn(int64_t classes) {
  auto m = std::make_shared<Sequential>();
  m->push_back(Conv2d(3, 8, {.kernel_size = 3, .padding = 1}));
  m->push_back(BatchNorm2d(8));
  m->push_back(ReLU());
  m->push_back(Dropout(0.2));
  m->push_back(AdaptiveAvgPool2d(4));
  m->push_back(Flatten());
  m->push_back(Linear(8 * 4 * 4, classes));
  return m;
}

}  // namespace cnn::test
