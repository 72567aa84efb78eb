// PyTorch-like printing: tensor([[1.0000, 2.0000], ...], shape=[2, 3]) with "..." for large tensors.
#include <cnn/tensor.h>

#include <cmath>
#include <sstream>

namespace cnn {

namespace {

PrintOptions g_options;

struct Printer {
  const std::vector<double>& values;
  const Shape& shape;
  bool is_float;
  bool summarise;
  int width;
  int precision;
  bool scientific;

  std::string number(double v) const {
    if (!is_float) return fmt::format("{:>{}}", static_cast<int64_t>(v), width);
    if (std::isnan(v)) return fmt::format("{:>{}}", "nan", width);
    if (std::isinf(v)) return fmt::format("{:>{}}", v > 0 ? "inf" : "-inf", width);
    if (scientific) return fmt::format("{:>{}.{}e}", v, width, precision);
    return fmt::format("{:>{}.{}f}", v, width, precision);
  }

  void print(std::ostringstream& os, int64_t d, int64_t offset, int indent) const {
    if (shape.dim() == 0) {
      os << number(values[0]);
      return;
    }
    const int64_t n = shape[d];
    int64_t inner = 1;
    for (int64_t k = d + 1; k < shape.dim(); ++k) inner *= shape[k];
    os << "[";
    const int64_t edge = g_options.edgeitems;
    for (int64_t i = 0; i < n; ++i) {
      if (summarise && n > 2 * edge && i == edge) {
        os << (d == shape.dim() - 1 ? "..., " : std::string("...,\n") + std::string(static_cast<size_t>(indent + 1), ' '));
        i = n - edge;
      }
      if (d == shape.dim() - 1) {
        os << number(values[static_cast<size_t>(offset + i)]);
      } else {
        print(os, d + 1, offset + i * inner, indent + 1);
      }
      if (i + 1 < n) {
        os << ",";
        if (d == shape.dim() - 1)
          os << " ";
        else
          os << std::string(static_cast<size_t>(shape.dim() - d - 1), '\n') << std::string(static_cast<size_t>(indent + 1), ' ');
      }
    }
    os << "]";
  }
};

}  // namespace

void set_printoptions(const PrintOptions& options) { g_options = options; }

std::string Tensor::str() const {
  if (!defined()) return "tensor(undefined)";
  const bool is_float = is_floating_point(dtype());
  std::vector<double> values;
  if (is_float) {
    for (float v : to_vector<float>()) values.push_back(v);
  } else {
    for (int64_t v : to_vector<int64_t>()) values.push_back(static_cast<double>(v));
  }
  double max_abs = 0.0, min_abs = INFINITY;
  bool all_int = true;
  for (double v : values) {
    if (!std::isfinite(v)) continue;
    max_abs = std::max(max_abs, std::abs(v));
    if (v != 0.0) min_abs = std::min(min_abs, std::abs(v));
    all_int = all_int && v == std::floor(v);
  }
  const bool scientific = is_float && (max_abs >= 1e8 || (min_abs < 1e-4 && min_abs != INFINITY && max_abs / min_abs >= 1e3));
  const int precision = is_float && all_int && !scientific ? 0 : g_options.precision;
  int width = 1;
  Printer probe{values, shape(), is_float, false, 0, precision, scientific};
  for (double v : values) width = std::max(width, static_cast<int>(probe.number(v).size()));
  if (is_float && all_int && !scientific) width += 1;  // room for the trailing "."
  Printer printer{values, shape(), is_float, numel() > g_options.threshold, width, precision, scientific};
  std::ostringstream os;
  os << "tensor(";
  if (is_float && all_int && !scientific) {
    std::ostringstream body;
    printer.width = width - 1;
    printer.print(body, 0, 0, 7);
    // Integral floats print as "1." like PyTorch.
    std::string s = body.str(), out;
    for (size_t i = 0; i < s.size(); ++i) {
      out += s[i];
      const bool digit = std::isdigit(static_cast<unsigned char>(s[i]));
      const bool next_digit = i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]));
      if (digit && !next_digit) out += '.';
    }
    os << out;
  } else {
    printer.print(os, 0, 0, 7);
  }
  if (dim() != 1 || numel() > g_options.threshold || numel() == 0) os << ", shape=" << shape().str();
  if (dtype() != DType::f32) os << ", dtype=" << dtype_name(dtype());
  if (grad_fn()) os << ", grad_fn=<" << grad_fn_name() << ">";
  else if (requires_grad()) os << ", requires_grad=True";
  os << ")";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << t.str(); }

}  // namespace cnn
