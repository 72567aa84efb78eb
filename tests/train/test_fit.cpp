// The training loop: metrics (top-1/top-5, per-class accuracy, confusion matrix), fit() with callbacks, schedules,
// best.ckpt and early stopping, the NaN/Inf stop with the last good checkpoint intact, and checkpoint files that
// are cut short or altered being refused.
#include <cnn/checkpoint.h>
#include <cnn/io.h>
#include <cnn/optim.h>
#include <cnn/random.h>
#include <cnn/scheduler.h>
#include <cnn/train.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "synthetic.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace cnn {
namespace {

std::string temp_dir() { return cnn::test::temp_dir("fit"); }

TEST(Metrics, TopKPerClassAndConfusion) {
  ClassificationMetrics m;
  // 3 rows over 6 classes; labels 0, 1, 2.
  const Tensor logits = from_vector(std::vector<float>{5, 1, 0, 0, 0, 0,   // class 0 right
                                                       6, 5, 4, 3, 2, 1,   // label 1 second: top-5 only
                                                       0, 1, 2, 3, 4, 5},  // label 2 is 4th highest: top-5 hit
                                    Shape{3, 6});
  m.update(logits, from_vector(std::vector<int64_t>{0, 1, 2}, Shape{3}), 3.0);
  m.update(from_vector(std::vector<float>{0, 0, 9, 0, 0, 0}, Shape{1, 6}),  // label 5 predicted 2: 6th, a miss
           from_vector(std::vector<int64_t>{5}, Shape{1}), 1.0);
  EXPECT_EQ(m.samples(), 4);
  EXPECT_DOUBLE_EQ(m.loss(), 1.0);
  EXPECT_DOUBLE_EQ(m.top1(), 0.25);
  EXPECT_DOUBLE_EQ(m.top5(), 0.75);
  EXPECT_EQ(m.confusion(1, 0), 1);
  EXPECT_EQ(m.confusion(2, 5), 1);
  EXPECT_EQ(m.confusion(5, 2), 1);
  const auto per_class = m.per_class_accuracy();
  EXPECT_DOUBLE_EQ(per_class[0], 1.0);
  EXPECT_DOUBLE_EQ(per_class[1], 0.0);
  EXPECT_TRUE(std::isnan(per_class[3]));
  const std::string table = format_confusion_matrix(m, {"zero", "one"});
  EXPECT_NE(table.find("0 zero"), std::string::npos) << table;
  EXPECT_NE(table.find("100.00%"), std::string::npos) << table;
  EXPECT_THROW(m.update(logits, from_vector(std::vector<int64_t>{0, 1, 7}, Shape{3}), 0.0), Error);
  EXPECT_THROW(
      m.update(from_vector(std::vector<float>{1, 2}, Shape{1, 2}), from_vector(std::vector<int64_t>{0}, Shape{1}), 0),
      Error);
}

// Records the order of callback calls.
struct Recorder : Callback {
  std::vector<std::string> calls;
  int64_t stop_after = -1;
  void on_train_begin(int64_t start, int64_t epochs) override {
    calls.push_back(fmt::format("begin {} {}", start, epochs));
  }
  void on_epoch_begin(int64_t epoch) override { calls.push_back(fmt::format("epoch {}", epoch)); }
  void on_batch_end(const StepInfo& s) override {
    if (s.step == s.steps) calls.push_back(fmt::format("batches {}", s.steps));
  }
  void on_epoch_end(const EpochMetrics& m, const EvalResult& e) override {
    calls.push_back(fmt::format("end {} {}", m.epoch, e.samples));
  }
  void on_train_end(const std::vector<EpochMetrics>& h) override { calls.push_back(fmt::format("done {}", h.size())); }
  bool stop_training() const override { return stop_after >= 0 && calls.size() >= size_t(stop_after); }
};

struct TinyRun {
  std::shared_ptr<Sequential> model;
  DataLoader train, val;
  explicit TinyRun(uint64_t seed = 0, int64_t classes = 4)
      : model((manual_seed(seed), test::small_cnn(classes))),
        train(test::band_data(64, classes, true), {.batch_size = 16, .shuffle = true, .seed = seed}),
        val(test::band_data(32, classes, false), {.batch_size = 16, .seed = seed}) {}
};

TEST(Fit, LearnsWithCallbacksScheduleAndFiles) {
  const std::string dir = temp_dir();
  TinyRun r;
  SGD opt(r.model->parameters(), {.lr = 0.2, .momentum = 0.9});
  CosineAnnealingLR sched(opt, {.T_max = 6});
  auto rec = std::make_shared<Recorder>();
  const FitResult result = fit(*r.model, r.train, r.val, opt,
                               {.epochs = 6,
                                .output_dir = dir,
                                .callbacks = {rec},
                                .scheduler = &sched,
                                .clip_grad = 5.0,
                                .label_smoothing = 0.1});
  ASSERT_EQ(result.history.size(), 6u);
  EXPECT_GE(result.history.back().test_acc, 0.9) << "the bands are easy";
  EXPECT_DOUBLE_EQ(result.history[0].lr, 0.2);
  EXPECT_NEAR(result.history[1].lr, 0.2 * (1 + std::cos(M_PI / 6)) / 2, 1e-12);
  EXPECT_NEAR(opt.lr(), 0.0, 1e-12);
  EXPECT_EQ(rec->calls.front(), "begin 0 6");
  EXPECT_EQ(rec->calls[1], "epoch 0");
  EXPECT_EQ(rec->calls[2], "batches 4");
  EXPECT_EQ(rec->calls[3], "end 1 32");
  EXPECT_EQ(rec->calls.back(), "done 6");
  EXPECT_EQ(result.last_eval.metrics.num_classes(), 4);
  EXPECT_GE(result.best_epoch, 1);
  for (const char* f : {"metrics.json", "model.safetensors", "last.ckpt", "best.ckpt"})
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f;
  std::ifstream in(fs::path(dir) / "metrics.json");
  const nlohmann::json metrics = nlohmann::json::parse(in);
  EXPECT_EQ(metrics["epochs"].size(), 6u);
  EXPECT_EQ(metrics["confusion_matrix"].size(), 4u);
  EXPECT_EQ(metrics["per_class_accuracy"].size(), 4u);
  EXPECT_FALSE(fs::exists(fs::path(dir) / "last.ckpt.tmp"));
  // Every step is logged with its own batch's loss and accuracy (4 batches per epoch here).
  ASSERT_EQ(result.steps.size(), 24u);
  EXPECT_EQ(result.steps[5].epoch, 2);
  EXPECT_EQ(result.steps[5].step, 2);
  EXPECT_EQ(result.steps[5].steps, 4);
  EXPECT_DOUBLE_EQ(result.steps[0].lr, 0.2);
  for (const StepRecord& s : result.steps) {
    EXPECT_GT(s.loss, 0.0);
    EXPECT_GE(s.accuracy, 0.0);
    EXPECT_LE(s.accuracy, 1.0);
    EXPECT_EQ(std::round(s.accuracy * 16), s.accuracy * 16) << "a fraction of the batch of 16";
  }
  const std::vector<StepRecord> logged = read_step_log((fs::path(dir) / "metrics.json").string());
  ASSERT_EQ(logged.size(), 24u);
  EXPECT_DOUBLE_EQ(logged[23].loss, result.steps[23].loss);
  EXPECT_EQ(metrics["steps"]["columns"][3], "loss");
  EXPECT_EQ(metrics["steps"]["rows"].size(), 24u);
}

// A run extended by --resume keeps the steps logged before it, and the epoch means are the steps' means.
TEST(Fit, StepLogSurvivesResume) {
  const std::string dir = temp_dir();
  TinyRun r;
  SGD opt(r.model->parameters(), {.lr = 0.1, .momentum = 0.9});
  const FitResult first = fit(*r.model, r.train, r.val, opt, {.epochs = 1, .output_dir = dir});
  ASSERT_EQ(first.steps.size(), 4u);
  double mean = 0;
  for (const StepRecord& s : first.steps) mean += s.loss / 4;
  EXPECT_NEAR(mean, first.history[0].train_loss, 1e-6) << "equal batches of 8";
  const FitResult both = fit(*r.model, r.train, r.val, opt, {.epochs = 2, .output_dir = dir, .resume = dir});
  ASSERT_EQ(both.steps.size(), 8u);
  EXPECT_DOUBLE_EQ(both.steps[3].loss, first.steps[3].loss);
  EXPECT_EQ(both.steps[4].epoch, 2);
  EXPECT_EQ(read_step_log(dir + "/metrics.json").size(), 8u);
}

TEST(Fit, CallbackCanStopTraining) {
  TinyRun r;
  Adam opt(r.model->parameters(), {.lr = 1e-2});
  auto rec = std::make_shared<Recorder>();
  rec->stop_after = 5;  // begin, epoch, batches, end, (epoch 2 ...) -> stops after the first epoch's end + 1
  const FitResult result = fit(*r.model, r.train, r.val, opt, {.epochs = 5, .callbacks = {rec}});
  EXPECT_EQ(result.history.size(), 2u);
}

TEST(Fit, EarlyStoppingRestoresTheBestWeights) {
  const std::string dir = temp_dir();
  TinyRun r;
  // lr 0: nothing ever improves after the first epoch, so training stops after 1 + patience epochs.
  SGD opt(r.model->parameters(), {.lr = 0.0});
  const FitResult result = fit(*r.model, r.train, r.val, opt,
                               {.epochs = 10,
                                .output_dir = dir,
                                .monitor = "loss",
                                .early_stopping = {.patience = 2, .restore_best_weights = true}});
  EXPECT_TRUE(result.stopped_early);
  EXPECT_EQ(result.history.size(), 3u);
  EXPECT_EQ(result.best_epoch, 1);
  // Restored weights (BN running statistics included) equal best.ckpt's.
  const Checkpoint best = load_checkpoint(dir + "/best.ckpt");
  for (const auto& [name, t] : r.model->state_dict())
    EXPECT_EQ(t.to(DType::f32).to_vector<float>(), best.model.at(name).to(DType::f32).to_vector<float>()) << name;
}

TEST(Fit, EarlyStoppingWaitsForRealImprovement) {
  TinyRun r;
  Adam opt(r.model->parameters(), {.lr = 2e-2});
  const FitResult result = fit(*r.model, r.train, r.val, opt,
                               {.epochs = 8, .monitor = "top1", .min_delta = 0.5, .early_stopping = {.patience = 3}});
  EXPECT_TRUE(result.stopped_early) << "no epoch beats the first by 50 points";
  EXPECT_EQ(result.history.size(), 4u);
}

TEST(Fit, NonFiniteLossStopsAndKeepsTheLastGoodCheckpoint) {
  const std::string dir = temp_dir();
  TinyRun r;
  SGD opt(r.model->parameters(), {.lr = 0.05});
  std::string after_epoch_1;
  // After epoch 1 (checkpoint written) the lr becomes huge: the weights blow up within a step or two of epoch 2.
  auto explode = [&](const EpochMetrics& m) {
    std::ifstream in(dir + "/last.ckpt", std::ios::binary);
    after_epoch_1.assign(std::istreambuf_iterator<char>(in), {});
    opt.set_lr(1e30);
  };
  try {
    fit(*r.model, r.train, r.val, opt, {.epochs = 3, .output_dir = dir, .on_epoch = explode});
    FAIL() << "expected the run to stop";
  } catch (const NonFiniteLossError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("at epoch 2/3, step "), std::string::npos) << msg;
    EXPECT_TRUE(msg.find("loss is nan") != std::string::npos || msg.find("loss is inf") != std::string::npos) << msg;
    EXPECT_NE(msg.find("the last good checkpoint, " + dir + "/last.ckpt (epoch 1), is intact"), std::string::npos)
        << msg;
    EXPECT_NE(msg.find("HINT: lower --lr"), std::string::npos) << msg;
    EXPECT_EQ(e.epoch, 2);
  }
  std::ifstream in(dir + "/last.ckpt", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), after_epoch_1) << "last.ckpt must be untouched";
  const Checkpoint good = load_checkpoint(dir + "/last.ckpt");
  EXPECT_EQ(nlohmann::json::parse(good.state_json)["epoch"], 1);
  for (const auto& [name, t] : good.model)
    for (float v : t.to(DType::f32).to_vector<float>()) ASSERT_TRUE(std::isfinite(v)) << name;
}

