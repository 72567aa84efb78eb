// Exact t-SNE (van der Maaten & Hinton 2008), following the authors' bhtsne with theta = 0: perplexity
// calibration by binary search, early exaggeration, momentum and gains. O(N^2) time and memory; not Barnes-Hut.
#include <cnn/ops.h>
#include <cnn/random.h>
#include <cnn/viz_tsne.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace cnn::viz {

namespace {

// Below this many points a loop over pairs is cheaper than waking threads (on a busy machine, by far).
constexpr int64_t kParallelPoints = 512;

// Squared Euclidean distances [N * N] between the rows of x [N, D], centred and scaled by max |x| (bhtsne).
std::vector<float> squared_distances(const Tensor& x) {
  NoGradGuard no_grad;
  Tensor xc = x - mean(x, {0}, true);
  const double scale = max(abs(xc)).item();
  if (scale > 0) xc = xc / scale;
  const std::vector<float> gram = matmul(xc, xc.t()).contiguous().to_vector<float>();
  const int64_t n = x.size(0);
  std::vector<float> d(gram.size());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const auto at = [n](int64_t r, int64_t c) { return static_cast<size_t>(r * n + c); };
      d[at(i, j)] = i == j ? 0.0f : std::max(0.0f, gram[at(i, i)] + gram[at(j, j)] - 2.0f * gram[at(i, j)]);
    }
  return d;
}

// Row i of the conditional affinities, written over row i of the distances: exp(-beta d) normalised, with beta
// found by bisection so that the entropy is log(perplexity). Distances are shifted by the row's smallest, which
// leaves p and the entropy unchanged and keeps exp from underflowing.
void calibrate_row(float* row, int64_t n, int64_t i, double perplexity) {
  double dmin = std::numeric_limits<double>::max();
  for (int64_t j = 0; j < n; ++j)
    if (j != i) dmin = std::min(dmin, static_cast<double>(row[j]));
  std::vector<double> d(static_cast<size_t>(n)), p(static_cast<size_t>(n), 0.0);
  for (int64_t j = 0; j < n; ++j) d[static_cast<size_t>(j)] = row[j] - dmin;
  const double target = std::log(perplexity), inf = std::numeric_limits<double>::infinity();
  double beta = 1.0, lo = -inf, hi = inf, total = 0.0;
  for (int iter = 0; iter < 200; ++iter) {
    double weighted = 0.0;
    total = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      const auto k = static_cast<size_t>(j);
      p[k] = j == i ? 0.0 : std::exp(-beta * d[k]);
      total += p[k];
      weighted += beta * d[k] * p[k];
    }
    const double diff = weighted / total + std::log(total) - target;
    if (std::abs(diff) < 1e-5) break;
    if (diff > 0) {
      lo = beta;
      beta = hi == inf ? beta * 2 : (beta + hi) / 2;
    } else {
      hi = beta;
      beta = lo == -inf ? beta / 2 : (beta + lo) / 2;
    }
  }
  for (int64_t j = 0; j < n; ++j) row[j] = static_cast<float>(p[static_cast<size_t>(j)] / total);
}

std::vector<float> conditional(const Tensor& x, double perplexity, const char* who) {
  CNN_CHECK(x.dim() == 2 && x.dtype() == DType::f32, "{}: expected points [N, D] of float32, got {} of shape {}", who,
            dtype_name(x.dtype()), x.shape());
  const int64_t n = x.size(0);
  CNN_CHECK(perplexity > 0 && static_cast<double>(n - 1) > 3 * perplexity,
            "{}: perplexity {} needs more than 3 * perplexity + 1 = {} points, got {} of shape {}", who, perplexity,
            3 * perplexity + 1, n, x.shape());
  std::vector<float> p = squared_distances(x);
#pragma omp parallel for schedule(dynamic, 16) if (n >= kParallelPoints)
  for (int64_t i = 0; i < n; ++i) calibrate_row(p.data() + i * n, n, i, perplexity);
  return p;
}

int sign(double v) { return (v > 0) - (v < 0); }

// Student-t kernel 1 / (1 + |y_i - y_j|^2).
double kernel(const double* y, int64_t dims, int64_t i, int64_t j) {
  double d2 = 0.0;
  for (int64_t k = 0; k < dims; ++k) d2 += (y[i * dims + k] - y[j * dims + k]) * (y[i * dims + k] - y[j * dims + k]);
  return 1.0 / (1.0 + d2);
}

// Sum of the kernel over all pairs i != j, accumulated row by row so the result does not depend on the threads.
double kernel_total(const std::vector<double>& y, int64_t n, int64_t dims) {
  std::vector<double> rows(static_cast<size_t>(n), 0.0);
#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      if (j != i) rows[static_cast<size_t>(i)] += kernel(y.data(), dims, i, j);
  double total = 0.0;
  for (double r : rows) total += r;
  return total;
}

// dC/dy_i = sum_j (exaggeration * p_ij - q_ij) * kernel_ij * (y_i - y_j), q_ij = kernel_ij / total.
void gradient(const std::vector<float>& p, double exaggeration, const std::vector<double>& y, int64_t n, int64_t dims,
              std::vector<double>& dy) {
  const double total = kernel_total(y, n, dims);
#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
  for (int64_t i = 0; i < n; ++i) {
    double* g = dy.data() + i * dims;
    for (int64_t k = 0; k < dims; ++k) g[k] = 0.0;
    for (int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      const double q = kernel(y.data(), dims, i, j);
      const double mult = (exaggeration * p[static_cast<size_t>(i * n + j)] - q / total) * q;
      const double* yi = y.data() + i * dims;
      const double* yj = y.data() + j * dims;
      for (int64_t k = 0; k < dims; ++k) g[k] += mult * (yi[k] - yj[k]);
    }
  }
}

