// A run folder as the unit users pass around: three non-default runs (plaincnn with kwargs, simplecnn_cifar at 32
// px on MNIST, plaincnn on an image folder at 20 px) are trained with the report on, then every command that
// consumes a trained model opens them by folder alone: eval, viz filters/features/saliency/gradcam, report,
// features, run and finetune --from.
#include <cnn/cnn.h>
#include <cnn/data.h>
#include <cnn/io.h>
#include <cnn/run_spec.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

struct RunCase {
  std::string name, train_flags, layer;  // layer: for cnn features
};

std::vector<RunCase> run_cases() {
  return {{"plaincnn_kwargs",
           "--model plaincnn --model-kwargs depth=5 head=flatten width=8 --dataset mnist --data-dir {mnist} "
           "--train-subset 300",
           "features.0"},
          {"simplecnn_cifar_32px", "--model simplecnn_cifar --img-size 32 --dataset mnist --data-dir {mnist} "
                                   "--train-subset 300",
           "fc1"},
          {"image_folder", "--model plaincnn --model-kwargs depth=3 head=flatten width=8 --dataset folder:{root}/images "
                           "--img-size 20",
           "features.0"}};
}

// Two classes of 8 RGB images each per split, of varying sizes (the run resizes them to --img-size).
void write_image_folder(const std::string& root) {
  for (const char* split : {"train", "val"})
    for (int c = 0; c < 2; ++c) {
      const fs::path dir = fs::path(root) / split / (c == 0 ? "stripes" : "bars");
      fs::create_directories(dir);
      for (int i = 0; i < 8; ++i) {
        const int h = 24 + i, w = 28 + 2 * i;
        std::vector<uint8_t> px(static_cast<size_t>(h * w * 3));
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x)
            for (int k = 0; k < 3; ++k)
              px[static_cast<size_t>((y * w + x) * 3 + k)] =
                  static_cast<uint8_t>(((c == 0 ? y : x) * 40 + k * 60 + i * 7) % 256);
        write_image((dir / fmt::format("{}.png", i)).string(), Image::from_bytes(h, w, 3, px));
      }
    }
}

// CTest runs each test in its own process, so each test trains only its own run (a few seconds), once.
class RunFolderCli : public ::testing::TestWithParam<RunCase> {
 protected:
  static void SetUpTestSuite() {
    root_ = (fs::temp_directory_path() / fmt::format("cnn_test_run_folder_{}", ::getpid())).string();
    fs::remove_all(root_);
  }
  static void TearDownTestSuite() {
    if (!root_.empty()) fs::remove_all(root_);
  }
  void SetUp() override {
    if (test::mnist_dir().empty()) GTEST_SKIP() << "no MNIST at ../shared/data/mnist";
    const RunCase& c = GetParam();
    if (!trained_.contains(c.name)) {
      if (!fs::exists(root_ + "/images")) write_image_folder(root_ + "/images");
      std::string flags = std::regex_replace(c.train_flags, std::regex("\\{mnist\\}"), test::mnist_dir());
      flags = std::regex_replace(flags, std::regex("\\{root\\}"), root_);
      trained_[c.name] = cnn(fmt::format("train {} --epochs 1 --batch-size 32 --seed 3 --output {}", flags, run()));
    }
    const test::CommandResult& t = trained_[c.name];
    ASSERT_EQ(t.code, 0) << t.out << t.err;
  }
  static test::CommandResult cnn(const std::string& args) {
    return test::run_cnn(fmt::format("{} --threads 1", args));
  }
  std::string run() const { return root_ + "/runs/" + GetParam().name; }
  std::string out(const std::string& file) const { return root_ + "/" + GetParam().name + "_" + file; }

  static inline std::string root_;
  static inline std::map<std::string, test::CommandResult> trained_;
};

