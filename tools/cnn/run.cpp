// `cnn run [RUN]`: one eval-mode forward pass of a run's model, or of a zoo model with weights from a safetensors
// file (e.g. a PyTorch state_dict), on the tensor stored under "input"; the result goes under "output".
#include <cnn/analysis.h>
#include <cnn/autocast.h>
#include <cnn/autograd.h>
#include <cnn/backend.h>
#include <cnn/fuse.h>
#include <cnn/init.h>
#include <cnn/io.h>
#include <cnn/models.h>
#include <cnn/run_spec.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "commands.h"
#include "flag_limits.h"
#include "train_args.h"

namespace cnn::cli {

namespace {

struct RunArgs {
  std::string run, model, weights, input, output, backend, amp = "none";
  std::vector<std::string> model_kwargs;
  int64_t num_classes = 0, in_chans = 0;
  double width_mult = 0;
  bool aux_logits = false, cifar_stem = false;
  int threads = 0;
};

Tensor read_input(const std::string& path) {
  const StateDict tensors = load_safetensors(path);
  const Tensor* x = tensors.find("input");
  CNN_CHECK(x != nullptr, "run: {} has no tensor named \"input\" (it has: {})\nHINT: save the batch as "
            "save_file({{\"input\": x}}, path)", path, fmt::join(tensors.keys(), ", "));
  CNN_CHECK(x->dtype() == DType::f32 && (x->dim() == 3 || x->dim() == 4),
            "run: \"input\" in {} must be a float [N, C, H, W] (or [C, H, W]) tensor, got {} {}", path,
            dtype_name(x->dtype()), x->shape());
  return x->dim() == 3 ? x->unsqueeze(0) : *x;
}

// Loads `weights` (.safetensors or a .ckpt's model) strictly into `model`; errors name the file and the model.
void load_into(Module& model, const std::string& name, const std::string& weights) {
  try {
    const StateDict state = load_weights(weights);  // .safetensors or a .ckpt's model; errors name the file
    try {
      model.load_state_dict(state);
    } catch (const Error& e) {
      throw Error(fmt::format("{}: {}", weights, e.what()));
    }
  } catch (const Error& e) {
    const std::string what = e.what();  // without the library's HINT, which is about its strict=false
    throw Error(fmt::format("run: loading into {}: {}\nHINT: build the model the weights come from (--num-classes, "
                            "--in-chans, --width-mult, --aux-logits, --cifar-stem)",
                            name, what.substr(0, what.find("\nHINT:"))));
  }
}

void run(const RunArgs& a) {
  if (!a.backend.empty()) set_backend(a.backend);
  if (a.threads > 0) set_num_threads(a.threads);
  models::ModelOptions options{.aux_logits = a.aux_logits, .cifar_stem = a.cifar_stem};
  std::string name = a.model, weights = a.weights;
  std::string quantization;
  if (!a.run.empty()) {
    const RunSpec spec = RunSpec::load(a.run);
    quantization = spec.quantization;
    options = spec.model_options();
    if (name.empty()) name = spec.model;
    if (weights.empty()) weights = spec.weights();
  }
  CNN_CHECK(!name.empty() && !weights.empty(), "run: pass a run folder (cnn run RUN --input ...) or --model and "
            "--weights");
  if (!a.model_kwargs.empty()) options.kwargs = parse_model_kwargs(a.model_kwargs);
  if (a.num_classes > 0) options.num_classes = a.num_classes;
  if (a.in_chans > 0) options.in_channels = a.in_chans;
  if (a.width_mult > 0) options.width_mult = a.width_mult;
  ModulePtr model;
  if (!quantization.empty()) {  // an int8 run (cnn quantize): the spec builds its QuantizedConv2d/Linear layers
    model = RunSpec::load(a.run).load_model(a.weights);
  } else {
    {
      init::SkipInitGuard skip;  // every weight is loaded next (strict), so drawing random ones would be wasted time
      model = models::create(name, options);
    }
    load_into(*model, name, weights);
  }
  model->eval();
  const Tensor x = read_input(a.input);
  const int64_t parameters = model->num_parameters();  // as trained (folding adds conv biases)
  fuse_conv_bn(*model, x.shape());  // inference: batch norms folded into their convolutions
  NoGradGuard no_grad;
  const AutocastGuard autocast(DType::bf16, parse_amp(a.amp) == Amp::bf16);
  const auto start = std::chrono::steady_clock::now();
  const Tensor y = (*model)(x);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  save_safetensors(a.output, StateDict{{"output", y.contiguous()}}, {{"model", name}});
  fmt::print("cnn run: {} ({} parameters), input {} -> output {} in {:.3f} s; written to {}\n", name,
             with_thousands(parameters), x.shape(), y.shape(), seconds, a.output);
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto a = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand("run",
                                     "Run a model in eval mode on the tensor \"input\" of a safetensors file, with "
                                     "weights from a safetensors state_dict (strict), and save \"output\".");
  cmd->add_option("run", a->run, "A run folder written by cnn train: its model (with kwargs) and model.safetensors")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("--model", a->model, "Model name (default: the run's)")->check(CLI::IsMember(models::names()));
  cmd->add_option("--model-kwargs", a->model_kwargs, "Model settings, key=value items (default: the run's)");
  cmd->add_option("--weights", a->weights,
                  "State dict as .safetensors (PyTorch's key names) or a .ckpt (default: RUN/model.safetensors)");
  cmd->add_option("--input", a->input, "Safetensors file with a tensor \"input\" [N, C, H, W]")->required();
  cmd->add_option("--output", a->output, "Safetensors file to write, with the tensor \"output\"")->required();
  cmd->add_option("--num-classes", a->num_classes, "Classes of the final layer (default: the model's)")
      ->check(number_check("positive integer"));
  cmd->add_option("--in-chans", a->in_chans, "Input channels the model is built for (default: the model's)")
      ->check(number_check("positive integer"));
  cmd->add_option("--width-mult", a->width_mult, "Width multiplier (mobilenet_v2; mobilenet_v1's alpha)")
      ->check(number_check("positive number"));
  cmd->add_flag("--aux-logits", a->aux_logits, "googlenet: the weights include the auxiliary classifiers");
  cmd->add_flag("--cifar-stem", a->cifar_stem, "ResNets: 3x3 stride-1 stem without max-pool");
  cmd->add_option("--backend", a->backend, "Kernels: onednn or ref (default: $CNN_BACKEND or onednn)");
  cmd->add_option("--threads", a->threads, "Threads (default: all cores)")->check(threads_check(false));
  add_amp_flag(cmd, a->amp);
  cmd->callback([a] { run(*a); });
}

}  // namespace cnn::cli