double kl_divergence(const std::vector<float>& p, const std::vector<double>& y, int64_t n, int64_t dims) {
  const double total = kernel_total(y, n, dims);
  std::vector<double> rows(static_cast<size_t>(n), 0.0);
#pragma omp parallel for schedule(static) if (n >= kParallelPoints)
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j) {
      const double pij = p[static_cast<size_t>(i * n + j)];
      if (j != i && pij > 0) rows[static_cast<size_t>(i)] += pij * std::log(pij * total / kernel(y.data(), dims, i, j));
    }
  double kl = 0.0;
  for (double r : rows) kl += r;
  return kl;
}

}  // namespace

Tensor tsne_conditional_affinities(const Tensor& x, double perplexity) {
  return from_vector(conditional(x, perplexity, "tsne_conditional_affinities"), {x.size(0), x.size(0)});
}

Tsne tsne(const Tensor& x, const TsneOptions& o) {
  CNN_CHECK(x.dim() == 2 && x.size(0) <= o.max_points,
            "tsne: exact t-SNE holds N x N affinities and takes at most {} points (max_points); got {} of shape {}. "
            "HINT: embed a subset (cnn viz tsne --limit)", o.max_points, x.dim() == 2 ? x.size(0) : 0, x.shape());
  CNN_CHECK(o.dims >= 1 && o.iterations >= 0 && o.learning_rate > 0,
            "tsne: dims ({}) must be positive, iterations ({}) not negative and learning_rate ({}) positive", o.dims,
            o.iterations, o.learning_rate);
  const int64_t n = x.size(0), dims = o.dims;
  std::vector<float> p = conditional(x, o.perplexity, "tsne");
  // Symmetrise: p_ij = (p_{j|i} + p_{i|j}) / 2N, i.e. divided by their sum (each row sums to 1).
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      const float v = p[static_cast<size_t>(i * n + j)] + p[static_cast<size_t>(j * n + i)];
      p[static_cast<size_t>(i * n + j)] = p[static_cast<size_t>(j * n + i)] = v;
      sum += 2.0 * v;
    }
  for (float& v : p) v = static_cast<float>(v / sum);

  Generator gen(o.seed);
  const auto size = static_cast<size_t>(n * dims);
  std::vector<double> y(size), dy(size), update(size, 0.0), gains(size, 1.0);
  for (double& v : y) v = gen.normal(0.0, 1e-4);
  Tsne result;
  for (int64_t iter = 0; iter < o.iterations; ++iter) {
    gradient(p, iter < o.exaggeration_iterations ? o.exaggeration : 1.0, y, n, dims, dy);
    const double momentum = iter < o.momentum_switch ? o.momentum : o.final_momentum;
    for (size_t k = 0; k < size; ++k) {
      gains[k] = sign(dy[k]) != sign(update[k]) ? gains[k] + 0.2 : gains[k] * 0.8;
      gains[k] = std::max(gains[k], 0.01);
      update[k] = momentum * update[k] - o.learning_rate * gains[k] * dy[k];
      y[k] += update[k];
    }
    for (int64_t k = 0; k < dims; ++k) {
      double centre = 0.0;
      for (int64_t i = 0; i < n; ++i) centre += y[static_cast<size_t>(i * dims + k)];
      centre /= static_cast<double>(n);
      for (int64_t i = 0; i < n; ++i) y[static_cast<size_t>(i * dims + k)] -= centre;
    }
    if ((iter + 1) % 50 == 0) result.kl_history.push_back(kl_divergence(p, y, n, dims));
  }
  result.kl = kl_divergence(p, y, n, dims);
  result.embedding = from_vector(std::vector<float>(y.begin(), y.end()), {n, dims});
  return result;
}

double neighbour_agreement(const Tensor& points, const std::vector<int64_t>& labels, int64_t k) {
  CNN_CHECK(points.dim() == 2 && static_cast<int64_t>(labels.size()) == points.size(0) && k >= 1 &&
                k < points.size(0),
            "neighbour_agreement: expected points [N, D], N labels and 1 <= k < N; got points {}, {} labels, k = {}",
            points.shape(), labels.size(), k);
  const int64_t n = points.size(0), d = points.size(1);
  const std::vector<float> p = points.contiguous().to_vector<float>();
  int64_t agree = 0;
#pragma omp parallel for schedule(static) reduction(+ : agree) if (n >= kParallelPoints)
  for (int64_t i = 0; i < n; ++i) {
    std::vector<std::pair<double, int64_t>> dist;
    for (int64_t j = 0; j < n; ++j) {
      if (j == i) continue;
      double s = 0.0;
      for (int64_t c = 0; c < d; ++c) s += (p[static_cast<size_t>(i * d + c)] - p[static_cast<size_t>(j * d + c)]) *
                                           (p[static_cast<size_t>(i * d + c)] - p[static_cast<size_t>(j * d + c)]);
      dist.emplace_back(s, j);
    }
    std::partial_sort(dist.begin(), dist.begin() + k, dist.end());
    for (int64_t m = 0; m < k; ++m)
      agree += labels[static_cast<size_t>(dist[static_cast<size_t>(m)].second)] == labels[static_cast<size_t>(i)];
  }
  return static_cast<double>(agree) / static_cast<double>(n * k);
}

}  // namespace cnn::viz
