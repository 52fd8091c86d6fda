// Packed float32 GEMM for the gate matmuls:
//   C[r, cols) = init[r, cols) + sum_{k < K1} A1[r, k] B[k, cols) + sum_{k < K2} A2[r, k] B[K1 + k, cols)
//
// B (one Keras kernel [K, N], or two stacked: [W; U] so that x W + h U is ONE pass over
// K = in + units) is packed once per model into panels of 16 columns: panel p holds
// B[k, 16p .. 16p+16) for k = 0..K-1 contiguously (K * 16 floats = one zmm / two ymm per k),
// columns past N zero-filled (N is padded to Np, a multiple of 16). A micro-kernel keeps an
// MR x (16 NP) tile of C in registers; per k it loads NP panel vectors, broadcasts MR values of
// A and does MR * NP FMAs, so every B vector loaded serves MR rows.
//
//   AVX-512  8 x 32 (16 zmm accumulators) for row blocks, 1 x 128 (8 zmm) for single rows
//   AVX2+FMA 4 x 16 (8 ymm) for row blocks, 1 x 64 (8 ymm) for single rows
//   scalar   separate mul and add
//
// Accumulation is float32, one FMA per k in ascending k order (A1's terms, then A2's),
// starting from `init`, for EVERY element whatever the tile shape, the column range or the
// SIMD level (an AVX-512 FMA and an AVX2 FMA round identically): a row's result does not depend
// on how many rows are computed with it, so the one-row streaming step, the batched forward and
// the column-split threads agree bit for bit. (Only the scalar fallback, with no FMA, rounds
// differently; it is consistent with itself.) float32 because the weights are float32 in the
// format and vectors are twice as wide; the gate sums have K <= in + units terms of moderate
// size, so the relative error stays ~1e-6.
//
// The SIMD level is chosen once at run time (__builtin_cpu_supports); NEURION_NN_SIMD=avx2 or
// =scalar in the environment caps it (for testing the fallbacks on an AVX-512 machine).
#pragma once
#include <cstdint>
#include <cstdlib>
#include <cstring>
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
inline int64_t pad16(int64_t n) { return (n + 15) / 16 * 16; }
constexpr int kNR = 16;  // panel width

// Columns [c0, c0 + n) of a row-major [k1, ld1] matrix (and, stacked below it, of a [k2, ld2]
// matrix), packed into panels of 16.
struct Packed {
  int K = 0, K1 = 0, N = 0, Np = 0;
  Buf data;
  void pack(const float* src, int k, int ld, int c0, int n) { pack2(src, k, ld, nullptr, 0, 0, c0, n); }
  void pack2(const float* s1, int k1, int ld1, const float* s2, int k2, int ld2, int c0, int n) {
    K1 = k1; K = k1 + k2; N = n; Np = static_cast<int>(pad16(n));
    data.reset(int64_t{Np} * K);
    float* d = data.data();
    for (int p = 0; p < Np / kNR; ++p)
      for (int kk = 0; kk < K; ++kk)
        for (int j = 0; j < kNR; ++j) {
          const int col = p * kNR + j;
          float v = 0.0f;
          if (col < n) v = kk < k1 ? s1[int64_t{kk} * ld1 + c0 + col] : s2[int64_t{kk - k1} * ld2 + c0 + col];
          d[(int64_t{p} * K + kk) * kNR + j] = v;
        }
  }
  int panels() const { return Np / kNR; }
  const float* panel(int p) const { return data.data() + int64_t{p} * K * kNR; }
};

enum class Simd : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

inline Simd simd_level() {
  static const Simd s = [] {
    Simd best = Simd::Scalar;
#if NEURION_NN_X86
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) best = Simd::Avx2;
    if (best == Simd::Avx2 && __builtin_cpu_supports("avx512f")) best = Simd::Avx512;
#endif
    const char* e = std::getenv("NEURION_NN_SIMD");
    if (e != nullptr) {
      if (std::strcmp(e, "scalar") == 0) best = Simd::Scalar;
      else if (std::strcmp(e, "avx2") == 0 && best > Simd::Avx2) best = Simd::Avx2;
    }
    return best;
  }();
  return s;
}
inline bool have_avx2() { return simd_level() >= Simd::Avx2; }
inline bool have_avx512() { return simd_level() >= Simd::Avx512; }
inline const char* simd_name() {
  switch (simd_level()) {
    case Simd::Avx512: return "avx512+fma";
    case Simd::Avx2: return "avx2+fma";
    default: return "scalar";
  }
}

// Arguments of one GEMM call (C and init point at column 0 of row 0).
// a1 (a2) null skips B's first (second) block of rows: a split of one stacked product into
// two calls, the second starting from the first's output, keeps the per-element FMA order.
struct GemmArgs {
  const float* a1; int64_t lda1;
  const float* a2; int64_t lda2;  // null when B has no second block (or to skip it)
  int rows;
  const float* init; int64_t ldi;  // ldi = 0 broadcasts one row
  float* c; int64_t ldc;
};

