// Models built for existing weights (see pretrained.h).
#include "pretrained.h"

#include <cnn/checkpoint.h>
#include <cnn/init.h>
#include <cnn/io.h>
#include <fmt/format.h>

#include "train_args.h"

namespace cnn::cli {

models::ModelOptions model_options(const std::string& model, const std::vector<std::string>& kwargs, int64_t classes,
                                   const Shape& input) {
  models::ModelOptions o{.num_classes = classes, .in_channels = input[0], .kwargs = parse_model_kwargs(kwargs)};
  if (model == "plaincnn" && !o.kwargs.count("image_size")) o.kwargs["image_size"] = std::to_string(input[2]);
  return o;
}

StateDict read_weights(const std::string& path) {
  const bool checkpoint = path.size() >= 5 && path.compare(path.size() - 5, 5, ".ckpt") == 0;
  return checkpoint ? load_checkpoint(path).model : load_safetensors(path);
}

int64_t classifier_outputs(const Module& model) {
  return model.get_submodule(models::classifier_name(model))->named_parameters().values().front().shape()[0];
}

ModulePtr create_with_weights(const std::string& name, models::ModelOptions options, const std::string& path,
                              const std::string& command) {
  const StateDict weights = read_weights(path);
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
    throw Error(fmt::format("{}: loading {} into {}: {}\nHINT: pass the --model (and --model-kwargs, --in-chans) "
                            "the weights were trained with",
                            command, path, name, what.substr(0, what.find("\nHINT:"))));
  }
  return model;
}

}  // namespace cnn::cli
