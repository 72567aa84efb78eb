// cnn::Error and CNN_CHECK: the one way cnnkit reports a bad argument, shape or file.
// Not a logging facility: every failure throws, with the op or layer named and expected vs actual spelled out.
#pragma once

#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace cnn {

/// Thrown by every check in cnnkit. what() reads like
/// "conv2d: expected input with 3 channels for weight [16, 3, 3, 3] (groups=1), got input [8, 1, 32, 32]".
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

}  // namespace cnn

/// CNN_CHECK(cond, "fmt", args...): throws cnn::Error with the formatted message when cond is false.
/// Usage: CNN_CHECK(x.dim() == 4, "conv2d: expected 4-D input, got {}", x.shape());
#define CNN_CHECK(cond, ...)                                  \
  do {                                                        \
    if (!(cond)) throw ::cnn::Error(::fmt::format(__VA_ARGS__)); \
  } while (0)