TEST(Checkpoint, RoundTripsEverything) {
  const std::string dir = temp_dir();
  TinyRun r;
  AdamW opt(r.model->parameters(), {.lr = 0.01});
  for (const Tensor& p : r.model->parameters()) p.set_grad(ones_like(p));
  opt.step();
  opt.set_initial_lr(0, 0.1);
  Checkpoint c{r.model->state_dict(), opt.full_state(), SchedulerState{{"best", INFINITY}, {"last_lr.0", 0.1}},
               R"({"epoch": 3})"};
  save_checkpoint(dir + "/x.ckpt", c);
  const Checkpoint back = load_checkpoint(dir + "/x.ckpt");
  EXPECT_EQ(back.model.keys(), c.model.keys());
  EXPECT_EQ(back.optimizer.state.keys(), c.optimizer.state.keys());
  EXPECT_EQ(back.optimizer.param_groups, c.optimizer.param_groups);
  EXPECT_EQ(back.scheduler->at("best"), INFINITY);
  EXPECT_EQ(back.scheduler->at("last_lr.0"), 0.1);
  EXPECT_EQ(nlohmann::json::parse(back.state_json)["epoch"], 3);
  EXPECT_EQ(resolve_checkpoint_path(dir), dir + "/last.ckpt");
  const std::string rng = get_rng_state();
  const double a = default_generator().uniform();
  set_rng_state(rng);
  EXPECT_EQ(default_generator().uniform(), a);
}

