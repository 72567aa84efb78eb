// Broadcasting arithmetic (add, sub, mul, div, maximum, minimum) and the operator overloads.
// Backward reduces each gradient back to its operand's shape with sum_to.
#include <cnn/ops.h>

namespace cnn {

namespace {

void check_operands(const char* op, const Tensor& a, const Tensor& b) {
  CNN_CHECK(a.defined() && b.defined(), "{}: operand is undefined", op);
  CNN_CHECK(a.dtype() == DType::f32 && b.dtype() == DType::f32,
            "{}: expected float32 operands, got {} {} and {} {} (convert with .to(DType::f32))", op,
            dtype_name(a.dtype()), a.shape(), dtype_name(b.dtype()), b.shape());
  broadcast_shapes(a.shape(), b.shape(), op);
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  check_operands("add", a, b);
  return record("AddBackward", backend().binary(BinaryKind::add, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](const Tensor& dy, const NeedsGrad& needs) {
                  return std::vector<Tensor>{needs[0] ? sum_to(dy, sa) : Tensor(), needs[1] ? sum_to(dy, sb) : Tensor()};
                });
}

Tensor sub(const Tensor& a, const Tensor& b) {
  check_operands("sub", a, b);
  return record("SubBackward", backend().binary(BinaryKind::sub, a, b), {a, b},
                [sa = a.shape(), sb = b.shape()](const Tensor& dy, const NeedsGrad& needs) {
                  return std::vector<Tensor>{needs[0] ? sum_to(dy, sa) : Tensor(),
                                             needs[1] ? sum_to(neg(dy), sb) : Tensor()};
                });
}

Tensor mul(const Tensor& a, const Tensor& b) {
  check_operands("mul", a, b);
  return record("MulBackward", backend().binary(BinaryKind::mul, a, b), {a, b},
                [a = a.detach(), b = b.detach()](const Tensor& dy, const NeedsGrad& needs) {
                  return std::vector<Tensor>{needs[0] ? sum_to(mul(dy, b), a.shape()) : Tensor(),
                                             needs[1] ? sum_to(mul(dy, a), b.shape()) : Tensor()};
                });
}

Tensor div(const Tensor& a, const Tensor& b) {
  check_operands("div", a, b);
  return record("DivBackward", backend().binary(BinaryKind::div, a, b), {a, b},
                [a = a.detach(), b = b.detach()](const Tensor& dy, const NeedsGrad& needs) {
                  Tensor da, db;
                  if (needs[0]) da = sum_to(div(dy, b), a.shape());
                  if (needs[1]) db = sum_to(neg(div(mul(dy, a), mul(b, b))), b.shape());
                  return std::vector<Tensor>{da, db};
                });
}

// Gradient goes to the operand that was selected (to `a` on ties, as a mask a >= b for max).
static Tensor select_binary(const char* op, const char* node, BinaryKind kind, const Tensor& a, const Tensor& b) {
  check_operands(op, a, b);
  Tensor out = backend().binary(kind, a, b);
  return record(node, out, {a, b}, [a = a.detach(), sb = b.shape(), out = out.detach()](const Tensor& dy,
                                                                                        const NeedsGrad& needs) {
    // from_a is 1 where the output equals a (the selected operand), else 0: 1 - min(|out - a| * 1e30, 1).
    Tensor from_a = sub(ones_like(out), clamp(mul(abs(sub(out, a)), 1e30), std::nullopt, 1.0));
    Tensor da, db;
    if (needs[0]) da = sum_to(mul(dy, from_a), a.shape());
    if (needs[1]) db = sum_to(mul(dy, sub(ones_like(from_a), from_a)), sb);
    return std::vector<Tensor>{da, db};
  });
}

Tensor maximum(const Tensor& a, const Tensor& b) { return select_binary("maximum", "MaximumBackward", BinaryKind::max, a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return select_binary("minimum", "MinimumBackward", BinaryKind::min, a, b); }

Tensor add(const Tensor& a, double b) { return add(a, scalar_tensor(b)); }
Tensor sub(const Tensor& a, double b) { return sub(a, scalar_tensor(b)); }
Tensor mul(const Tensor& a, double b) { return mul(a, scalar_tensor(b)); }
Tensor div(const Tensor& a, double b) { return div(a, scalar_tensor(b)); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator+(const Tensor& a, double b) { return add(a, b); }
Tensor operator-(const Tensor& a, double b) { return sub(a, b); }
Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
Tensor operator/(const Tensor& a, double b) { return div(a, b); }
Tensor operator+(double a, const Tensor& b) { return add(b, a); }
Tensor operator-(double a, const Tensor& b) { return add(neg(b), a); }
Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_tensor(a), b); }
Tensor operator-(const Tensor& a) { return neg(a); }

}  // namespace cnn
