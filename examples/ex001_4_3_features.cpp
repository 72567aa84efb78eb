// Seeds 001 §4.3 "Visualize Learned Features": visualize_filters (conv1 of ResNet-18 for CIFAR, [64, 3, 3, 3] shown
// as colour images) and visualize_feature_maps (forward hooks on conv1, layer1, layer2, layer3, channel means), drawn
// into DIR/filters.png and DIR/feature_maps.png. Without --weights the model is freshly initialised (there is no
// CIFAR-10 here; train one with `cnn train --config recipes/resnet18_cifar10.json` and pass its model.safetensors).
// Run: build/examples/ex001_4_3_features [--weights FILE.safetensors] [--output DIR]
#include <cnn/cnn.h>
#include <cnn/models.h>
#include <cnn/viz.h>
#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <string>

#include "example_args.h"

int main(int argc, char** argv) {
  const ExampleFlags flags(argc, argv, "Seeds 001 §4.3 \"Visualize Learned Features\"",
                           {{"--output", ".", "folder for the written files"},
                            {"--weights", "", "a .safetensors file to load (empty: fresh initialisation)"}});
  const std::string out_dir = flags.str("--output"), weights = flags.str("--weights");
  cnn::manual_seed(42);
  auto model = cnn::models::create("resnet18_cifar", {.num_classes = 10});
  if (!weights.empty()) cnn::load_state_dict_file(*model, weights);
  model->eval();
  std::filesystem::create_directories(out_dir);

  // visualize_filters(model, 'conv1')
  const cnn::Tensor filters = cnn::viz::find_module(*model, "conv1").named_parameters()["weight"].detach();
  fmt::print("conv1 filters: {} ({} shown as RGB images)\n", filters.shape().str(), filters.size(0));
  const std::string filters_path = out_dir + "/filters.png";
  cnn::viz::save_figure(filters_path, {{.title = "", .panels = cnn::viz::filter_panels(filters), .columns = 8}},
                        {.title = "Learned Filters in conv1", .cell = 48});

  // visualize_feature_maps: hooks capture each layer's output during one forward pass.
  const std::vector<std::string> layer_names{"conv1", "layer1", "layer2", "layer3"};
  std::map<std::string, cnn::Tensor> activations;
  std::vector<cnn::HookHandle> hooks;
  for (const std::string& name : layer_names)
    hooks.push_back(cnn::viz::find_module(*model, name).register_forward_hook(
        [&activations, name](cnn::Module&, const cnn::Tensor&, const cnn::Tensor& output) {
          activations[name] = output.detach();
        }));
  // A stand-in image: horizontal colour ramps with a bright square (normalised CIFAR-like values).
  cnn::Tensor image = cnn::zeros({1, 3, 32, 32});
  for (int64_t c = 0; c < 3; ++c)
    image[0][c].copy_(cnn::arange(0, 32).view({1, 32}).expand({32, 32}) * (0.05 * static_cast<double>(c + 1)) - 0.8);
  image.slice(2, 10, 22).slice(3, 10, 22).fill_(1.5);
  {
    cnn::NoGradGuard no_grad;
    (*model)(image);
  }
  for (auto& h : hooks) h.remove();

  std::vector<cnn::viz::Section> sections{
      {.title = "Input", .panels = {{.rgb = cnn::viz::to_rgb(image[0]), .title = "Input"}}, .columns = 1}};
  for (const std::string& name : layer_names) {
    const cnn::Tensor& act = activations.at(name);
    fmt::print("{:<7} {}\n", name, act.shape().str());
    sections.push_back(cnn::viz::feature_section(name, act, 0));
  }
  const std::string maps_path = out_dir + "/feature_maps.png";
  cnn::viz::save_figure(maps_path, sections, {.title = "Feature maps (mean across channels)", .side_by_side = true});
  fmt::print("wrote {} and {}\n", filters_path, maps_path);
  return 0;
}
