// Module::load_state_dict: copies tensors in place by dotted name, with PyTorch's error report.
// Not file input/output: io.h reads and writes safetensors files.
#include <cnn/autograd.h>
#include <cnn/module.h>

namespace cnn {

namespace {

std::string quoted_list(const std::vector<std::string>& keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "\"" : ", \"") + k + "\"";
  return s;
}

// PyTorch's BatchNorm fills a missing num_batches_tracked with 0 (metadata-less dicts, e.g. safetensors files
// saved without the buffer): the key is neither missing nor an error.
bool is_batch_count(const std::string& name) {
  const std::string leaf = "num_batches_tracked";
  return name == leaf || (name.size() > leaf.size() && name.compare(name.size() - leaf.size() - 1, std::string::npos,
                                                                    "." + leaf) == 0);
}

}  // namespace

LoadResult Module::load_state_dict(const StateDict& state, bool strict) {
  const StateDict own = state_dict();
  LoadResult result;
  std::vector<std::string> mismatches;
  for (const auto& [name, target] : own) {
    const Tensor* src = state.find(name);
    if (src == nullptr) {
      if (!is_batch_count(name)) result.missing_keys.push_back(name);
    } else if (!src->defined() || src->shape() != target.shape()) {
      mismatches.push_back(fmt::format(
          "size mismatch for {}: copying a param with shape {} from checkpoint, the shape in current model is {}.",
          name, src->defined() ? src->shape().str() : std::string("(undefined)"), target.shape()));
    } else if (src->dtype() != target.dtype() &&
               !(is_floating_point(src->dtype()) && is_floating_point(target.dtype()))) {
      mismatches.push_back(fmt::format(
          "dtype mismatch for {}: copying a param of dtype {} from checkpoint, the dtype in current model is {} "
          "(float32 and bfloat16 convert into each other; integers and floats do not).",
          name, dtype_name(src->dtype()), dtype_name(target.dtype())));
    }
  }
  for (const auto& [name, t] : state)
    if (!own.contains(name)) result.unexpected_keys.push_back(name);

  std::string report;
  if (strict && !result.unexpected_keys.empty())
    report += "\n\tUnexpected key(s) in state_dict: " + quoted_list(result.unexpected_keys) + ".";
  if (strict && !result.missing_keys.empty())
    report += "\n\tMissing key(s) in state_dict: " + quoted_list(result.missing_keys) + ".";
  for (const auto& m : mismatches) report += "\n\t" + m;
  CNN_CHECK(report.empty(), "Error(s) in loading state_dict for {}:{}\nHINT: compare the checkpoint's keys with "
            "model.state_dict(); pass strict=false to skip missing and unexpected keys", type_name(), report);

  NoGradGuard no_grad;
  for (const auto& [name, target] : own)
    if (const Tensor* src = state.find(name)) Tensor(target).copy_(*src);
    else if (is_batch_count(name)) Tensor(target).zero_();
  return result;
}

}  // namespace cnn
