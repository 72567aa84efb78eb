// Python-style text for extra_repr: True/False, float repr, ints and tuples as PyTorch prints them.
// Internal to src/nn; not a general formatter.
#pragma once

#include <cnn/options.h>

#include <fmt/format.h>

#include <string>

namespace cnn::repr {

inline std::string py_bool(bool b) { return b ? "True" : "False"; }

/// Python's repr(float): shortest round trip, "1.0" not "1", "1e-05" for small values.
inline std::string py_float(double v) {
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

/// A tuple as "(3, 3)", as PyTorch prints a _pair'ed argument.
inline std::string tuple(Pair2 p) { return fmt::format("({}, {})", p.h, p.w); }

/// One int when both sides agree ("2"), else a tuple: how pooling layers echo kernel_size=2.
inline std::string int_or_tuple(Pair2 p) { return p.h == p.w ? std::to_string(p.h) : tuple(p); }

inline std::string padding(const Padding& p) {
  if (p.mode == Padding::Mode::same) return "same";
  if (p.mode == Padding::Mode::valid) return "valid";
  return tuple(p.amount);
}

}  // namespace cnn::repr
