// report.html: every section present, pictures embedded, and (where Debian's chromium is installed) it renders
// in headless Chromium with no console messages and a DOM holding every section.
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace cnn {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kSections{"config", "summary", "curves", "filters", "confusion", "predictions", "saliency"};

using cnn::test::slurp;

std::string run(const std::string& command) { return cnn::test::run_command(command).out; }

// A run folder as cnn train leaves it: config.json, metrics.json (two epochs) and an untrained simplecnn's weights.
fs::path make_run(const std::string& data_dir) {
  const fs::path dir = fs::temp_directory_path() / "cnn_test_viz_report";
  fs::remove_all(dir);
  fs::create_directories(dir);
  manual_seed(0);
  ModulePtr model = models::create("simplecnn");
  save_state_dict(*model, (dir / "model.safetensors").string());
  std::ofstream(dir / "config.json")
      << R"({"model": "simplecnn", "num_classes": 10, "dataset": "mnist", "data_dir": ")" << data_dir << R"("})";
  std::ofstream(dir / "metrics.json")
      << R"({"config": {"model": "simplecnn", "dataset": "mnist", "data_dir": ")" << data_dir
      << R"(", "lr": 0.001, "epochs": 2}, "epochs": [)"
      << R"({"epoch": 1, "train_loss": 0.31, "train_acc": 0.90, "test_loss": 0.12, "test_acc": 0.96, "lr": 0.001},)"
      << R"({"epoch": 2, "train_loss": 0.09, "train_acc": 0.97, "test_loss": 0.07, "test_acc": 0.978, "lr": 0.0005}]})";
  return dir;
}

TEST(Report, HasEverySectionAndRendersInChromium) {
  const std::string data = test::mnist_dir();
  if (data.empty()) GTEST_SKIP() << "MNIST not found under ../shared/data/mnist";
  const fs::path dir = make_run(data);
  const std::string path = viz::write_report(dir.string(), {.eval_samples = 200, .explain_samples = 2});
  const std::string html = slurp(path);
  for (const std::string& id : kSections) EXPECT_NE(html.find("<section id=\"" + id + "\">"), std::string::npos) << id;
  EXPECT_NE(html.find("data:image/png;base64,iVBORw0KGgo"), std::string::npos);  // embedded PNGs
  EXPECT_EQ(html.find("src=\"figures/"), std::string::npos);                      // nothing linked
  EXPECT_NE(html.find("Grad-CAM"), std::string::npos);
  for (const char* f : {"loss.png", "loss.svg", "accuracy.png", "lr.svg", "filters.png", "confusion.png",
                        "predictions.png", "explanations.png"})
    EXPECT_TRUE(fs::exists(dir / "figures" / f)) << f;

  if (!fs::exists("/usr/bin/chromium")) GTEST_SKIP() << "/usr/bin/chromium is absent: install Debian's chromium to render the report";
  const std::string flags =
      "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --enable-logging=stderr --v=0 --user-data-dir=" +
      (dir / "profile").string();
  const fs::path shot = dir / "screenshot.png";
  const std::string log = run("/usr/bin/chromium " + flags + " --window-size=1200,3000 --screenshot=" + shot.string() +
                              " file://" + path + " 2>&1");
  ASSERT_TRUE(fs::exists(shot)) << log;
  EXPECT_GT(fs::file_size(shot), 10000u);
  EXPECT_EQ(log.find(":CONSOLE"), std::string::npos) << log;
  const std::string dom = run("/usr/bin/chromium " + flags + " --dump-dom file://" + path + " 2>/dev/null");
  for (const std::string& id : kSections) EXPECT_NE(dom.find("id=\"" + id + "\""), std::string::npos) << id;
}

}  // namespace
}  // namespace cnn
