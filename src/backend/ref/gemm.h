// The reference matrix product, shared by the fully connected and convolution kernels.
// Plain i-k-j loops: the inner j loop runs over contiguous memory, so the compiler vectorises it.
#pragma once

#include <cstdint>

namespace cnn::ref {

/// c[M, N] += a[M, K] b[K, N], all row-major and contiguous.
inline void gemm_nn(const float* a, const float* b, float* c, int64_t M, int64_t K, int64_t N) {
  for (int64_t i = 0; i < M; ++i) {
    float* crow = c + i * N;
    for (int64_t k = 0; k < K; ++k) {
      const float aik = a[i * K + k];
      const float* brow = b + k * N;
      for (int64_t j = 0; j < N; ++j) crow[j] += aik * brow[j];
    }
  }
}

/// c[M, N] += a[M, K] b[N, K]^T: each element is a dot product of two contiguous rows.
inline void gemm_nt(const float* a, const float* b, float* c, int64_t M, int64_t K, int64_t N) {
  for (int64_t i = 0; i < M; ++i)
    for (int64_t j = 0; j < N; ++j) {
      float acc = 0.0f;
      for (int64_t k = 0; k < K; ++k) acc += a[i * K + k] * b[j * K + k];
      c[i * N + j] += acc;
    }
}

/// c[M, N] += a[K, M]^T b[K, N].
inline void gemm_tn(const float* a, const float* b, float* c, int64_t M, int64_t K, int64_t N) {
  for (int64_t k = 0; k < K; ++k)
    for (int64_t i = 0; i < M; ++i) {
      const float aki = a[k * M + i];
      float* crow = c + i * N;
      const float* brow = b + k * N;
      for (int64_t j = 0; j < N; ++j) crow[j] += aki * brow[j];
    }
}

}  // namespace cnn::ref