// ---- scalar kernel -------------------------------------------------------------------------
inline void gemm_scalar(const GemmArgs& g, const Packed& B, int p0, int p1) {
  const int K1 = B.K1, K2 = B.K - B.K1;
  for (int r = 0; r < g.rows; ++r) {
    for (int p = p0; p < p1; ++p) {
      float acc[kNR];
      for (int j = 0; j < kNR; ++j) acc[j] = g.init[r * g.ldi + p * kNR + j];
      const float* b = B.panel(p);
      const float* a = g.a1 != nullptr ? g.a1 + r * g.lda1 : nullptr;
      for (int k = 0; g.a1 != nullptr && k < K1; ++k) {
        const float av = a[k];
        for (int j = 0; j < kNR; ++j) {
          const float prod = av * b[k * kNR + j];
          acc[j] = acc[j] + prod;
        }
      }
      b += int64_t{K1} * kNR;
      a = g.a2 != nullptr ? g.a2 + r * g.lda2 : nullptr;
      for (int k = 0; g.a2 != nullptr && k < K2; ++k) {
        const float av = a[k];
        for (int j = 0; j < kNR; ++j) {
          const float prod = av * b[k * kNR + j];
          acc[j] = acc[j] + prod;
        }
      }
      for (int j = 0; j < kNR; ++j) g.c[r * g.ldc + p * kNR + j] = acc[j];
    }
  }
}

#if NEURION_NN_X86
// ---- AVX2 + FMA ------------------------------------------------------------------------------
template <int MR, int NP>
NEURION_AVX2 __attribute__((always_inline)) inline void run_avx2(__m256 (&acc)[MR][2 * NP], const float* A, int64_t lda,
                                                                 const float* b, int64_t ps, int K) {
  for (int k = 0; k < K; ++k) {
    __m256 bv[2 * NP];
    for (int q = 0; q < NP; ++q) {
      bv[2 * q] = _mm256_load_ps(b + q * ps + k * kNR);
      bv[2 * q + 1] = _mm256_load_ps(b + q * ps + k * kNR + 8);
    }
    for (int r = 0; r < MR; ++r) {
      const __m256 a = _mm256_broadcast_ss(A + r * lda + k);
      for (int q = 0; q < 2 * NP; ++q) acc[r][q] = _mm256_fmadd_ps(a, bv[q], acc[r][q]);
    }
  }
}

// MR rows x NP panels (2 NP ymm per row).
template <int MR, int NP>
NEURION_AVX2 inline void kern_avx2(const GemmArgs& g, int r0, const Packed& B, int p) {
  __m256 acc[MR][2 * NP];
  const int64_t ps = int64_t{B.K} * kNR;
  const float* b0 = B.panel(p);
  const float* in = g.init + r0 * g.ldi + p * kNR;
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < 2 * NP; ++q) acc[r][q] = _mm256_loadu_ps(in + r * g.ldi + q * 8);
  if (g.a1 != nullptr) run_avx2<MR, NP>(acc, g.a1 + r0 * g.lda1, g.lda1, b0, ps, B.K1);
  if (g.a2 != nullptr) run_avx2<MR, NP>(acc, g.a2 + r0 * g.lda2, g.lda2, b0 + int64_t{B.K1} * kNR, ps, B.K - B.K1);
  float* c = g.c + r0 * g.ldc + p * kNR;
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < 2 * NP; ++q) _mm256_storeu_ps(c + r * g.ldc + q * 8, acc[r][q]);
}

NEURION_AVX2 inline void gemm_avx2(const GemmArgs& g, const Packed& B, int p0, int p1) {
  int r = 0;
  if (g.rows >= 4) {
    // Each panel (K * 64 bytes) stays in L1 while every 4-row block sweeps it.
    for (int p = p0; p < p1; ++p)
      for (int rr = 0; rr + 4 <= g.rows; rr += 4) kern_avx2<4, 1>(g, rr, B, p);
    r = g.rows / 4 * 4;
  }
  for (; r < g.rows; ++r) {
    int p = p0;
    for (; p + 4 <= p1; p += 4) kern_avx2<1, 4>(g, r, B, p);
    for (; p + 2 <= p1; p += 2) kern_avx2<1, 2>(g, r, B, p);
    for (; p < p1; ++p) kern_avx2<1, 1>(g, r, B, p);
  }
}

