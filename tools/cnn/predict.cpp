// `cnn predict RUN IMAGE...`: the top-k classes of image files (or folders of them) under the run's own eval
// transform, batched, as text or JSON. The work is cnn::Predictor's.
#include <cnn/backend.h>
#include <cnn/predictor.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"

namespace cnn::cli {

namespace {

struct PredictArgs {
  std::string run, weights, backend;
  std::vector<std::string> images;
  int64_t topk = 5, batch_size = 64;
  int threads = 0;
  bool json = false;
};

void print_json(const std::vector<Prediction>& results) {
  nlohmann::json out = nlohmann::json::array();
  for (const Prediction& r : results) {
    nlohmann::json top = nlohmann::json::array();
    for (size_t j = 0; j < r.indices.size(); ++j)
      top.push_back({{"class", r.indices[j]}, {"name", r.names[j]}, {"probability", r.probabilities[j]}});
    out.push_back({{"file", r.source}, {"top", top}});
  }
  fmt::print("{}\n", out.dump(2));
}

void print_text(const Predictor& p, const std::vector<Prediction>& results) {
  fmt::print("cnn predict: {} from {} ({} classes), {} image{}\n", p.spec().model, p.spec().dir,
             p.class_names().size(), results.size(), results.size() == 1 ? "" : "s");
  for (const Prediction& r : results) {
    std::vector<std::string> items;
    for (size_t j = 0; j < r.indices.size(); ++j)
      items.push_back(fmt::format("{} {:.2f}%", r.names[j], 100 * r.probabilities[j]));
    fmt::print("{}: {}\n", r.source, fmt::join(items, ", "));
  }
}

void run_predict(const PredictArgs& a) {
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  const std::vector<std::string> files = list_image_files(a.images);
  const Predictor predictor = [&] {
    try {
      return Predictor::load(a.run, a.weights);
    } catch (const Error& e) {
      throw Error(fmt::format("predict: {}", e.what()));
    }
  }();
  std::vector<Prediction> results;
  try {
    results = predictor.predict_files(files, a.topk, a.batch_size);
  } catch (const Error& e) {
    throw Error(fmt::format("predict: {}", e.what()));
  }
  if (a.json) {
    print_json(results);
  } else {
    print_text(predictor, results);
  }
}

}  // namespace

void add_predict_command(CLI::App& app) {
  auto a = std::make_shared<PredictArgs>();
  CLI::App* cmd = app.add_subcommand("predict",
                                     "Classify image files (PNG, JPEG, BMP) or folders of them with a run's model and "
                                     "its eval transform: the top-k class names and probabilities.");
  cmd->add_option("run", a->run, "A run folder written by cnn train or finetune")
      ->required()
      ->check(CLI::ExistingDirectory);
  cmd->add_option("images", a->images, "Image files, or folders whose .png/.jpg/.jpeg/.bmp files are classified")
      ->required();
  cmd->add_option("--weights", a->weights, "Weights: a .safetensors or .ckpt file (default: RUN/model.safetensors)")
      ->check(CLI::ExistingFile);
  cmd->add_option("-k,--topk", a->topk, "Classes shown per image")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_flag("--json", a->json, "Print a JSON array: {file, top: [{class, name, probability}]} per image");
  cmd->add_option("-b,--batch-size", a->batch_size, "Images per forward pass")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--threads", a->threads, "CPU threads (0: all cores)")->check(CLI::NonNegativeNumber);
  cmd->add_option("--backend", a->backend, "Kernels: onednn or ref")->check(CLI::IsMember(available_backends()));
  cmd->callback([a] { run_predict(*a); });
}

}  // namespace cnn::cli
