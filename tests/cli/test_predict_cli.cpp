// cnn predict RUN IMAGE...: MNIST test digits written as PNG files are classified as the model classifies the
// same digits from the IDX files; folders expand to their images; an image folder run prints its folder names;
// unreadable files fail naming the file.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/datasets.h>
#include <cnn/predictor.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

constexpr int kDigits = 8;

// A simplecnn run on 2,000 MNIST images (one epoch, report on) and the first kDigits test digits as PNG files.
class PredictCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    root_ = test::temp_dir("predict");
    const test::CommandResult t = test::run_cnn(fmt::format(
        "train --model simplecnn --dataset mnist --data-dir {} --train-subset 2000 --epochs 1 --batch-size 32 "
        "--seed 3 --threads 1 --output {}/run",
        test::mnist_dir(), root_));
    ASSERT_EQ(t.code, 0) << t.out << t.err;
    const auto test_set = open_dataset("mnist", test::mnist_dir(), false);
    fs::create_directories(root_ + "/digits");
    SampleRng rng(0);
    for (int i = 0; i < kDigits; ++i) {
      Image image;
      labels_.push_back(test_set->get_into(i, image, rng));
      files_.push_back(fmt::format("{}/digits/test_{}.png", root_, i));
      write_image(files_.back(), image);
    }
  }
  void TearDown() override {
    if (!root_.empty()) fs::remove_all(root_);
  }

  std::string root_;
  std::vector<std::string> files_;
  std::vector<int64_t> labels_;
};

TEST_F(PredictCli, PngDigitsGetTheClassTheModelGivesTheTestSet) {
  // What the model says about the same digits read from the IDX file with the run's eval transform.
  const Predictor predictor = Predictor::load(root_ + "/run");
  const auto test_set = load_dataset("mnist", test::mnist_dir(), false);
  std::vector<Tensor> rows;
  for (int i = 0; i < kDigits; ++i) rows.push_back(test_set->get(i).image.unsqueeze(0));
  const std::vector<Prediction> expected = predictor.predict(cat(rows, 0), 3);

  const test::CommandResult r =
      test::run_cnn(fmt::format("predict {}/run {} --topk 3 --json --threads 1", root_, fmt::join(files_, " ")));
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out.size(), static_cast<size_t>(kDigits));
  int right = 0;
  for (int i = 0; i < kDigits; ++i) {
    const nlohmann::json& item = out[static_cast<size_t>(i)];
    EXPECT_EQ(item["file"], files_[static_cast<size_t>(i)]);
    ASSERT_EQ(item["top"].size(), 3u);
    const Prediction& e = expected[static_cast<size_t>(i)];
    for (size_t j = 0; j < 3; ++j) {
      EXPECT_EQ(item["top"][j]["class"].get<int64_t>(), e.indices[j]) << "digit " << i;
      EXPECT_EQ(item["top"][j]["name"].get<std::string>(), std::to_string(e.indices[j]));
      EXPECT_NEAR(item["top"][j]["probability"].get<double>(), e.probabilities[j], 1e-6);
    }
    EXPECT_GE(item["top"][0]["probability"].get<double>(), item["top"][1]["probability"].get<double>());
    right += item["top"][0]["class"].get<int64_t>() == labels_[static_cast<size_t>(i)];
  }
  EXPECT_GE(right, kDigits - 1) << "a simplecnn after one epoch on 2,000 digits gets these easy ones right";

  // The first test digit is a 7: the text form prints it first, with its probability.
  ASSERT_EQ(labels_[0], 7);
  const test::CommandResult text = test::run_cnn(fmt::format("predict {}/run {} --topk 2 --threads 1", root_, files_[0]));
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("simplecnn from " + root_ + "/run (10 classes), 1 image"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(files_[0] + ": 7 "), std::string::npos) << text.out;
}

TEST_F(PredictCli, FoldersExpandToTheirImagesInOrder) {
  std::ofstream(root_ + "/digits/notes.txt") << "not an image";
  const test::CommandResult r =
      test::run_cnn(fmt::format("predict {}/run {}/digits --json --topk 1 --batch-size 3", root_, root_));
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out.size(), static_cast<size_t>(kDigits));
  for (int i = 0; i < kDigits; ++i) EXPECT_EQ(out[static_cast<size_t>(i)]["file"], files_[static_cast<size_t>(i)]);
}

TEST_F(PredictCli, UnreadableImagesFailNamingTheFile) {
  const std::string bad = root_ + "/corrupt.png";
  std::ofstream(bad) << "\x89PNG\r\n\x1a\n this is not a png body";
  test::CommandResult r = test::run_cnn(fmt::format("predict {}/run {} {}", root_, files_[0], bad));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: predict: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;

  r = test::run_cnn(fmt::format("predict {}/run {}/missing.png", root_, root_));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("predict: no such file or folder: " + root_ + "/missing.png"), std::string::npos) << r.err;

  fs::create_directories(root_ + "/empty");
  r = test::run_cnn(fmt::format("predict {}/run {}/empty", root_, root_));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("has no .png, .jpg, .jpeg or .bmp files"), std::string::npos) << r.err;
}

// An image-folder run at 20 px on RGB images: predict resizes other sizes and prints the folder names.
TEST(PredictCliFolder, ImageFolderRunPrintsFolderNames) {
  const std::string root = test::temp_dir("predict_folder");
  for (const char* split : {"train", "val"})
    for (int c = 0; c < 2; ++c) {
      const fs::path dir = fs::path(root) / "images" / split / (c == 0 ? "bars" : "stripes");
      fs::create_directories(dir);
      for (int i = 0; i < 6; ++i) {
        const int h = 24 + i, w = 30 + i;
        std::vector<uint8_t> px(static_cast<size_t>(h * w * 3));
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            for (int k = 0; k < 3; ++k)
              px[static_cast<size_t>((y * w + x) * 3 + k)] = static_cast<uint8_t>(((c == 0 ? x : y) % 6 < 3) * 255);
        write_image((dir / fmt::format("{}.png", i)).string(), Image::from_bytes(h, w, 3, px));
      }
    }
  const test::CommandResult t = test::run_cnn(fmt::format(
      "train --model plaincnn --model-kwargs depth=2 width=8 --dataset folder:{}/images --img-size 20 --epochs 1 "
      "--batch-size 4 --seed 1 --threads 1 --output {}/run",
      root, root));
  ASSERT_EQ(t.code, 0) << t.out << t.err;
  const test::CommandResult r =
      test::run_cnn(fmt::format("predict {}/run {}/images/val/bars --json --topk 2", root, root));
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json out = nlohmann::json::parse(r.out);
  ASSERT_EQ(out.size(), 6u);
  for (const nlohmann::json& item : out) {
    std::vector<std::string> names{item["top"][0]["name"], item["top"][1]["name"]};
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"bars", "stripes"}));
    EXPECT_NEAR(item["top"][0]["probability"].get<double>() + item["top"][1]["probability"].get<double>(), 1.0, 1e-5);
  }
  fs::remove_all(root);
}

}  // namespace
}  // namespace cnn
