// `cnn ablate` end to end on tiny generated MNIST-format data: the runs it trains (the baseline reused), the
// results table, CSV and chart, a failed run reported without stopping the others, reruns that skip finished
// runs, and clear errors for bad --vary keys and values and a non-plaincnn base config.
#include <cnn/data.h>
#include <cnn/io.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>

#include "test_util.h"

namespace fs = std::filesystem;
using cnn::test::CommandResult;

namespace {

fs::path temp_dir() { return cnn::test::temp_dir("ablate"); }

using cnn::test::slurp;

CommandResult cnn_cli(const std::string& args) {
  return cnn::test::run_cnn(args);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// MNIST-shaped IDX files (as test_cli.cpp's): n train and n/2 test images whose label is a bright row band.
void write_tiny_mnist(const fs::path& dir, int64_t n) {
  fs::create_directories(dir);
  for (const auto& [prefix, images_n] : {std::pair<std::string, int64_t>{"train", n}, {"t10k", n / 2}}) {
    cnn::IdxArray images{{images_n, 28, 28}, std::vector<uint8_t>(static_cast<size_t>(images_n * 784), 0)};
    cnn::IdxArray labels{{images_n}, {}};
    for (int64_t i = 0; i < images_n; ++i) {
      const int64_t label = i % 10;
      labels.data.push_back(static_cast<uint8_t>(label));
      for (int64_t x = 0; x < 28; ++x) images.data[static_cast<size_t>(i * 784 + (2 + 2 * label) * 28 + x)] = 255;
    }
    cnn::write_idx((dir / (prefix + "-images-idx3-ubyte.gz")).string(), images);
    cnn::write_idx((dir / (prefix + "-labels-idx1-ubyte.gz")).string(), labels);
  }
}

std::string summary_params(const std::string& kwargs) {
  const CommandResult r = cnn_cli("summary --model plaincnn --model-kwargs " + kwargs);
  std::smatch m;
  EXPECT_TRUE(std::regex_search(r.out, m, std::regex("Total params: ([0-9,]+)"))) << r.out << r.err;
  return m.size() > 1 ? m[1].str() : "?";
}

}  // namespace

TEST(Ablate, DepthStudyTableChartFailureAndResume) {
  const fs::path dir = temp_dir(), data = dir / "data", out = dir / "study";
  write_tiny_mnist(data, 200);
  const std::string study = fmt::format(
      "ablate --vary depth=2,3 --seeds 2 --epochs 1 --dataset mnist --data-dir {} --train-subset 100 --threads 1 "
      "--output {}",
      data.string(), out.string());
  // A corrupt checkpoint makes one run fail (it is resumed from it); the other three still train.
  fs::create_directories(out / "runs" / "depth-2" / "seed1");
  std::ofstream(out / "runs" / "depth-2" / "seed1" / "last.ckpt") << "not a checkpoint";
  CommandResult r = cnn_cli(study);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("2 configurations x 2 seeds = 4 runs"), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "\ntrain "), 4u) << r.out;
  EXPECT_EQ(count(r.out, "\ndone "), 3u) << r.out;
  EXPECT_NE(r.out.find("train depth-2/seed1 (seed 43), resuming"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("run depth-2/seed1 FAILED (exit code 1"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("    cnn: error:"), std::string::npos) << r.err;  // the log's tail
  EXPECT_NE(r.err.find("1 of 4 runs failed (depth-2/seed1)"), std::string::npos) << r.err;
  EXPECT_NE(slurp(out / "results.md").find("| depth | 2 | depth-2 | 1/2 | "), std::string::npos)
      << slurp(out / "results.md");

  // The rerun trains only the failed run, afresh once its checkpoint is gone.
  fs::remove(out / "runs" / "depth-2" / "seed1" / "last.ckpt");
  r = cnn_cli(study);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(count(r.out, "(done)"), 3u) << r.out;
  EXPECT_EQ(count(r.out, "\ntrain "), 1u) << r.out;
  EXPECT_NE(r.out.find("train depth-2/seed1 (seed 43) ->"), std::string::npos) << r.out;
  for (const char* run : {"baseline/seed0", "baseline/seed1", "depth-2/seed0"})
    EXPECT_NE(r.out.find(fmt::format("skip {} (done)", run)), std::string::npos) << run << "\n" << r.out;
  EXPECT_TRUE(fs::exists(out / "runs" / "depth-2" / "seed0" / "run_config.json"));
  EXPECT_TRUE(fs::exists(out / "runs" / "baseline" / "seed1" / "train.log"));

  // The table: the baseline's own row, then depth=2 and depth=3 (the baseline again), mean ± std over 2 seeds.
  const std::string md = slurp(out / "results.md");
  const std::string params2 = summary_params("depth=2"), params3 = summary_params("depth=3");
  std::smatch m;
  const std::regex depth2("\\| depth \\| 2 \\| depth-2 \\| 2 \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d \\| ([0-9,]+) \\|");
  ASSERT_TRUE(std::regex_search(md, m, depth2)) << md;
  EXPECT_EQ(m[1].str(), params2);
  const std::regex depth3("\\| depth \\| 3 \\(baseline\\) \\| baseline \\| 2 \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d \\| ([0-9,]+) \\|");
  ASSERT_TRUE(std::regex_search(md, m, depth3)) << md;
  EXPECT_EQ(m[1].str(), params3);
  EXPECT_NE(md.find("| baseline | depth=3 width=32 kernel=3 pool=max bn=on head=gap | baseline | 2 |"),
            std::string::npos) << md;
  EXPECT_NE(r.out.find("| depth | 2 | depth-2 | 2 |"), std::string::npos) << r.out;  // printed too

  const std::string csv = slurp(out / "results.csv");
  EXPECT_EQ(count(csv, "\n"), 4u) << csv;  // header + 3 rows
  EXPECT_EQ(csv.rfind("factor,value,config,baseline,seeds,test_acc_mean,test_acc_std,parameters,", 0), 0u) << csv;
  std::string digits2 = params2;
  digits2.erase(std::remove(digits2.begin(), digits2.end(), ','), digits2.end());
  EXPECT_TRUE(std::regex_search(csv, std::regex("\ndepth,2,depth-2,false,2,[0-9.]+,[0-9.]+," + digits2 + ",[0-9]+,")))
      << csv;
  EXPECT_NE(csv.find("\ndepth,3,baseline,true,2,"), std::string::npos) << csv;

  const std::string png = slurp(out / "results.png");
  ASSERT_GE(png.size(), 8u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_NE(slurp(out / "results.svg").find("<svg"), std::string::npos);

  // Everything done: a third run trains nothing.
  r = cnn_cli(study);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_EQ(count(r.out, "(done)"), 4u) << r.out;
  EXPECT_EQ(count(r.out, "\ntrain "), 0u) << r.out;
  fs::remove_all(dir);
}

TEST(Ablate, GridWithParallelJobsAndATrainSetting) {
  const fs::path dir = temp_dir(), data = dir / "data", out = dir / "grid";
  write_tiny_mnist(data, 100);
  const CommandResult r = cnn_cli(fmt::format(
      "ablate --grid --vary bn=on,off --vary lr=0.001,0.01 --seeds 1 --epochs 1 --dataset mnist --data-dir {} "
      "--train-subset 50 --jobs 2 --output {}",
      data.string(), out.string()));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("4 configurations x 1 seed = 4 runs"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(2 at once, "), std::string::npos) << r.out;
  EXPECT_EQ(count(r.out, "\ndone "), 4u) << r.out;
  const std::string md = slurp(out / "results.md");
  EXPECT_NE(md.find("| grid | bn=on lr=0.001 (baseline) | bn-on_lr-0.001 | 1 | "), std::string::npos) << md;
  EXPECT_NE(md.find("| grid | bn=off lr=0.01 | bn-off_lr-0.01 | 1 | "), std::string::npos) << md;
  EXPECT_NE(md.find(" ± n/a |"), std::string::npos) << md;  // one seed: no std
  // The train setting reaches the run's config; the knob its model_kwargs.
  const std::string config = slurp(out / "runs" / "bn-off_lr-0.01" / "seed0" / "run_config.json");
  EXPECT_NE(config.find("\"lr\": 0.01"), std::string::npos) << config;
  EXPECT_NE(config.find("\"bn=off\""), std::string::npos) << config;
  fs::remove_all(dir);
}

TEST(Ablate, ClearErrors) {
  const fs::path dir = temp_dir();
  const std::string common = fmt::format("--seeds 2 --epochs 1 --output {}", (dir / "study").string());
  CommandResult r = cnn_cli("ablate --vary depht=2,3 " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn: error: --vary depht: unknown setting"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("depth, width, kernel, pool, bn, head"), std::string::npos) << r.err;

  r = cnn_cli("ablate --vary pool=max,median " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--vary pool: plaincnn: pool must be one of max, avg, stride, got \"median\""),
            std::string::npos) << r.err;
  r = cnn_cli("ablate --vary depth=2,two " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--vary depth:"), std::string::npos) << r.err;
  r = cnn_cli("ablate --vary seed=1,2 " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--vary seed: the study sets seed itself"), std::string::npos) << r.err;
  r = cnn_cli("ablate --vary lr=0.01,-1 " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--vary lr"), std::string::npos) << r.err;
  r = cnn_cli("ablate --vary depth " + common);
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("expected key=value,value"), std::string::npos) << r.err;

  std::ofstream(dir / "base.json") << R"({"model": "resnet18", "epochs": 1})";
  r = cnn_cli(fmt::format("ablate --base {} --vary depth=2 {}", (dir / "base.json").string(), common));
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cnn ablate studies plaincnn, but the config's model is \"resnet18\""), std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir / "study" / "runs"));  // nothing started
  fs::remove_all(dir);
}
