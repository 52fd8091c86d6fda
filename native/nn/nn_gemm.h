// Packed float32 GEMM for the gate matmuls: C[r, 0:Np) = init[r, 0:Np) + sum_k A[r, k] * B[k, 0:Np).
//
// B (a Keras kernel [K, N], row-major) is packed once per model into panels of 8 columns:
// panel p holds B[k, 8p .. 8p+8) for k = 0..K-1 contiguously (K * 8 floats), columns past N
// zero-filled (N is padded to Np, a multiple of 8). A micro-kernel keeps an MR x (8 NP) tile
// of C in registers, and for each k loads NP panel vectors, broadcasts MR values of A and does
// MR * NP FMAs: every B vector loaded serves MR rows, and the panels it walks are contiguous.
//
// Accumulation is float32, one FMA per k in ascending k order, starting from `init`, for
// EVERY element whatever the tile shape: a row's result does not depend on how many rows are
// computed with it, so the one-row streaming step and the batched forward agree bit for bit.
// (float32 because the weights are float32 in the format and vectors are twice as wide; the
// gate sums have K <= in + units terms of moderate size, so the relative error stays ~1e-6.)
//
// AVX2+FMA is chosen at run time (__builtin_cpu_supports); elsewhere a portable scalar kernel
// (separate mul and add, same order) runs.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include "nn_math.h"

namespace neurion::nn {

struct FreeDeleter {
  void operator()(float* p) const { std::free(p); }
};

// A 64-byte aligned float buffer (zero-filled).
class Buf {
 public:
  Buf() = default;
  explicit Buf(int64_t n) { reset(n); }
  void reset(int64_t n) {
    n_ = n;
    const size_t bytes = ((static_cast<size_t>(n > 0 ? n : 1) * sizeof(float) + 63) / 64) * 64;
    float* p = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (p == nullptr) throw std::bad_alloc();
    std::memset(p, 0, bytes);
    p_.reset(p);
  }
  float* data() { return p_.get(); }
  const float* data() const { return p_.get(); }
  int64_t size() const { return n_; }

 private:
  std::unique_ptr<float, FreeDeleter> p_;
  int64_t n_ = 0;
};

inline int64_t pad8(int64_t n) { return (n + 7) / 8 * 8; }

// Columns [c0, c0 + n) of a row-major [K, ld] matrix, packed into panels of 8.
struct Packed {
  int K = 0, N = 0, Np = 0;
  Buf data;
  void pack(const float* src, int k, int ld, int c0, int n) {
    K = k; N = n; Np = static_cast<int>(pad8(n));
    data.reset(int64_t{Np} * K);
    float* d = data.data();
    for (int p = 0; p < Np / 8; ++p)
      for (int kk = 0; kk < K; ++kk)
        for (int j = 0; j < 8; ++j) {
          const int col = p * 8 + j;
          d[(int64_t{p} * K + kk) * 8 + j] = col < n ? src[int64_t{kk} * ld + c0 + col] : 0.0f;
        }
  }
  const float* panel(int p) const { return data.data() + int64_t{p} * K * 8; }
};

// ---- scalar kernel -------------------------------------------------------------------------
inline void gemm_scalar(const float* A, int64_t lda, int rows, const Packed& B, const float* init, int64_t ldi,
                        float* C, int64_t ldc) {
  const int K = B.K;
  for (int r = 0; r < rows; ++r) {
    for (int p = 0; p < B.Np / 8; ++p) {
      float acc[8];
      for (int j = 0; j < 8; ++j) acc[j] = init[r * ldi + p * 8 + j];
      const float* b = B.panel(p);
      const float* a = A + r * lda;
      for (int k = 0; k < K; ++k) {
        const float av = a[k];
        for (int j = 0; j < 8; ++j) {
          const float prod = av * b[k * 8 + j];
          acc[j] = acc[j] + prod;
        }
      }
      for (int j = 0; j < 8; ++j) C[r * ldc + p * 8 + j] = acc[j];
    }
  }
}

#if NEURION_NN_X86
template <int MR, int NP>
NEURION_AVX2 inline void kern_avx2(const float* A, int64_t lda, int K, const float* b0, const float* init, int64_t ldi,
                                   float* C, int64_t ldc) {
  __m256 acc[MR][NP];
  const int64_t ps = int64_t{K} * 8;  // panel stride
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q) acc[r][q] = _mm256_loadu_ps(init + r * ldi + q * 8);
  for (int k = 0; k < K; ++k) {
    __m256 b[NP];
    for (int q = 0; q < NP; ++q) b[q] = _mm256_load_ps(b0 + q * ps + k * 8);
    for (int r = 0; r < MR; ++r) {
      const __m256 a = _mm256_broadcast_ss(A + r * lda + k);
      for (int q = 0; q < NP; ++q) acc[r][q] = _mm256_fmadd_ps(a, b[q], acc[r][q]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q) _mm256_storeu_ps(C + r * ldc + q * 8, acc[r][q]);
}

NEURION_AVX2 inline void gemm_avx2(const float* A, int64_t lda, int rows, const Packed& B, const float* init,
                                   int64_t ldi, float* C, int64_t ldc) {
  const int K = B.K, P = B.Np / 8;
  int r = 0;
  // Blocks of 4 rows: 2 panels (16 columns) at a time, the panel pair (K * 64 bytes) stays in
  // L1 while every row block sweeps it.
  if (rows >= 4) {
    int p = 0;
    for (; p + 2 <= P; p += 2)
      for (int rr = 0; rr + 4 <= rows; rr += 4)
        kern_avx2<4, 2>(A + rr * lda, lda, K, B.panel(p), init + rr * ldi + p * 8, ldi, C + rr * ldc + p * 8, ldc);
    for (; p < P; ++p)
      for (int rr = 0; rr + 4 <= rows; rr += 4)
        kern_avx2<4, 1>(A + rr * lda, lda, K, B.panel(p), init + rr * ldi + p * 8, ldi, C + rr * ldc + p * 8, ldc);
    r = rows / 4 * 4;
  }
  // Remaining rows (and the one-row streaming step): 8 panels (64 columns) per pass so eight
  // independent FMA chains hide the FMA latency.
  for (; r < rows; ++r) {
    const float* a = A + r * lda;
    const float* in = init + r * ldi;
    float* c = C + r * ldc;
    int p = 0;
    for (; p + 8 <= P; p += 8) kern_avx2<1, 8>(a, lda, K, B.panel(p), in + p * 8, ldi, c + p * 8, ldc);
    for (; p + 4 <= P; p += 4) kern_avx2<1, 4>(a, lda, K, B.panel(p), in + p * 8, ldi, c + p * 8, ldc);
    for (; p < P; ++p) kern_avx2<1, 1>(a, lda, K, B.panel(p), in + p * 8, ldi, c + p * 8, ldc);
  }
}

inline bool have_avx2() {
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
}
#else
inline bool have_avx2() { return false; }
#endif

// init: row r's initial values at init + r * ldi (ldi = 0 broadcasts one bias row); Np columns
// of init must be readable. C gets Np columns per row (the padding columns too). C may equal
// init (in-place accumulate) when ldc == ldi.
inline void gemm(const float* A, int64_t lda, int rows, const Packed& B, const float* init, int64_t ldi, float* C,
                 int64_t ldc) {
  if (rows <= 0 || B.Np == 0) return;
#if NEURION_NN_X86
  if (have_avx2()) return gemm_avx2(A, lda, rows, B, init, ldi, C, ldc);
#endif
  gemm_scalar(A, lda, rows, B, init, ldi, C, ldc);
}

}  // namespace neurion::nn
