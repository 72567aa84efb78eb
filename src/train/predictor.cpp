// cnn::Predictor: a run loaded once, classifying batches and image files from any number of threads.
#include <cnn/autograd.h>
#include <cnn/fuse.h>
#include <cnn/ops.h>
#include <cnn/predictor.h>

#include <algorithm>
#include <filesystem>
#include <numeric>

namespace cnn {

namespace fs = std::filesystem;

Predictor Predictor::load(const std::string& run_dir, const std::string& weights) {
  RunSpec spec = RunSpec::load(run_dir);
  ModulePtr model = spec.load_model(weights);
  return Predictor(std::move(spec), std::move(model));
}

Predictor::Predictor(RunSpec spec, ModulePtr model)
    : spec_(std::move(spec)), model_(std::move(model)), names_(spec_.class_names()), input_(spec_.input_shape()) {
  CNN_CHECK(model_ != nullptr, "Predictor: no model given for run {}", spec_.dir);
  model_->eval();
  fuse_conv_bn(*model_, {1, input_[0], input_[1], input_[2]});  // inference only: batch norms folded away
}

Tensor Predictor::logits(const Tensor& batch) const {
  const Tensor x = batch.dim() == 3 ? batch.unsqueeze(0) : batch;
  CNN_CHECK(x.dim() == 4 && x.size(1) == input_[0] && x.dtype() == DType::f32,
            "Predictor: expected a float batch [N, {}, H, W] (or one image [{}, H, W]) for {}, got {} {}", input_[0],
            input_[0], spec_.model, dtype_name(batch.dtype()), batch.shape());
  NoGradGuard no_grad;  // thread-local: each calling thread records nothing
  return (*model_)(x);
}

Tensor Predictor::probabilities(const Tensor& batch) const { return softmax(logits(batch), 1).contiguous(); }

std::vector<Prediction> Predictor::predict(const Tensor& batch, int64_t topk) const {
  const Tensor p = probabilities(batch);
  const int64_t n = p.size(0), classes = p.size(1), k = std::clamp<int64_t>(topk, 1, classes);
  const float* data = p.data<float>();
  std::vector<Prediction> out(static_cast<size_t>(n));
  std::vector<int64_t> order(static_cast<size_t>(classes));
  for (int64_t i = 0; i < n; ++i) {
    const float* row = data + i * classes;
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + k, order.end(), [row](int64_t a, int64_t b) {
      return row[a] > row[b] || (row[a] == row[b] && a < b);
    });
    Prediction& r = out[static_cast<size_t>(i)];
    for (int64_t j = 0; j < k; ++j) {
      const int64_t c = order[static_cast<size_t>(j)];
      r.indices.push_back(c);
      r.names.push_back(c < static_cast<int64_t>(names_.size()) ? names_[static_cast<size_t>(c)] : std::to_string(c));
      r.probabilities.push_back(row[c]);
    }
  }
  return out;
}

std::vector<Prediction> Predictor::predict_files(const std::vector<std::string>& paths, int64_t topk,
                                                 int64_t batch_size) const {
  CNN_CHECK(batch_size > 0, "Predictor::predict_files: batch_size must be positive, got {}", batch_size);
  std::vector<Prediction> out;
  for (size_t start = 0; start < paths.size(); start += static_cast<size_t>(batch_size)) {
    const size_t end = std::min(paths.size(), start + static_cast<size_t>(batch_size));
    std::vector<Tensor> images;
    for (size_t i = start; i < end; ++i) images.push_back(read_image(paths[i]).unsqueeze(0));
    std::vector<Prediction> part = predict(cat(images, 0), topk);
    for (size_t i = start; i < end; ++i) part[i - start].source = paths[i];
    out.insert(out.end(), part.begin(), part.end());
  }
  return out;
}

std::vector<std::string> list_image_files(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      CNN_CHECK(fs::exists(p, ec), "predict: no such file or folder: {}", p);
      files.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (const auto& entry : fs::directory_iterator(p)) {
      std::string ext = entry.path().extension().string();
      std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
      if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp"))
        found.push_back(entry.path().string());
    }
    CNN_CHECK(!found.empty(), "predict: folder {} has no .png, .jpg, .jpeg or .bmp files", p);
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

}  // namespace cnn
