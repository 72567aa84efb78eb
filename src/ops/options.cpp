// Parsing and printing of option values shared by several ops ("same"/"valid" padding).
#include <cnn/error.h>
#include <cnn/options.h>

#include <fmt/format.h>

namespace cnn {

Padding::Padding(const std::string& s) {
  CNN_CHECK(s == "same" || s == "valid", "padding: expected an integer, a pair, \"same\" or \"valid\", got \"{}\"", s);
  mode = s == "same" ? Mode::same : Mode::valid;
}

std::string Padding::str() const {
  if (mode == Mode::same) return "same";
  if (mode == Mode::valid) return "valid";
  return amount.h == amount.w ? fmt::format("{}", amount.h) : fmt::format("({}, {})", amount.h, amount.w);
}

}  // namespace cnn