// ---- AVX-512 ---------------------------------------------------------------------------------
template <int MR, int NP>
NEURION_AVX512 __attribute__((always_inline)) inline void run_avx512(__m512 (&acc)[MR][NP], const float* A, int64_t lda,
                                                                     const float* b, int64_t ps, int K) {
  for (int k = 0; k < K; ++k) {
    __m512 bv[NP];
    for (int q = 0; q < NP; ++q) bv[q] = _mm512_load_ps(b + q * ps + k * kNR);
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(A[r * lda + k]);
      for (int q = 0; q < NP; ++q) acc[r][q] = _mm512_fmadd_ps(a, bv[q], acc[r][q]);
    }
  }
}
template <int MR, int NP>
NEURION_AVX512 inline void kern_avx512(const GemmArgs& g, int r0, const Packed& B, int p) {
  __m512 acc[MR][NP];
  const int64_t ps = int64_t{B.K} * kNR;
  const float* b0 = B.panel(p);
  const float* in = g.init + r0 * g.ldi + p * kNR;
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q) acc[r][q] = _mm512_loadu_ps(in + r * g.ldi + q * kNR);
  if (g.a1 != nullptr) run_avx512<MR, NP>(acc, g.a1 + r0 * g.lda1, g.lda1, b0, ps, B.K1);
  if (g.a2 != nullptr) run_avx512<MR, NP>(acc, g.a2 + r0 * g.lda2, g.lda2, b0 + int64_t{B.K1} * kNR, ps, B.K - B.K1);
  float* c = g.c + r0 * g.ldc + p * kNR;
  for (int r = 0; r < MR; ++r)
    for (int q = 0; q < NP; ++q) _mm512_storeu_ps(c + r * g.ldc + q * kNR, acc[r][q]);
}

template <int NP>
NEURION_AVX512 inline void rows_avx512(const GemmArgs& g, int r0, int mr, const Packed& B, int p) {
  switch (mr) {
    case 1: return kern_avx512<1, NP>(g, r0, B, p);
    case 2: return kern_avx512<2, NP>(g, r0, B, p);
    case 3: return kern_avx512<3, NP>(g, r0, B, p);
    case 4: return kern_avx512<4, NP>(g, r0, B, p);
    case 5: return kern_avx512<5, NP>(g, r0, B, p);
    case 6: return kern_avx512<6, NP>(g, r0, B, p);
    case 7: return kern_avx512<7, NP>(g, r0, B, p);
    default: return kern_avx512<8, NP>(g, r0, B, p);
  }
}

NEURION_AVX512 inline void gemm_avx512(const GemmArgs& g, const Packed& B, int p0, int p1) {
  if (g.rows == 1) {
    // The streaming step / batch-1 GEMV: 8 panels (128 columns, 8 independent FMA chains) per
    // pass over K; load-bound (one B vector per FMA).
    int p = p0;
    for (; p + 8 <= p1; p += 8) kern_avx512<1, 8>(g, 0, B, p);
    for (; p + 4 <= p1; p += 4) kern_avx512<1, 4>(g, 0, B, p);
    for (; p < p1; ++p) kern_avx512<1, 1>(g, 0, B, p);
    return;
  }
  // Row blocks of 8 x 32 columns: the panel pair (K * 128 bytes) stays in L1 while every row
  // block sweeps it.
  int p = p0;
  for (; p + 2 <= p1; p += 2)
    for (int r = 0; r < g.rows; r += 8) rows_avx512<2>(g, r, g.rows - r < 8 ? g.rows - r : 8, B, p);
  for (; p < p1; ++p)
    for (int r = 0; r < g.rows; r += 8) rows_avx512<1>(g, r, g.rows - r < 8 ? g.rows - r : 8, B, p);
}
#endif

// Panels [p0, p1) of B (columns [16 p0, 16 p1)). init: row r's initial values at
// init + r * ldi (ldi = 0 broadcasts one bias row); those columns of init must be readable, and
// C gets all of them (the padding columns too). C may equal init (in-place) when ldc == ldi.
inline void gemm_panels(const GemmArgs& g, const Packed& B, int p0, int p1) {
  if (g.rows <= 0 || p1 <= p0) return;
#if NEURION_NN_X86
  const Simd s = simd_level();
  if (s == Simd::Avx512) return gemm_avx512(g, B, p0, p1);
  if (s == Simd::Avx2) return gemm_avx2(g, B, p0, p1);
#endif
  gemm_scalar(g, B, p0, p1);
}

// C = init + A B (B with one block), all Np columns.
inline void gemm(const float* A, int64_t lda, int rows, const Packed& B, const float* init, int64_t ldi, float* C,
                 int64_t ldc) {
  gemm_panels(GemmArgs{A, lda, nullptr, 0, rows, init, ldi, C, ldc}, B, 0, B.panels());
}

// C = init + A1 B[:K1] + A2 B[K1:] (B packed with pack2), all Np columns.
inline void gemm2(const float* A1, int64_t lda1, const float* A2, int64_t lda2, int rows, const Packed& B,
                  const float* init, int64_t ldi, float* C, int64_t ldc) {
  gemm_panels(GemmArgs{A1, lda1, A2, lda2, rows, init, ldi, C, ldc}, B, 0, B.panels());
}

}  // namespace neurion::nn
