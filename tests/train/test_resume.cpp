// Interrupt and resume: a run stopped after epoch k and resumed from its last.ckpt in freshly built objects ends
// with byte-identical weights to an uninterrupted run (1 thread), for two recipes that use every piece of state:
// dropout's generator, BN buffers, momentum / Adam moments, a warm-up + cosine or a per-batch OneCycle schedule,
// augmentation seeds and loader epochs. Also: resuming a finished early-stopped run does nothing more.
#include <cnn/backend.h>
#include <cnn/checkpoint.h>
#include <cnn/optim_utils.h>
#include <cnn/random.h>
#include <cnn/scheduler_factory.h>
#include <cnn/train.h>
#include <unistd.h>

#include <filesystem>

#include "synthetic.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace cnn {
namespace {

std::string temp_dir(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path dir = fs::temp_directory_path() / fmt::format("cnn_test_resume_{}_{}_{}", info->name(), name, ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir.string();
}

using cnn::test::slurp;

struct StopAfter : Callback {
  int64_t epochs;
  int64_t seen = 0;
  explicit StopAfter(int64_t e) : epochs(e) {}
  void on_epoch_end(const EpochMetrics&, const EvalResult&) override { ++seen; }
  bool stop_training() const override { return epochs > 0 && seen >= epochs; }
};

enum class Recipe { sgd_warmup_cosine, adamw_onecycle };

constexpr int64_t kEpochs = 4;

// Builds everything from scratch (as a new process would) and fits; stop_after > 0 stops after that many epochs.
FitResult run(Recipe recipe, const std::string& dir, int64_t stop_after, const std::string& resume = "") {
  manual_seed(11);
  auto model = test::small_cnn(4);
  const bool sgd = recipe == Recipe::sgd_warmup_cosine;
  // The SGD recipe draws its loader seeds from the global generator, the AdamW one fixes them.
  DataLoader train(
      test::band_data(64, 4, true),
      {.batch_size = 16, .shuffle = true, .seed = sgd ? std::nullopt : std::optional<uint64_t>(5), .num_workers = 2});
  DataLoader val(test::band_data(32, 4, false), {.batch_size = 16, .num_workers = 2});
  std::unique_ptr<Optimizer> opt;
  if (sgd)
    opt = std::make_unique<SGD>(
        param_groups_weight_decay(*model, SGDOptions{.lr = 0.1, .momentum = 0.9, .weight_decay = 5e-4}));
  else
    opt = std::make_unique<AdamW>(model->parameters(), AdamWOptions{.lr = 3e-3, .amsgrad = true});
  ScheduleHandle sched = create_scheduler(
      sgd ? SchedulerConfig{.sched = "cosine", .epochs = kEpochs, .warmup_epochs = 1, .warmup_lr = 0.01}
          : SchedulerConfig{.sched = "onecycle", .epochs = kEpochs, .steps_per_epoch = train.size()},
      *opt);
  return fit(*model, train, val, *opt,
             {.epochs = kEpochs,
              .output_dir = dir,
              .callbacks = {std::make_shared<StopAfter>(stop_after)},
              .scheduler = sched.scheduler.get(),
              .scheduler_per_step = sched.per_step,
              .clip_grad = sgd ? 0.0 : 1.0,
              .label_smoothing = sgd ? 0.0 : 0.1,
              .resume = resume});
}

class Resume : public ::testing::TestWithParam<Recipe> {
 protected:
  void SetUp() override {
    threads_ = get_num_threads();
    set_num_threads(1);
  }
  void TearDown() override { set_num_threads(threads_); }
  int threads_ = 1;
};

TEST_P(Resume, StoppedAndResumedRunIsBitIdentical) {
  const std::string whole = temp_dir("whole"), parts = temp_dir("parts");
  const FitResult full = run(GetParam(), whole, 0);
  ASSERT_EQ(full.history.size(), size_t(kEpochs));

  const FitResult first = run(GetParam(), parts, 2);
  ASSERT_EQ(first.history.size(), 2u);
  EXPECT_NE(slurp(whole + "/model.safetensors"), slurp(parts + "/model.safetensors")) << "not yet";
  const FitResult second = run(GetParam(), parts, 0, parts);
  EXPECT_EQ(second.start_epoch, 2);
  ASSERT_EQ(second.history.size(), size_t(kEpochs)) << "the history carries the first run's epochs";

  EXPECT_EQ(slurp(whole + "/model.safetensors"), slurp(parts + "/model.safetensors"))
      << "weights and BN buffers must match byte for byte";
  const Checkpoint a = load_checkpoint(whole + "/last.ckpt"), b = load_checkpoint(parts + "/last.ckpt");
  for (const auto& [key, t] : a.optimizer.state)
    EXPECT_EQ(t.to(DType::f32).to_vector<float>(), b.optimizer.state.at(key).to(DType::f32).to_vector<float>()) << key;
  EXPECT_EQ(a.optimizer.param_groups, b.optimizer.param_groups);
  EXPECT_EQ(a.scheduler, b.scheduler);
  for (size_t e = 0; e < full.history.size(); ++e) {
    EXPECT_EQ(full.history[e].train_loss, second.history[e].train_loss) << "epoch " << e + 1;
    EXPECT_EQ(full.history[e].test_acc, second.history[e].test_acc) << "epoch " << e + 1;
    EXPECT_EQ(full.history[e].lr, second.history[e].lr) << "epoch " << e + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Recipes, Resume, ::testing::Values(Recipe::sgd_warmup_cosine, Recipe::adamw_onecycle),
                         [](const auto& info) {
                           return info.param == Recipe::sgd_warmup_cosine ? std::string("SgdWarmupCosine")
                                                                          : std::string("AdamwOneCycle");
                         });

TEST(ResumeChecks, RefusesAMismatchedRun) {
  const std::string dir = temp_dir("a");
  run(Recipe::adamw_onecycle, dir, 1);
  try {
    run(Recipe::sgd_warmup_cosine, dir + "/other", 0, dir);
    FAIL() << "an SGD run resumed from an AdamW checkpoint";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("HINT: resume with the same"), std::string::npos) << e.what();
  }
  EXPECT_THROW(run(Recipe::adamw_onecycle, dir, 0, dir + "/missing.ckpt"), Error);
}

}  // namespace
}  // namespace cnn
