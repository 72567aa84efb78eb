// Shared test helpers: closeness checks that print shapes and the worst element, finite-difference
// gradient checks, reference-vs-oneDNN parity, and PyTorch fixtures from tests/fixtures/*.json.
#pragma once

#include <cnn/cnn.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace cnn::test {

/// Passes when |a - b| <= atol + rtol * |b| everywhere; on failure names the worst element and both shapes.
::testing::AssertionResult allclose(const Tensor& actual, const Tensor& expected, double rtol = 1e-5,
                                    double atol = 1e-6);
#define EXPECT_ALLCLOSE(a, b, ...) EXPECT_TRUE(::cnn::test::allclose((a), (b) __VA_OPT__(,) __VA_ARGS__))

/// Checks the analytic gradients of sum(f(inputs) * weights) against central finite differences (in double
/// precision of the perturbation, float tensors). Each input that requires grad is checked.
::testing::AssertionResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     std::vector<Tensor> inputs, double eps = 1e-2, double rtol = 2e-2,
                                     double atol = 2e-3);

/// Runs f under the "ref" and "onednn" backends (same inputs) and compares outputs and input gradients.
::testing::AssertionResult backend_parity(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                          const std::vector<Tensor>& inputs, double rtol = 1e-4,
                                          double atol = 1e-5);

/// A tensor stored in a PyTorch fixture file (tests/fixtures/NAME.json: {"case": {"key": {"shape", "data"}}}).
Tensor fixture(const std::string& file, const std::string& case_name, const std::string& key);
/// A scalar option stored in a fixture case ({"case": {"key": number}}).
double fixture_value(const std::string& file, const std::string& case_name, const std::string& key);

/// The message of the cnn::Error that f throws (a test failure when it throws none).
std::string error_message(const std::function<void()>& f);

/// Random float tensor with values in [-1, 1) (seeded by the caller through manual_seed).
Tensor uniform(const Shape& shape, bool requires_grad = false);

/// The MNIST folder from ../shared/data/mnist (or $CNN_SHARED_DIR/data/mnist); empty when absent.
std::string mnist_dir();

/// A fresh, empty folder for the running test: TMP/cnn_test_PREFIX_TESTNAME_PID.
std::string temp_dir(const std::string& prefix);
/// A whole file's bytes ("" when it cannot be read).
std::string slurp(const std::string& path);

/// What a finished child process left: its exit status (-signal when killed), stdout and stderr.
struct CommandResult {
  int code;
  std::string out, err;
};
/// Runs a shell command line (in a subshell, so "cd DIR && ..." and "2>&1" work), capturing stdout and stderr
/// separately.
CommandResult run_command(const std::string& command);
/// Runs the built `cnn` with ARGS.
CommandResult run_cnn(const std::string& args);
/// Runs an example program of examples/ (built into the build folder's examples/) with ARGS.
CommandResult run_example(const std::string& name, const std::string& args = "");

}  // namespace cnn::test
