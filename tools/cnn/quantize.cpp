// `cnn quantize RUN --calib N --output RUN_INT8`: post-training int8 quantisation of a run (cnn::quant), saved as
// a run folder that eval, run, predict and export read; prints f32 vs int8 accuracy on the test split and the
// speed at batch 1 and 128, and writes them to RUN_INT8/quantization.json.
#include <cnn/atomic_file.h>
#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/fuse.h>
#include <cnn/io.h>
#include <cnn/loader.h>
#include <cnn/quantize.h>
#include <cnn/random.h>
#include <cnn/run_spec.h>
#include <cnn/train.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"

namespace cnn::cli {

namespace {

namespace fs = std::filesystem;

struct QuantizeArgs {
  std::string run, output, method = "minmax";
  int64_t calib = 512, batch_size = 256, workers = 2;
  double percentile = 99.99;
  int threads = 0;
  bool overwrite = false, no_eval = false;
};

// Median milliseconds of one forward pass on a batch of `n` random inputs (after two warm-up passes).
double forward_ms(Module& model, const Shape& chw, int64_t n, int reps) {
  manual_seed(0);
  const Tensor x = randn({n, chw[0], chw[1], chw[2]});
  NoGradGuard no_grad;
  std::vector<double> ms;
  for (int i = 0; i < reps + 2; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    model(x);
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (i >= 2) ms.push_back(t);
  }
  std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(ms.size() / 2), ms.end());
  return ms[ms.size() / 2];
}

double test_accuracy(Module& model, const RunSpec& spec, const QuantizeArgs& a) {
  DataLoader loader(spec.open_eval(false).test, {.batch_size = a.batch_size, .seed = 0, .num_workers = a.workers});
  return evaluate(model, loader).accuracy;
}

void write_text(const std::string& path, const std::string& text) { write_file_atomic(path, text, "quantize"); }

void run_quantize(const QuantizeArgs& a) {
  if (a.threads > 0) set_num_threads(a.threads);
  const RunSpec spec = RunSpec::load(a.run);
  CNN_CHECK(spec.quantization.empty(), "quantize: {} is already an int8 run", a.run);
  CNN_CHECK(fs::absolute(a.output) != fs::absolute(a.run), "quantize: --output must differ from the run folder {}",
            a.run);
  CNN_CHECK(a.overwrite || !fs::exists(fs::path(a.output) / "config.json"),
            "quantize: {} already holds a run\nHINT: pass --overwrite or another --output", a.output);
  ModulePtr model = spec.load_model();
  const Shape chw = spec.input_shape();
  const int64_t fused = fuse_conv_bn(*model, {1, chw[0], chw[1], chw[2]});
  const auto calib = spec.open_eval(true).test;  // training images, evaluation transform
  const quant::CalibrationOptions options{.images = a.calib, .method = a.method, .percentile = a.percentile};
  const auto ranges = quant::calibrate(*model, calib, options);

  nlohmann::json report = {{"method", a.method}, {"calibration_images", std::min(a.calib, calib->size())},
                           {"layers", ranges.size()}, {"cpu_threads", get_num_threads()},
                           {"fused_conv_bn", fused}};
  if (a.method == "percentile") report["percentile"] = a.percentile;
  double f32_acc = 0;
  if (!a.no_eval) f32_acc = test_accuracy(*model, spec, a);
  const double f32_b1 = forward_ms(*model, chw, 1, 50), f32_b128 = forward_ms(*model, chw, 128, 5);
  const int64_t swapped = quant::quantize_model(*model, ranges);
  const double q_b1 = forward_ms(*model, chw, 1, 50), q_b128 = forward_ms(*model, chw, 128, 5);

  fs::create_directories(a.output);
  nlohmann::json config = nlohmann::json::parse(std::ifstream(fs::path(a.run) / "config.json"));
  config["quantization"] = {{"dtype", "int8"}, {"method", a.method}, {"calibration_images", report["calibration_images"]},
                            {"fused_conv_bn", fused > 0}, {"from", fs::absolute(a.run).lexically_normal().string()}};
  if (a.method == "percentile") config["quantization"]["percentile"] = a.percentile;
  write_text((fs::path(a.output) / "config.json").string(), config.dump(2) + "\n");
  save_safetensors((fs::path(a.output) / "model.safetensors").string(), model->state_dict(),
                   {{"quantization", "int8"}, {"model", spec.model}});

  fmt::print("cnn quantize: {} from {}: {} Conv2d/Linear layers to int8 (per-channel weights, {} activation scales "
             "from {} training images) -> {}\n",
             spec.model, a.run, swapped, a.method, report["calibration_images"].get<int64_t>(), a.output);
  if (fused > 0) fmt::print("{} batch norms folded into the convolutions before them first\n", fused);
  if (!a.no_eval) {
    const double q_acc = test_accuracy(*model, spec, a);
    report["test_accuracy_f32"] = f32_acc;
    report["test_accuracy_int8"] = q_acc;
    fmt::print("test top-1: f32 {:.2f}%  int8 {:.2f}%  (change {:+.2f} points)\n", 100 * f32_acc, 100 * q_acc,
               100 * (q_acc - f32_acc));
  }
  report["ms_batch1_f32"] = f32_b1, report["ms_batch1_int8"] = q_b1;
  report["ms_batch128_f32"] = f32_b128, report["ms_batch128_int8"] = q_b128;
  fmt::print("forward, {} threads: batch 1 {:.3f} ms f32, {:.3f} ms int8 ({:.2f}x); batch 128 {:.1f} ms f32, {:.1f} ms "
             "int8 ({:.2f}x)\n",
             get_num_threads(), f32_b1, q_b1, f32_b1 / q_b1, f32_b128, q_b128, f32_b128 / q_b128);
  write_text((fs::path(a.output) / "quantization.json").string(), report.dump(2) + "\n");
}

}  // namespace

void add_quantize_command(CLI::App& app) {
  auto a = std::make_shared<QuantizeArgs>();
  CLI::App* cmd = app.add_subcommand("quantize",
                                     "Post-training int8 quantisation of a run: per-channel int8 weights, activation "
                                     "scales calibrated on training images; writes an int8 run folder.");
  cmd->add_option("run", a->run, "A run folder written by cnn train or finetune")->required()->check(CLI::ExistingDirectory);
  cmd->add_option("-o,--output", a->output, "The int8 run folder to write")->required();
  cmd->add_option("--calib", a->calib, "Calibration images (a seeded random subset of the training split)")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--method", a->method, "Activation range: minmax (max |x|) or percentile (clips outliers)")
      ->check(CLI::IsMember({"minmax", "percentile"}))
      ->capture_default_str();
  cmd->add_option("--percentile", a->percentile, "With --method percentile: the percentile of |x| kept")
      ->check(CLI::Range(50.0, 100.0))
      ->capture_default_str();
  cmd->add_option("-b,--batch-size", a->batch_size, "Batch size for calibration and evaluation")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("-j,--workers", a->workers, "Data-loading threads")->check(CLI::Range(0, 64))->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--overwrite", a->overwrite, "Replace an existing run in --output");
  cmd->add_flag("--no-eval", a->no_eval, "Skip the f32 and int8 test-set accuracy");
  cmd->callback([a] { run_quantize(*a); });
}

}  // namespace cnn::cli
