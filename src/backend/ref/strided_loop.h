// A walk over the index space of a shape for up to three strided operands, row by row (innermost
// dimension as the row), for reference kernels that must read broadcast or permuted tensors.
#pragma once

#include <cnn/shape.h>

#include <vector>

namespace cnn {

/// Calls fn(off0, off1, off2, row_len, step0, step1, step2) for every innermost row of `shape`.
template <class Fn>
void for_each_row3(const Shape& shape, const std::vector<int64_t>& s0, const std::vector<int64_t>& s1,
                   const std::vector<int64_t>& s2, Fn fn) {
  const int64_t nd = shape.dim();
  if (shape.numel() == 0) return;
  if (nd == 0) {
    fn(0, 0, 0, 1, 1, 1, 1);
    return;
  }
  std::vector<int64_t> idx(static_cast<size_t>(nd), 0);
  int64_t o0 = 0, o1 = 0, o2 = 0;
  const size_t last = static_cast<size_t>(nd - 1);
  while (true) {
    fn(o0, o1, o2, shape[nd - 1], s0[last], s1[last], s2[last]);
    int64_t d = nd - 2;
    for (; d >= 0; --d) {
      const size_t u = static_cast<size_t>(d);
      ++idx[u];
      o0 += s0[u];
      o1 += s1[u];
      o2 += s2[u];
      if (idx[u] < shape[d]) break;
      o0 -= s0[u] * shape[d];
      o1 -= s1[u] * shape[d];
      o2 -= s2[u] * shape[d];
      idx[u] = 0;
    }
    if (d < 0) return;
  }
}

}  // namespace cnn
