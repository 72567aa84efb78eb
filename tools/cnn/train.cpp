// `cnn train`: flags as timm's train.py, then data, model, optimiser and fit(); results on stdout,
// progress on stderr, metrics.json + model.safetensors in --output. Not the loop itself (library's fit()).
#include <cnn/analysis.h>
#include <cnn/backend.h>
#include <cnn/data.h>
#include <cnn/models.h>
#include <cnn/random.h>
#include <cnn/train.h>
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "commands.h"
#include "progress.h"

namespace cnn::cli {

namespace {

struct TrainArgs {
  std::string model = "simplecnn";
  std::string dataset = "mnist";
  std::string data_dir;
  int64_t epochs = 5;
  int64_t batch_size = 64;
  std::string opt = "adam";
  std::optional<double> lr;
  double momentum = 0.9;
  double weight_decay = 0.0;
  uint64_t seed = 42;
  int threads = 0;
  std::string backend;
  std::string output;
  int64_t log_interval = 50;
};

std::unique_ptr<Optimizer> make_optimizer(const TrainArgs& a, const std::vector<Tensor>& params, double lr) {
  if (a.opt == "sgd")
    return std::make_unique<SGD>(params, SGDOptions{.lr = lr, .momentum = a.momentum, .weight_decay = a.weight_decay});
  return std::make_unique<Adam>(params, AdamOptions{.lr = lr, .weight_decay = a.weight_decay});
}

void run_train(const TrainArgs& a) {
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  manual_seed(a.seed);
  const double lr = a.lr.value_or(a.opt == "sgd" ? 0.01 : 0.001);
  const DatasetInfo info = dataset_info(a.dataset);
  const std::string dir = a.data_dir.empty() ? info.default_dir : a.data_dir;
  auto train_set = load_dataset(a.dataset, dir, true);
  auto test_set = load_dataset(a.dataset, dir, false);
  DataLoader train_loader(train_set, {.batch_size = a.batch_size, .shuffle = true, .seed = a.seed});
  DataLoader test_loader(test_set, {.batch_size = a.batch_size});

  const models::ModelOptions model_options{.num_classes = static_cast<int64_t>(info.classes.size()),
                                           .in_channels = train_set->image_shape()[0]};
  ModulePtr model = models::create(a.model, model_options);
  std::unique_ptr<Optimizer> optimizer = make_optimizer(a, model->parameters(), lr);
  const std::string output = a.output.empty() ? fmt::format("runs/{}-{}", a.model, a.dataset) : a.output;

  fmt::print("cnn train: {} ({} parameters) on {} from {}: {} train / {} test images\n", a.model,
             with_thousands(model->num_parameters()), a.dataset, dir, train_set->size(), test_set->size());
  fmt::print("  backend {}, {} threads, {} lr {}{}, weight decay {}, batch {}, {} epoch{}, seed {}\n", backend().name(),
             get_num_threads(), a.opt, lr, a.opt == "sgd" ? fmt::format(" momentum {}", a.momentum) : "",
             a.weight_decay, a.batch_size, a.epochs, a.epochs == 1 ? "" : "s", a.seed);
  std::fflush(stdout);

  nlohmann::ordered_json config{{"model", a.model},
                                {"dataset", a.dataset},
                                {"data_dir", dir},
                                {"epochs", a.epochs},
                                {"batch_size", a.batch_size},
                                {"opt", a.opt},
                                {"lr", lr},
                                {"momentum", a.momentum},
                                {"weight_decay", a.weight_decay},
                                {"seed", a.seed},
                                {"threads", get_num_threads()},
                                {"backend", backend().name()},
                                {"num_parameters", model->num_parameters()}};
  Progress progress(a.log_interval);
  auto print_epoch = [&progress, &a](const EpochMetrics& m) {
    progress.finish();
    fmt::print("epoch {}/{}: train loss {:.4f} acc {:.2f}% | test loss {:.4f} acc {:.2f}% | {:.1f} s, {:.0f} img/s\n",
               m.epoch, a.epochs, m.train_loss, 100 * m.train_acc, m.test_loss, 100 * m.test_acc, m.seconds,
               m.images_per_second);
    std::fflush(stdout);
  };
  const FitOptions fit_options{.epochs = a.epochs,
                               .output_dir = output,
                               .config_json = config.dump(),
                               .on_step = [&progress](const StepInfo& s) { progress.update(s); },
                               .on_epoch = print_epoch};
  fit(*model, train_loader, test_loader, *optimizer, fit_options);
  fmt::print("saved {0}/metrics.json and {0}/model.safetensors\n", output);
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train",
                                     "Train a model on MNIST or Fashion-MNIST (cross-entropy), evaluating "
                                     "on the test split after each epoch.");
  cmd->add_option("--model", args->model, "Model name")->check(CLI::IsMember(models::names()))->capture_default_str();
  cmd->add_option("--dataset", args->dataset, "Dataset name")
      ->check(CLI::IsMember(dataset_names()))
      ->capture_default_str();
  cmd->add_option("--data-dir", args->data_dir,
                  "Folder with the IDX files (train-*/t10k-*); default: $CNN_DATA_DIR/mnist (else data/mnist) for "
                  "mnist, /usr/share/datasets/fashion-mnist for fashion-mnist");
  cmd->add_option("--epochs", args->epochs, "Number of epochs")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("-b,--batch-size", args->batch_size, "Batch size (training and evaluation)")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->add_option("--opt", args->opt, "Optimiser: adam (torch.optim.Adam) or sgd (torch.optim.SGD, no Nesterov)")
      ->check(CLI::IsMember({"adam", "sgd"}))
      ->capture_default_str();
  cmd->add_option("--lr", args->lr, "Learning rate (default: 0.001 for adam, 0.01 for sgd)")
      ->check(number_check("positive number"));
  cmd->add_option("--momentum", args->momentum, "SGD momentum")->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--weight-decay", args->weight_decay, "L2 weight decay")
      ->check(number_check("non-negative number"))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Random seed (weights, shuffling)")->capture_default_str();
  cmd->add_option("--threads", args->threads, "CPU threads (default: all cores, or OMP_NUM_THREADS)")
      ->check(number_check("positive integer"));
  cmd->add_option("--backend", args->backend, "Kernels: onednn or ref (default: $CNN_BACKEND, else onednn)")
      ->check(CLI::IsMember(available_backends()));
  cmd->add_option("--output", args->output,
                  "Output folder for metrics.json and model.safetensors "
                  "(default: runs/MODEL-DATASET)");
  cmd->add_option("--log-interval", args->log_interval, "Steps between progress lines when stderr is not a terminal")
      ->check(number_check("positive integer"))
      ->capture_default_str();
  cmd->callback([args] { run_train(*args); });
}

}  // namespace cnn::cli