TEST(Checkpoint, CutShortOrAlteredFilesAreNeverLoaded) {
  const std::string dir = temp_dir();
  TinyRun r;
  SGD opt(r.model->parameters(), {.lr = 0.1, .momentum = 0.9});
  fit(*r.model, r.train, r.val, opt, {.epochs = 1, .output_dir = dir});
  const std::string path = dir + "/last.ckpt";
  const auto size = fs::file_size(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // A crash while saving leaves a partial last.ckpt.tmp: resuming from the folder ignores it.
  std::ofstream(path + ".tmp", std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(size / 3));
  EXPECT_NO_THROW(fit(*r.model, r.train, r.val, opt, {.epochs = 2, .output_dir = dir, .resume = dir}));
  // last.ckpt itself cut short at several points, or one byte altered: a clear error, nothing loaded.
  const StateDict weights_before = r.model->state_dict();
  const std::vector<float> w = r.model->parameters()[0].to_vector<float>();
  for (size_t keep : {size_t{5}, size_t{200}, bytes.size() / 2, bytes.size() - 1}) {
    std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(keep));
    try {
      fit(*r.model, r.train, r.val, opt, {.epochs = 3, .output_dir = dir, .resume = dir});
      FAIL() << "loaded a checkpoint cut to " << keep << " bytes";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("not loading it"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("HINT:"), std::string::npos) << e.what();
    }
  }
  std::string altered = bytes;
  altered[altered.size() - 3] ^= 0x40;
  std::ofstream(path, std::ios::binary | std::ios::trunc)
      .write(altered.data(), static_cast<std::streamsize>(altered.size()));
  EXPECT_THROW(load_checkpoint(path), Error);
  EXPECT_EQ(r.model->parameters()[0].to_vector<float>(), w) << "no weights were touched";
}

TEST(Evaluate, ReportsEveryMetric) {
  TinyRun r(0, 10);
  const EvalResult e = evaluate(*r.model, r.val);
  EXPECT_EQ(e.samples, 32);
  EXPECT_GE(e.top5, e.accuracy);
  EXPECT_EQ(e.metrics.num_classes(), 10);
  EXPECT_TRUE(r.model->is_training()) << "the mode is restored";
}

TEST(Evaluate, RefusesAnEmptySplit) {
  TinyRun r(0, 10);
  DataLoader empty(std::make_shared<test::BandDataset>(0, 10), {.batch_size = 4});
  EXPECT_NE(test::error_message([&] { evaluate(*r.model, empty); }).find("evaluate: the split to evaluate holds no "
                                                                         "images"),
            std::string::npos);
}

}  // namespace
}  // namespace cnn
