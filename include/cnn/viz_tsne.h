// t-SNE (van der Maaten & Hinton 2008), exact O(N^2), for embedding a layer's features in 2-D.
// Not Barnes-Hut: it refuses more than TsneOptions::max_points points. Not the drawing (save_scatter_chart).
#pragma once

#include <cnn/tensor.h>

#include <vector>

namespace cnn::viz {

/// Defaults are those of the authors' reference implementation (bhtsne, run exactly: theta = 0).
struct TsneOptions {
  int64_t dims = 2;                      // of the embedding
  double perplexity = 30.0;              // effective number of neighbours of each point; needs N - 1 > 3 * perplexity
  int64_t iterations = 1000;
  double learning_rate = 200.0;
  double exaggeration = 12.0;            // P is multiplied by this for the first exaggeration_iterations
  int64_t exaggeration_iterations = 250;
  double momentum = 0.5, final_momentum = 0.8;
  int64_t momentum_switch = 250;         // iteration where momentum becomes final_momentum
  uint64_t seed = 0;                     // the initial embedding: N(0, 1e-4^2) from this seed
  int64_t max_points = 5000;             // exact t-SNE holds N x N affinities
};

struct Tsne {
  Tensor embedding{};          // [N, dims] f32
  double kl = 0.0;             // KL(P || Q) at the end
  std::vector<double> kl_history{};  // KL(P || Q) after every 50 iterations
};

/// The conditional affinities p_{j|i} [N, N] of points x [N, D] (rows sum to 1, zero diagonal): a Gaussian kernel on
/// squared distances whose precision is found per row by binary search so that the row's entropy (natural log)
/// is log(perplexity) within 1e-5. The points are first centred and scaled by their largest absolute value, as
/// bhtsne does (the perplexity does not depend on it).
Tensor tsne_conditional_affinities(const Tensor& x, double perplexity);

/// Exact t-SNE of x [N, D] as bhtsne: symmetrised affinities (p_{j|i} + p_{i|j}) / 2N, Student-t similarities in
/// the embedding, gradient descent with momentum and per-coordinate gains (+0.2 where the gradient's sign flips,
/// x0.8 where it does not, at least 0.01), early exaggeration, and the embedding re-centred every step. The
/// gradient omits the constant 4 of the paper, as bhtsne's does. Deterministic for a seed (whatever the threads).
/// Usage: Tsne t = tsne(features, {.perplexity = 30, .seed = 0});
Tsne tsne(const Tensor& x, const TsneOptions& options = {});

/// The fraction of (point, neighbour) pairs, over each point of `points` [N, D] and its k nearest other points
/// (Euclidean), whose labels ([N]) agree: 1 when every neighbourhood is pure (how well an embedding keeps classes).
double neighbour_agreement(const Tensor& points, const std::vector<int64_t>& labels, int64_t k = 5);

}  // namespace cnn::viz
