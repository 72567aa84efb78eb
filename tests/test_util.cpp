// Shared test helpers (see test_util.h).
#include "test_util.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace cnn::test {

namespace {
// Distinct, deterministic weights so that sum(out * w) is sensitive to each output element differently.
Tensor objective_weights(const Shape& shape) {
  std::vector<float> w(static_cast<size_t>(shape.numel()));
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.5f + static_cast<float>((i * 7) % 11) / 11.0f;
  return from_vector(w, shape);
}
}  // namespace

::testing::AssertionResult allclose(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  if (!actual.defined() || !expected.defined())
    return ::testing::AssertionFailure() << "undefined tensor (actual " << actual.defined() << ", expected "
                                         << expected.defined() << ")";
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << "shape " << actual.shape().str() << " vs expected "
                                         << expected.shape().str();
  const std::vector<float> a = actual.to(DType::f32).to_vector<float>();
  const std::vector<float> e = expected.to(DType::f32).to_vector<float>();
  double worst = -1.0;
  size_t worst_i = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double diff = std::abs(double(a[i]) - double(e[i]));
    const double excess = diff - (atol + rtol * std::abs(double(e[i])));
    const bool nan_mismatch = std::isnan(a[i]) != std::isnan(e[i]);
    if (nan_mismatch || excess > 0) {
      if (nan_mismatch || excess > worst) {
        worst = nan_mismatch ? INFINITY : excess;
        worst_i = i;
      }
    }
  }
  if (worst < 0) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "shape " << actual.shape().str() << ": worst element at flat index "
                                       << worst_i << ": actual " << a[worst_i] << " vs expected " << e[worst_i]
                                       << " (rtol " << rtol << ", atol " << atol << ")";
}

::testing::AssertionResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     std::vector<Tensor> inputs, double eps, double rtol, double atol) {
  Tensor out = f(inputs);
  // Weights make the scalar objective sensitive to every output element differently.
  Tensor weights = objective_weights(out.shape());
  Tensor loss = sum(mul(out, weights));
  for (Tensor& t : inputs)
    if (t.defined()) t.zero_grad();
  loss.backward();
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor x = inputs[k];
    if (!x.defined() || !x.requires_grad()) continue;
    Tensor analytic = x.grad().defined() ? x.grad() : zeros(x.shape());
    Tensor numeric = zeros(x.shape());
    float* p = x.data<float>();
    Tensor xc = x.contiguous();
    if (!xc.is_same(x)) return ::testing::AssertionFailure() << "gradcheck: inputs must be contiguous";
    NoGradGuard guard;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const float saved = p[i];
      p[i] = static_cast<float>(saved + eps);
      const double up = sum(mul(f(inputs), weights)).item();
      p[i] = static_cast<float>(saved - eps);
      const double down = sum(mul(f(inputs), weights)).item();
      p[i] = saved;
      numeric.data<float>()[i] = static_cast<float>((up - down) / (2 * eps));
    }
    auto r = allclose(analytic, numeric, rtol, atol);
    if (!r) return ::testing::AssertionFailure() << "gradcheck input " << k << " " << x.shape().str() << ": " << r.message();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult backend_parity(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                          const std::vector<Tensor>& inputs, double rtol, double atol) {
  std::vector<Tensor> outs, grads[2];
  for (int b = 0; b < 2; ++b) {
    BackendGuard guard(b == 0 ? "ref" : "onednn");
    std::vector<Tensor> local;
    for (const Tensor& t : inputs) {
      if (!t.defined()) {
        local.push_back(t);
        continue;
      }
      Tensor c = t.detach().clone();
      if (t.requires_grad()) c.requires_grad_();
      local.push_back(c);
    }
    Tensor out = f(local);
    outs.push_back(out.detach().contiguous());
    if (out.requires_grad()) {
      Tensor weights = objective_weights(out.shape());
      sum(mul(out, weights)).backward();
    }
    for (const Tensor& t : local) grads[b].push_back(t.defined() && t.requires_grad() ? t.grad() : Tensor());
  }
  auto r = allclose(outs[1], outs[0], rtol, atol);
  if (!r) return ::testing::AssertionFailure() << "onednn vs ref output: " << r.message();
  for (size_t k = 0; k < inputs.size(); ++k) {
    if (!grads[0][k].defined()) continue;
    auto rg = allclose(grads[1][k], grads[0][k], rtol, atol);
    if (!rg) return ::testing::AssertionFailure() << "onednn vs ref gradient of input " << k << ": " << rg.message();
  }
  return ::testing::AssertionSuccess();
}