bool is_png(const std::string& path) { return test::slurp(path).rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

nlohmann::json read_json(const std::string& path) { return nlohmann::json::parse(test::slurp(path)); }

TEST_P(RunFolderCli, TrainingWritesTheReportAndEvalReadsTheRun) {
  const test::CommandResult& t = trained_[GetParam().name];
  EXPECT_NE(t.out.find("wrote " + run() + "/report.html"), std::string::npos) << t.out;
  EXPECT_EQ(t.err.find("warning"), std::string::npos) << t.err;
  const std::string html = test::slurp(run() + "/report.html");
  const RunSpec spec = RunSpec::load(run());
  EXPECT_NE(html.find(fmt::format("<h1>{} on {}</h1>", spec.model, spec.dataset)), std::string::npos);
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_TRUE(is_png(run() + "/figures/explanations.png"));
  // Per-step curves: one row per step, drawn beside the epoch points; the settings table lists what differs.
  const nlohmann::json steps = read_json(run() + "/metrics.json")["steps"];
  ASSERT_FALSE(steps["rows"].empty());
  EXPECT_EQ(steps["rows"].size(), steps["rows"][0][2].get<size_t>()) << "one epoch: every step of it";
  EXPECT_TRUE(is_png(run() + "/figures/loss.png"));
  EXPECT_TRUE(fs::is_regular_file(run() + "/figures/accuracy.svg"));
  EXPECT_NE(html.find("Settings that differ from <code>cnn train</code>'s defaults"), std::string::npos);
  EXPECT_NE(html.find(fmt::format("<tr><th style=\"text-align:left\">model</th><td style=\"text-align:left\">{}</td>",
                                  spec.model)),
            std::string::npos);
  EXPECT_EQ(html.find("<tr><th style=\"text-align:left\">opt</th>"), std::string::npos) << "the default optimiser is not listed";
  EXPECT_NE(html.find("<details><summary>Full configuration (JSON)"), std::string::npos);
  fs::remove(run() + "/report.html");
  const auto rebuilt = cnn("report " + run());
  ASSERT_EQ(rebuilt.code, 0) << rebuilt.err;
  EXPECT_NE(test::slurp(run() + "/report.html").find("Confusion matrix"), std::string::npos);

  const auto r = cnn("eval " + run());
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json metrics = read_json(run() + "/metrics.json");
  const double acc = metrics["epochs"].back()["test_acc"].get<double>();
  EXPECT_NE(r.out.find(fmt::format("top-1 {:.2f}%", 100 * acc)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(run() + "/model.safetensors"), std::string::npos) << r.out;
}

// Every viz kind opens the run; then the run moves to another machine without its data folder: filters still draw
// (no data is read), eval names the missing folder.
TEST_P(RunFolderCli, EveryVizKindOpensTheRunAndFiltersNeedOnlyTheFolder) {
  for (const char* kind : {"filters", "features", "saliency", "gradcam", "curves", "samples", "augment"}) {
    const std::string png = out(std::string(kind) + ".png");
    const auto r = cnn(fmt::format("viz {} {} -o {}", kind, run(), png));
    EXPECT_EQ(r.code, 0) << kind << ": " << r.err;
    EXPECT_TRUE(is_png(png)) << kind;
  }
  const std::string moved = out("moved");
  fs::create_directories(moved);
  for (const char* f : {"config.json", "model.safetensors"}) fs::copy_file(run() + "/" + f, moved + "/" + f);
  nlohmann::json config = read_json(moved + "/config.json");
  const std::string dataset = config["dataset"];
  config["data_dir"] = "/nonexistent/data";
  if (dataset.rfind("folder:", 0) == 0) config["dataset"] = "folder:/nonexistent/data";
  std::ofstream(moved + "/config.json") << config.dump(2);
  const auto r = cnn(fmt::format("viz filters {} -o {}", moved, out("moved.png")));
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(is_png(out("moved.png")));
  EXPECT_NE(r.out.find("wrote"), std::string::npos);
  const auto e = cnn("eval " + moved);
  EXPECT_EQ(e.code, 1);
  EXPECT_NE(e.err.find("/nonexistent/data"), std::string::npos) << e.err;
}

TEST_P(RunFolderCli, FeaturesRunAndFinetuneReadTheRun) {
  const std::string file = out("features.safetensors");
  const auto features = cnn(fmt::format("features {} --layer {} --limit 10 --output {}", run(), GetParam().layer, file));
  ASSERT_EQ(features.code, 0) << features.err;
  const StateDict f = load_safetensors(file);
  ASSERT_TRUE(f.contains("features") && f.contains("labels"));
  EXPECT_EQ(f.find("features")->shape()[0], 10);
  EXPECT_EQ(f.find("labels")->shape(), Shape{10});
  EXPECT_EQ(load_safetensors_metadata(file).at("layer"), GetParam().layer);
  const RunSpec spec = RunSpec::load(run());
  const Shape in = spec.input_shape();
  const Tensor x = test::uniform({2, in[0], in[1], in[2]});
  save_safetensors(out("x.safetensors"), {{"input", x}});
  const auto ran = cnn(fmt::format("run {} --input {} --output {}", run(), out("x.safetensors"), out("y.safetensors")));
  ASSERT_EQ(ran.code, 0) << ran.err;
  const auto from_ckpt = cnn(fmt::format("run {} --weights {}/last.ckpt --input {} --output {}", run(), run(),
                                         out("x.safetensors"), out("y2.safetensors")));
  ASSERT_EQ(from_ckpt.code, 0) << from_ckpt.err;
  {
    ModulePtr model = spec.load_model();
    NoGradGuard no_grad;
    const Tensor expected = (*model)(x);
    EXPECT_ALLCLOSE(*load_safetensors(out("y.safetensors")).find("output"), expected, 1e-5, 1e-5);
    EXPECT_ALLCLOSE(*load_safetensors(out("y2.safetensors")).find("output"), expected, 1e-5, 1e-5);
  }

  const std::string data = spec.dataset.rfind("folder:", 0) == 0
                               ? fmt::format("--dataset {} --img-size {}", spec.dataset, spec.augment.img_size)
                               : fmt::format("--dataset mnist --data-dir {} --img-size {} --train-subset 128",
                                             spec.data_dir, spec.augment.img_size);
  const std::string ft = out("finetuned");
  const auto r = cnn(fmt::format("finetune --from {} {} --epochs 1 --batch-size 32 --output {}", run(), data, ft));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const RunSpec tuned = RunSpec::load(ft);
  EXPECT_EQ(tuned.model, spec.model);
  EXPECT_EQ(tuned.model_kwargs, spec.model_kwargs);
  EXPECT_EQ(read_json(ft + "/config.json")["weights"], run() + "/model.safetensors");
  EXPECT_TRUE(fs::is_regular_file(ft + "/report.html"));
}

void PrintTo(const RunCase& c, std::ostream* os) { *os << c.name; }

INSTANTIATE_TEST_SUITE_P(NonDefaultRuns, RunFolderCli, ::testing::ValuesIn(run_cases()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace cnn
