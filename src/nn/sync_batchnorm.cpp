// sync_batch_norm (see sync_batchnorm.h): per-channel sums over the local batch in double, one allreduce of
// [sum, sum of squares, count] in forward and one of [sum(dy), sum(dy * xhat)] in backward.
#include "nn/sync_batchnorm.h"

#include <cnn/autograd.h>
#include <cnn/distributed.h>
#include <cnn/error.h>

#include <cmath>
#include <vector>

namespace cnn {

namespace {

// Calls fn(channel, offset of the channel's run, run length) for every (n, c) run of a dense [N, C, *] tensor.
template <class Fn>
void for_each_run(int64_t N, int64_t C, int64_t inner, Fn&& fn) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) fn(c, (n * C + c) * inner, inner);
}

}  // namespace

Tensor sync_batch_norm(const Tensor& x_in, const Tensor& running_mean, const Tensor& running_var, const Tensor& gamma,
                       const Tensor& beta, double momentum, double eps) {
  CNN_CHECK(x_in.dim() >= 2 && x_in.dtype() == DType::f32, "sync_batch_norm: expected f32 input [N, C, *], got {} {}",
            dtype_name(x_in.dtype()), x_in.shape());
  const Tensor x = x_in.detach().contiguous();
  const int64_t N = x.size(0), C = x.size(1), inner = N * C == 0 ? 0 : x.numel() / (N * C);
  std::vector<double> stats(static_cast<size_t>(2 * C + 1), 0.0);
  const float* px = x.data<float>();
  for_each_run(N, C, inner, [&](int64_t c, int64_t at, int64_t len) {
    double s = 0, q = 0;
    for (int64_t i = 0; i < len; ++i) s += px[at + i], q += double(px[at + i]) * px[at + i];
    stats[c] += s, stats[C + c] += q;
  });
  stats[2 * C] = static_cast<double>(N * inner);
  distributed::all_reduce_sum(stats);
  const double count = stats[2 * C];
  CNN_CHECK(count > 1, "sync_batch_norm: expected more than 1 value per channel over all ranks when training, got "
            "input of shape {}", x_in.shape());
  auto mean = std::make_shared<std::vector<double>>(C), invstd = std::make_shared<std::vector<double>>(C);
  std::vector<double> var(C);
  for (int64_t c = 0; c < C; ++c) {
    (*mean)[c] = stats[c] / count;
    var[c] = std::max(stats[C + c] / count - (*mean)[c] * (*mean)[c], 0.0);
    (*invstd)[c] = 1.0 / std::sqrt(var[c] + eps);
  }
  const Tensor g = gamma.defined() ? gamma.detach().contiguous() : Tensor();
  const Tensor b = beta.defined() ? beta.detach().contiguous() : Tensor();
  Tensor y = Tensor::empty(x.shape());
  float* py = y.data<float>();
  for_each_run(N, C, inner, [&](int64_t c, int64_t at, int64_t len) {
    const double scale = (*invstd)[c] * (g.defined() ? g.data<float>()[c] : 1.0);
    const double shift = (b.defined() ? b.data<float>()[c] : 0.0) - (*mean)[c] * scale;
    for (int64_t i = 0; i < len; ++i) py[at + i] = static_cast<float>(px[at + i] * scale + shift);
  });
  if (running_mean.defined() && running_var.defined()) {
    float* rm = running_mean.data<float>();
    float* rv = running_var.data<float>();
    for (int64_t c = 0; c < C; ++c) {
      rm[c] = static_cast<float>((1 - momentum) * rm[c] + momentum * (*mean)[c]);
      rv[c] = static_cast<float>((1 - momentum) * rv[c] + momentum * var[c] * count / (count - 1));
    }
  }
  return record("SyncBatchNormBackward", y, {x_in, gamma, beta}, [x, g, mean, invstd, count, N, C, inner](
                                                                    const Tensor& dy_in, const NeedsGrad& needs) {
    const Tensor dy = dy_in.contiguous();
    const float* pd = dy.data<float>();
    const float* px = x.data<float>();
    std::vector<double> sums(static_cast<size_t>(2 * C), 0.0);  // sum(dy), sum(dy * xhat) per channel
    for_each_run(N, C, inner, [&](int64_t c, int64_t at, int64_t len) {
      double s = 0, t = 0;
      for (int64_t i = 0; i < len; ++i) s += pd[at + i], t += pd[at + i] * ((px[at + i] - (*mean)[c]) * (*invstd)[c]);
      sums[c] += s, sums[C + c] += t;
    });
    std::vector<Tensor> grads(3);
    if (needs[1]) {  // the local sums: DistributedDataParallel averages parameter gradients over the ranks
      grads[1] = Tensor::empty(Shape{C});
      for (int64_t c = 0; c < C; ++c) grads[1].data<float>()[c] = static_cast<float>(sums[C + c]);
    }
    if (needs[2]) {
      grads[2] = Tensor::empty(Shape{C});
      for (int64_t c = 0; c < C; ++c) grads[2].data<float>()[c] = static_cast<float>(sums[c]);
    }
    if (needs[0]) {
      distributed::all_reduce_sum(sums);
      grads[0] = Tensor::empty(x.shape());
      float* pg = grads[0].data<float>();
      for_each_run(N, C, inner, [&](int64_t c, int64_t at, int64_t len) {
        const double k = (*invstd)[c] * (g.defined() ? g.data<float>()[c] : 1.0);
        const double mdy = sums[c] / count, mdyx = sums[C + c] / count;
        for (int64_t i = 0; i < len; ++i) {
          const double xhat = (px[at + i] - (*mean)[c]) * (*invstd)[c];
          pg[at + i] = static_cast<float>(k * (pd[at + i] - mdy - xhat * mdyx));
        }
      });
    }
    return grads;
  });
}

}  // namespace cnn