namespace {
const nlohmann::json& load_fixture(const std::string& file) {
  static std::map<std::string, nlohmann::json> cache;
  auto it = cache.find(file);
  if (it != cache.end()) return it->second;
  const std::string path = std::string(CNN_FIXTURES_DIR) + "/" + file + ".json";
  std::ifstream in(path);
  if (!in) throw Error("fixture: cannot open " + path + "\nHINT: run tests/fixtures/make_fixtures.py with /usr/bin/python3");
  return cache[file] = nlohmann::json::parse(in);
}
}  // namespace

Tensor fixture(const std::string& file, const std::string& case_name, const std::string& key) {
  const nlohmann::json& j = load_fixture(file);
  CNN_CHECK(j.contains(case_name), "fixture {}: no case '{}'", file, case_name);
  CNN_CHECK(j[case_name].contains(key), "fixture {}: case '{}' has no key '{}'", file, case_name, key);
  const nlohmann::json& t = j[case_name][key];
  std::vector<int64_t> shape = t["shape"].get<std::vector<int64_t>>();
  if (t.value("dtype", "float32") == "int64") return from_vector(t["data"].get<std::vector<int64_t>>(), Shape(shape));
  return from_vector(t["data"].get<std::vector<float>>(), Shape(shape));
}

double fixture_value(const std::string& file, const std::string& case_name, const std::string& key) {
  const nlohmann::json& j = load_fixture(file);
  CNN_CHECK(j.contains(case_name) && j[case_name].contains(key), "fixture {}: no '{}' in case '{}'", file, key,
            case_name);
  return j[case_name][key].get<double>();
}

Tensor uniform(const Shape& shape, bool requires_grad) {
  Tensor t = rand(shape, -1.0, 1.0);
  if (requires_grad) t.requires_grad_();
  return t;
}

std::string mnist_dir() {
  const char* env = std::getenv("CNN_SHARED_DIR");
  std::string base = env ? env : std::string(CNN_SOURCE_DIR) + "/../shared";
  std::string dir = base + "/data/mnist";
  return std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz") ? dir : "";
}

std::string temp_dir(const std::string& prefix) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    fmt::format("cnn_test_{}_{}_{}", prefix, info ? info->name() : "", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

CommandResult run_command(const std::string& command) {
  static int counter = 0;
  const std::filesystem::path err_path =
      std::filesystem::temp_directory_path() / fmt::format("cnn_test_stderr_{}_{}", ::getpid(), counter++);
  FILE* pipe = popen(fmt::format("( {} ) 2>{}", command, err_path.string()).c_str(), "r");
  if (pipe == nullptr) return {-1000, "", "popen failed"};
  CommandResult r{0, "", ""};
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) r.out.append(buffer, n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  r.err = slurp(err_path.string());
  std::filesystem::remove(err_path);
  return r;
}

std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a cnn::Error";
  return "";
}

CommandResult run_cnn(const std::string& args) { return run_command(fmt::format("{}/cnn {}", CNN_BINARY_DIR, args)); }

CommandResult run_example(const std::string& name, const std::string& args) {
  return run_command(fmt::format("{}/examples/{} {}", CNN_BINARY_DIR, name, args));
}

}  // namespace cnn::test
