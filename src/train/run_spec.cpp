// RunSpec: rebuilding a run's model, data and evaluation transform from its config.json (see run_spec.h).
#include <cnn/checkpoint.h>
#include <cnn/init.h>
#include <cnn/fuse.h>
#include <cnn/io.h>
#include <cnn/layers_quantized.h>
#include <cnn/quantize.h>
#include <cnn/random.h>
#include <cnn/run_spec.h>
#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace cnn {

namespace fs = std::filesystem;

std::map<std::string, std::string> parse_model_kwargs(const std::vector<std::string>& items) {
  std::map<std::string, std::string> out;
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    CNN_CHECK(eq != std::string::npos && eq > 0,
              "--model-kwargs: expected key=value items (e.g. depth=5), got \"{}\"", item);
    out[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return out;
}

StateDict load_weights(const std::string& path) {
  const bool checkpoint = path.size() >= 5 && path.compare(path.size() - 5, 5, ".ckpt") == 0;
  return checkpoint ? load_checkpoint(path).model : load_safetensors(path);
}

int64_t classifier_outputs(const Module& model) {
  const ModulePtr head = model.get_submodule(models::classifier_name(model));
  if (const auto* q = dynamic_cast<const QuantizedLinear*>(head.get())) return q->weight.size(0);
  if (const auto* q = dynamic_cast<const QuantizedConv2d*>(head.get())) return q->weight.size(0);
  return head->named_parameters().values().front().shape()[0];
}

ModulePtr create_with_weights(const std::string& name, models::ModelOptions options, const std::string& path) {
  const StateDict weights = load_weights(path);
  init::SkipInitGuard skip;  // every weight is loaded next (strict)
  ModulePtr model = models::create(name, options);
  const std::string head = models::classifier_name(*model);
  const Tensor* head_weight = weights.find(head + ".weight");
  if (head_weight != nullptr && head_weight->dim() >= 1 && head_weight->shape()[0] != options.num_classes) {
    options.num_classes = head_weight->shape()[0];
    model = models::create(name, options);
  }
  try {
    model->load_state_dict(weights);
  } catch (const Error& e) {
    const std::string what = e.what();  // without the library's HINT, which is about its strict=false
    throw Error(fmt::format("loading {} into {}: {}\nHINT: build the model the weights were trained with (its "
                            "--model, --model-kwargs and --in-chans)",
                            path, name, what.substr(0, what.find("\nHINT:"))));
  }
  return model;
}

namespace {

using Json = nlohmann::json;

template <class T>
T field(const Json& config, const char* key, const std::string& path, T fallback) {
  if (!config.contains(key) || config[key].is_null()) return fallback;
  try {
    return config[key].get<T>();
  } catch (const Json::exception&) {
    throw Error(fmt::format("run spec: {}: \"{}\" has the wrong type ({})\nHINT: the file is written by cnn train; "
                            "rerun it or fix the value",
                            path, key, config[key].dump()));
  }
}

}  // namespace

RunSpec RunSpec::load(const std::string& run_dir) {
  const std::string path = (fs::path(run_dir) / "config.json").string();
  std::ifstream in(path);
  CNN_CHECK(in.good(), "run spec: cannot read {}\nHINT: pass a folder written by cnn train (it holds config.json, "
            "model.safetensors and metrics.json)", path);
  Json config;
  try {
    config = Json::parse(in);
  } catch (const Json::exception& e) {
    throw Error(fmt::format("run spec: {} is not valid JSON: {}", path, e.what()));
  }
  CNN_CHECK(config.is_object() && config.contains("model"), "run spec: {} has no \"model\" setting", path);
  RunSpec s;
  s.dir = run_dir;
  s.model = field<std::string>(config, "model", path, s.model);
  s.model_kwargs = field<std::vector<std::string>>(config, "model_kwargs", path, {});
  s.num_classes = field<int64_t>(config, "num_classes", path, 0);
  s.dataset = field<std::string>(config, "dataset", path, s.dataset);
  s.data_dir = field<std::string>(config, "data_dir", path, "");
  s.augment.img_size = field<int64_t>(config, "img_size", path, 0);
  s.augment.crop_pct = field<double>(config, "crop_pct", path, 1.0);
  s.seed = field<uint64_t>(config, "seed", path, s.seed);
  s.aux_logits = field<bool>(config, "aux_logits", path, false);
  if (config.contains("quantization")) {
    const Json& q = config["quantization"];
    CNN_CHECK(q.is_object() && q.contains("dtype") && q["dtype"] == "int8",
              "run spec: {}: \"quantization\" must be an object with \"dtype\": \"int8\", got {}", path, q.dump());
    s.quantization = "int8";
    s.fused_conv_bn = q.value("fused_conv_bn", false);
  }
  return s;
}

DatasetSpec RunSpec::data() const { return parse_dataset(dataset, data_dir); }

Shape RunSpec::input_shape() const { return cnn::input_shape(data(), augment); }

int64_t RunSpec::classes() const {
  if (num_classes > 0) return num_classes;
  return static_cast<int64_t>(class_names().size());
}

std::vector<std::string> RunSpec::class_names() const {
  const DatasetSpec d = data();
  std::vector<std::string> names = dataset_info(d.name).classes;
  if (names.empty()) names = open_dataset(d.name, d.dir, true)->classes();
  for (auto c = static_cast<int64_t>(names.size()); c < num_classes; ++c) names.push_back(std::to_string(c));
  return names;
}

models::ModelOptions RunSpec::model_options() const {
  const Shape input = input_shape();
  models::ModelOptions o{.num_classes = classes(),
                         .in_channels = input[0],
                         .aux_logits = aux_logits,
                         .kwargs = parse_model_kwargs(model_kwargs)};
  if (model == "plaincnn" && !o.kwargs.count("image_size")) o.kwargs["image_size"] = std::to_string(input[2]);
  return o;
}

std::string RunSpec::weights() const { return (fs::path(dir) / "model.safetensors").string(); }

ModulePtr RunSpec::create_model() const {
  ModulePtr m = models::create(model, model_options());
  m->eval();
  return m;
}

ModulePtr RunSpec::initial_model() const {
  manual_seed(seed);
  return create_model();
}

ModulePtr RunSpec::load_model(const std::string& weights_path) const {
  const std::string path = weights_path.empty() ? weights() : weights_path;
  CNN_CHECK(fs::is_regular_file(path), "run spec: no weights at {}\nHINT: {}", path,
            dir.empty() ? "pass --weights" : "the run has not finished its first epoch; pass --weights");
  if (quantization.empty()) {
    ModulePtr m = create_with_weights(model, model_options(), path);
    m->eval();
    return m;
  }
  ModulePtr m = create_model();  // initialised (not skipped): fusing traces a forward pass through it
  if (fused_conv_bn) {
    const Shape in = input_shape();
    fuse_conv_bn(*m, {1, in[0], in[1], in[2]});
  }
  quant::prepare_quantized(*m);
  try {
    m->load_state_dict(load_weights(path));
  } catch (const Error& e) {
    const std::string what = e.what();
    throw Error(fmt::format("loading the int8 weights {} into {}: {}", path, model, what.substr(0, what.find("\nHINT:"))));
  }
  m->eval();
  return m;
}

DataSplits RunSpec::open_eval(bool train_split) const { return open_eval_split(data(), augment, train_split); }

std::shared_ptr<const Transform> RunSpec::eval_transform() const { return cnn::eval_transform(data(), augment); }

Tensor RunSpec::read_image(const std::string& path) const {
  const Shape input = input_shape();
  const Image image = cnn::read_image(path, input[0] == 1 ? ImageMode::grayscale : ImageMode::rgb);
  CNN_CHECK(image.channels == input[0], "run spec: {} has {} channels, {} takes {}", path, image.channels, model,
            input[0]);
  return (*file_transform(data(), augment, image.shape()))(image).to_tensor();
}

void check_run_folder(const std::string& dir, const std::string& flag) {
  std::error_code ec;
  auto refuse_link = [&](const fs::path& p) {
    if (!fs::is_symlink(fs::symlink_status(p, ec))) return;
    throw Error(fmt::format("{} {}: {} is a symbolic link (to {}); refusing to write through it\nHINT: run folders "
                            "hold plain files only; remove the link or pass another folder",
                            flag, dir, p.string(), fs::read_symlink(p, ec).string()));
  };
  refuse_link(fs::path(dir).lexically_normal());
  refuse_link(fs::path(dir) / "figures");  // report.html's pictures
  for (const char* name : {"config.json", "metrics.json", "model.safetensors", "last.ckpt", "best.ckpt", "report.html"})
    for (const char* suffix : {"", ".tmp"}) refuse_link(fs::path(dir) / (std::string(name) + suffix));
}

}  // namespace cnn
