// CPU training core: see train_cpu.h for the numerics and the determinism contract.
#include "train_cpu.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "../common/parallel.h"
#include "nn_act.h"  // dact_f
#include "nn_dropout.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NEURION_TRAIN_X86 1
#include <immintrin.h>
#define TGT __attribute__((target("avx,fma")))
#else
#define NEURION_TRAIN_X86 0
#define TGT
#endif

namespace neurion::nn::train {

namespace {

bool have_avx_fma() {
#if NEURION_TRAIN_X86
  static const bool ok = __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}

// ---------------------------------------------------------------------------------------------
// GEMM: C[i, j] (acc ? += : =) sum_k A(i, k) B[k, j], A(i, k) = A[i * ars + k * acs] (so A or
// A^T), B and C row-major. Every element is one float32 FMA chain in ascending k.
// ---------------------------------------------------------------------------------------------

void gemm_scalar(int M, int N, int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C,
                 int64_t ldc, bool acc) {
  for (int i = 0; i < M; ++i)
    for (int j = 0; j < N; ++j) {
      float s = acc ? C[i * ldc + j] : 0.0f;
      for (int k = 0; k < K; ++k) s = std::fma(A[i * ars + k * acs], B[k * ldb + j], s);
      C[i * ldc + j] = s;
    }
}

#if NEURION_TRAIN_X86
template <int MR, int NV>
TGT inline void kern(int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C, int64_t ldc,
                     bool acc) {
  __m256 c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) c[r][v] = acc ? _mm256_loadu_ps(C + r * ldc + 8 * v) : _mm256_setzero_ps();
  for (int k = 0; k < K; ++k) {
    __m256 b[NV];
    const float* bk = B + k * ldb;
    for (int v = 0; v < NV; ++v) b[v] = _mm256_loadu_ps(bk + 8 * v);
    const float* ak = A + k * acs;
    for (int r = 0; r < MR; ++r) {
      const __m256 a = _mm256_broadcast_ss(ak + r * ars);
      for (int v = 0; v < NV; ++v) c[r][v] = _mm256_fmadd_ps(a, b[v], c[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) _mm256_storeu_ps(C + r * ldc + 8 * v, c[r][v]);
}

template <int NV>
TGT inline void rows_block(int i0, int i1, int j, int K, const float* A, int64_t ars, int64_t acs, const float* B,
                           int64_t ldb, float* C, int64_t ldc, bool acc) {
  int i = i0;
  for (; i + 6 <= i1; i += 6) kern<6, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i + 4 <= i1; i += 4) kern<4, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i + 2 <= i1; i += 2) kern<2, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i < i1; ++i) kern<1, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
}

#define TGT512 __attribute__((target("avx512f,avx512vl,avx2,fma")))
// AVX-512: 32 zmm registers hold an 8 x 32 tile of C (16 accumulators) without spilling.
template <int MR, int NV>
TGT512 inline void kern512(int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C,
                           int64_t ldc, bool acc) {
  __m512 c[MR][NV];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) c[r][v] = acc ? _mm512_loadu_ps(C + r * ldc + 16 * v) : _mm512_setzero_ps();
  for (int k = 0; k < K; ++k) {
    __m512 b[NV];
    const float* bk = B + k * ldb;
    for (int v = 0; v < NV; ++v) b[v] = _mm512_loadu_ps(bk + 16 * v);
    const float* ak = A + k * acs;
    for (int r = 0; r < MR; ++r) {
      const __m512 a = _mm512_set1_ps(ak[r * ars]);
      for (int v = 0; v < NV; ++v) c[r][v] = _mm512_fmadd_ps(a, b[v], c[r][v]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < NV; ++v) _mm512_storeu_ps(C + r * ldc + 16 * v, c[r][v]);
}

template <int NV>
TGT512 inline void rows_block512(int i0, int i1, int j, int K, const float* A, int64_t ars, int64_t acs, const float* B,
                                 int64_t ldb, float* C, int64_t ldc, bool acc) {
  int i = i0;
  for (; i + 8 <= i1; i += 8) kern512<8, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i + 4 <= i1; i += 4) kern512<4, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i + 2 <= i1; i += 2) kern512<2, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
  for (; i < i1; ++i) kern512<1, NV>(K, A + i * ars, ars, acs, B + j, ldb, C + i * ldc + j, ldc, acc);
}

bool have_avx512() {
  static const bool ok = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("fma");
  return ok;
}

TGT void gemm_avx(int M, int N, int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C,
                  int64_t ldc, bool acc, bool wide) {
  constexpr int MB = 48;  // row panel: A's panel and all of B stay in L2 while the panel sweeps B
  for (int i0 = 0; i0 < M; i0 += MB) {
    const int i1 = std::min(M, i0 + MB);
    int j = 0;
    if (wide) {
      for (; j + 32 <= N; j += 32) rows_block512<2>(i0, i1, j, K, A, ars, acs, B, ldb, C, ldc, acc);
      for (; j + 16 <= N; j += 16) rows_block512<1>(i0, i1, j, K, A, ars, acs, B, ldb, C, ldc, acc);
    }
    for (; j + 16 <= N; j += 16) rows_block<2>(i0, i1, j, K, A, ars, acs, B, ldb, C, ldc, acc);
    for (; j + 8 <= N; j += 8) rows_block<1>(i0, i1, j, K, A, ars, acs, B, ldb, C, ldc, acc);
    for (; j < N; ++j)
      for (int i = i0; i < i1; ++i) {
        float s = acc ? C[i * ldc + j] : 0.0f;
        for (int k = 0; k < K; ++k) s = __builtin_fmaf(A[i * ars + k * acs], B[k * ldb + j], s);
        C[i * ldc + j] = s;
      }
  }
}
#endif

void gemm(int M, int N, int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C,
          int64_t ldc, bool acc) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!acc)
      for (int i = 0; i < M; ++i) std::memset(C + i * ldc, 0, sizeof(float) * N);
    return;
  }
#if NEURION_TRAIN_X86
  if (have_avx_fma()) return gemm_avx(M, N, K, A, ars, acs, B, ldb, C, ldc, acc, have_avx512());
#endif
  gemm_scalar(M, N, K, A, ars, acs, B, ldb, C, ldc, acc);
}

// ---------------------------------------------------------------------------------------------
// Activations (float32). Vector exp: Cephes-style range reduction + degree-6 polynomial.
// ---------------------------------------------------------------------------------------------

inline float sigmoid_s(float x) { return 1.0f / (1.0f + std::exp(-x)); }

inline float act_s(Act a, float x) {
  switch (a) {
    case Act::Linear: return x;
    case Act::Tanh: return std::tanh(x);
    case Act::Sigmoid: return sigmoid_s(x);
    case Act::HardSigmoid: return std::min(1.0f, std::max(0.0f, 0.2f * x + 0.5f));
    case Act::Relu: return x > 0.0f ? x : 0.0f;
    case Act::Softmax: return x;  // handled per row
  }
  return x;
}

#if NEURION_TRAIN_X86
TGT inline __m256 exp_v(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(88.0f));
  x = _mm256_max_ps(x, _mm256_set1_ps(-88.0f));
  __m256 fx = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(0.693359375f), x);
  x = _mm256_fnmadd_ps(fx, _mm256_set1_ps(-2.12194440e-4f), x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 y = _mm256_set1_ps(1.9875691500e-4f);
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.3981999507e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(8.3334519073e-3f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(4.1665795894e-2f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(1.6666665459e-1f));
  y = _mm256_fmadd_ps(y, x, _mm256_set1_ps(5.0000001201e-1f));
  y = _mm256_fmadd_ps(y, z, x);
  y = _mm256_add_ps(y, _mm256_set1_ps(1.0f));
  const __m256i n = _mm256_cvttps_epi32(fx);
  __m128i lo = _mm256_castsi256_si128(n), hi = _mm256_extractf128_si256(n, 1);
  const __m128i bias = _mm_set1_epi32(127);
  lo = _mm_slli_epi32(_mm_add_epi32(lo, bias), 23);
  hi = _mm_slli_epi32(_mm_add_epi32(hi, bias), 23);
  const __m256 p2 = _mm256_castsi256_ps(_mm256_insertf128_si256(_mm256_castsi128_si256(lo), hi, 1));
  return _mm256_mul_ps(y, p2);
}

TGT inline __m256 act_v(Act a, __m256 x) {
  const __m256 one = _mm256_set1_ps(1.0f);
  switch (a) {
    case Act::Linear: return x;
    case Act::Tanh: {
      // tanh(x) = sign(x) (1 - e) / (1 + e), e = exp(-2|x|)
      const __m256 sign = _mm256_and_ps(x, _mm256_set1_ps(-0.0f));
      const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
      const __m256 e = exp_v(_mm256_mul_ps(ax, _mm256_set1_ps(-2.0f)));
      const __m256 t = _mm256_div_ps(_mm256_sub_ps(one, e), _mm256_add_ps(one, e));
      return _mm256_or_ps(t, sign);
    }
    case Act::Sigmoid: {
      const __m256 e = exp_v(_mm256_sub_ps(_mm256_setzero_ps(), x));
      return _mm256_div_ps(one, _mm256_add_ps(one, e));
    }
    case Act::HardSigmoid: {
      const __m256 y = _mm256_fmadd_ps(x, _mm256_set1_ps(0.2f), _mm256_set1_ps(0.5f));
      return _mm256_min_ps(one, _mm256_max_ps(_mm256_setzero_ps(), y));
    }
    case Act::Relu: return _mm256_max_ps(x, _mm256_setzero_ps());
    case Act::Softmax: return x;
  }
  return x;
}

TGT void act_avx(Act a, float* p, int n) {
  int j = 0;
  for (; j + 8 <= n; j += 8) _mm256_storeu_ps(p + j, act_v(a, _mm256_loadu_ps(p + j)));
  for (; j < n; ++j) p[j] = act_s(a, p[j]);
}
#endif

// p[0..n) = act(p[0..n))
void act_inplace(Act a, float* p, int n) {
  if (a == Act::Linear || a == Act::Softmax) return;
#if NEURION_TRAIN_X86
  if (have_avx_fma()) return act_avx(a, p, n);
#endif
  for (int j = 0; j < n; ++j) p[j] = act_s(a, p[j]);
}

// d[j] *= act'(.) given the ACTIVATED value y[j].
void mul_dact(Act a, const float* y, float* d, int n) {
  switch (a) {
    case Act::Linear: case Act::Softmax: return;
    case Act::Tanh: for (int j = 0; j < n; ++j) d[j] *= 1.0f - y[j] * y[j]; return;
    case Act::Sigmoid: for (int j = 0; j < n; ++j) d[j] *= y[j] * (1.0f - y[j]); return;
    case Act::HardSigmoid: for (int j = 0; j < n; ++j) d[j] *= (y[j] > 0.0f && y[j] < 1.0f) ? 0.2f : 0.0f; return;
    case Act::Relu: for (int j = 0; j < n; ++j) d[j] *= y[j] > 0.0f ? 1.0f : 0.0f; return;
  }
}


// Row-major transpose: dst[j * rows + i] = src[i * ld + c0 + j], i < rows, j < cols.
void transpose(const float* src, int rows, int cols, int64_t ld, int c0, float* dst) {
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) dst[int64_t{j} * rows + i] = src[int64_t{i} * ld + c0 + j];
}

// ---------------------------------------------------------------------------------------------
// Workspace of one thread (sized for kChunk rows).
// ---------------------------------------------------------------------------------------------

struct LayerWs {
  std::vector<float> A;    // recurrent: [T][R][G] activated gates; dense: [R][units] activated outputs
  std::vector<float> H;    // recurrent: [T+1][R][u], H[0] = 0
  std::vector<float> C;    // LSTM: [T+1][R][u]
  std::vector<float> TC;   // LSTM: [T][R][u] act(c)
  std::vector<float> HC;   // GRU: [T][R][u] h U_h + b_hh (resetAfter) or r * h (resetAfter false: RH)
  std::vector<float> dAx;  // recurrent: [T][R][G]; dense: [R][units]
  std::vector<float> dAh;  // GRU: [T][R][G]
  std::vector<float> dIn;  // gradient w.r.t. this layer's output: [T][R][u] (sequence) or [R][u]
  std::vector<float> S;    // scratch [R][G]
  std::vector<float> dh, dc, drh;  // [R][u]
  std::vector<float> Xd;   // dropout (rate > 0): this layer's input after the mask, [T][R][n] (dense: [R][n])
  std::vector<float> Md;   // dropout: the mask's scales (0 or 1 / (1 - rate)), same shape as Xd
};

inline float layer_rate(const GradJob& job, int l) { return job.dropout ? job.dropout[l] : 0.0f; }

struct Prepared {
  const ModelSpec* spec;
  const float* w;
  std::vector<std::vector<float>> WT;  // per layer: kernel^T [G][n]
  std::vector<std::vector<float>> UT;  // per recurrent layer: recurrent^T [G][u]
  int top = -1;                         // last recurrent layer
};

void forward_chunk(const Prepared& P, const GradJob& job, int64_t b0, int R, std::vector<LayerWs>& ws,
                   std::vector<float>& X, float* grad, double* loss_out) {
  const ModelSpec& spec = *P.spec;
  const int T = job.T, F = spec.features;
  const int64_t TR = int64_t{T} * R;
  // gather [T][R][F]
  for (int t = 0; t < T; ++t)
    for (int r = 0; r < R; ++r)
      std::memcpy(X.data() + (int64_t{t} * R + r) * F, job.xs + (int64_t{job.starts[b0 + r]} + t) * F, sizeof(float) * F);

  const int L = static_cast<int>(spec.layers.size());
  const float* w = P.w;
  const float* in = X.data();  // input of the current layer
  int in_w = F;
  // ---- forward ----
  for (int l = 0; l < L; ++l) {
    const LayerSpec& s = spec.layers[l];
    LayerWs& lw = ws[l];
    const int u = s.units;
    if (const float rate = layer_rate(job, l); rate > 0.0f) {
      // input dropout: element (window b0 + r, t, k) of this layer's input ([steps][R][in_w])
      const int steps = s.kind == Kind::Dense ? 1 : T;
      float* xd = lw.Xd.data();
      float* md = lw.Md.data();
      for (int t = 0; t < steps; ++t)
        for (int r = 0; r < R; ++r) {
          const int64_t q0 = (int64_t{t} * R + r) * in_w;
          const uint32_t win = static_cast<uint32_t>(b0 + r);
          for (int k = 0; k < in_w; ++k) {
            const float m = dropout_scale(job.dropout_k0, job.dropout_k1, win, static_cast<uint32_t>(t), static_cast<uint32_t>(k),
                                          static_cast<uint32_t>(l), rate);
            md[q0 + k] = m;
            xd[q0 + k] = in[q0 + k] * m;
          }
        }
      in = xd;
    }
    if (s.kind == Kind::Dense) {
      // in: [R][in_w] (the last step of the top recurrent layer or a dense output)
      float* Y = lw.A.data();
      if (s.use_bias)
        for (int r = 0; r < R; ++r) std::memcpy(Y + int64_t{r} * u, w + s.bias, sizeof(float) * u);
      gemm(R, u, in_w, in, in_w, 1, w + s.kernel, u, Y, u, s.use_bias);
      if (s.act == Act::Softmax) {
        // softmax kept as pre-activation here; the loss (last layer) or the next layer reads it
        if (l != L - 1)
          for (int r = 0; r < R; ++r) {
            float* y = Y + int64_t{r} * u;
            float m = y[0];
            for (int j = 1; j < u; ++j) m = std::max(m, y[j]);
            float sum = 0.0f;
            for (int j = 0; j < u; ++j) { y[j] = std::exp(y[j] - m); sum += y[j]; }
            for (int j = 0; j < u; ++j) y[j] /= sum;
          }
      } else {
        act_inplace(s.act, Y, R * u);
      }
      in = Y;
      in_w = u;
      continue;
    }
    const int G = s.gates() * u;
    float* A = lw.A.data();
    float* H = lw.H.data();
    std::memset(H, 0, sizeof(float) * R * u);
    // input projection for all steps: A = in W (+ input bias)
    if (s.use_bias)
      for (int64_t q = 0; q < TR; ++q) std::memcpy(A + q * G, w + s.bias, sizeof(float) * G);
    gemm(static_cast<int>(TR), G, in_w, in, in_w, 1, w + s.kernel, G, A, G, s.use_bias);
    const float* U = w + s.recurrent;
    if (s.kind == Kind::LSTM) {
      float* C = lw.C.data();
      std::memset(C, 0, sizeof(float) * R * u);
      for (int t = 0; t < T; ++t) {
        float* At = A + int64_t{t} * R * G;
        const float* Hp = H + int64_t{t} * R * u;
        gemm(R, G, u, Hp, u, 1, U, G, At, G, true);
        const float* Cp = C + int64_t{t} * R * u;
        float* Cn = C + int64_t{t + 1} * R * u;
        float* TCt = lw.TC.data() + int64_t{t} * R * u;
        float* Hn = H + int64_t{t + 1} * R * u;
        for (int r = 0; r < R; ++r) {
          float* a = At + int64_t{r} * G;
          act_inplace(s.rec_act, a, 2 * u);
          act_inplace(s.act, a + 2 * u, u);
          act_inplace(s.rec_act, a + 3 * u, u);
          const float* cp = Cp + int64_t{r} * u;
          float* cn = Cn + int64_t{r} * u;
          for (int j = 0; j < u; ++j) cn[j] = a[u + j] * cp[j] + a[j] * a[2 * u + j];
          float* tc = TCt + int64_t{r} * u;
          std::memcpy(tc, cn, sizeof(float) * u);
          act_inplace(s.act, tc, u);
          float* hn = Hn + int64_t{r} * u;
          for (int j = 0; j < u; ++j) hn[j] = a[3 * u + j] * tc[j];
        }
      }
    } else {  // GRU
      float* S = lw.S.data();
      const float* bh = (s.use_bias && s.reset_after) ? w + s.bias + G : nullptr;
      for (int t = 0; t < T; ++t) {
        float* At = A + int64_t{t} * R * G;
        const float* Hp = H + int64_t{t} * R * u;
        float* Hn = H + int64_t{t + 1} * R * u;
        float* HCt = lw.HC.data() + int64_t{t} * R * u;
        if (s.reset_after) {
          gemm(R, G, u, Hp, u, 1, U, G, S, G, false);
          for (int r = 0; r < R; ++r) {
            float* a = At + int64_t{r} * G;
            const float* sr = S + int64_t{r} * G;
            for (int j = 0; j < 2 * u; ++j) a[j] += sr[j] + (bh ? bh[j] : 0.0f);
            act_inplace(s.rec_act, a, 2 * u);
            float* hc = HCt + int64_t{r} * u;
            for (int j = 0; j < u; ++j) {
              hc[j] = sr[2 * u + j] + (bh ? bh[2 * u + j] : 0.0f);
              a[2 * u + j] += a[u + j] * hc[j];
            }
            act_inplace(s.act, a + 2 * u, u);
          }
        } else {
          gemm(R, 2 * u, u, Hp, u, 1, U, G, S, G, false);
          for (int r = 0; r < R; ++r) {
            float* a = At + int64_t{r} * G;
            const float* sr = S + int64_t{r} * G;
            for (int j = 0; j < 2 * u; ++j) a[j] += sr[j];
            act_inplace(s.rec_act, a, 2 * u);
            float* rh = HCt + int64_t{r} * u;
            const float* hp = Hp + int64_t{r} * u;
            for (int j = 0; j < u; ++j) rh[j] = a[u + j] * hp[j];
          }
          // a_h += (r * h) U_h
          gemm(R, u, u, HCt, u, 1, U + 2 * u, G, At + 2 * u, G, true);
          for (int r = 0; r < R; ++r) act_inplace(s.act, At + int64_t{r} * G + 2 * u, u);
        }
        for (int r = 0; r < R; ++r) {
          const float* a = At + int64_t{r} * G;
          const float* hp = Hp + int64_t{r} * u;
          float* hn = Hn + int64_t{r} * u;
          for (int j = 0; j < u; ++j) hn[j] = a[j] * hp[j] + (1.0f - a[j]) * a[2 * u + j];
        }
      }
    }
    if (s.return_sequences) { in = H + int64_t{R} * u; in_w = u; }
    else { in = H + int64_t{T} * R * u; in_w = u; }
  }

  // ---- loss (float64) and the gradient at the head ----
  const LayerSpec& last = spec.layers[L - 1];
  const int units = spec.out_units;
  const float* out = in;  // [R][units]: dense pre-activation for softmax heads, else activated
  float* dOut = ws[L - 1].dAx.data();  // gradient w.r.t. the last layer's pre-activation (dense) or output (recurrent)
  double lsum = 0.0;
  std::vector<double> p(units);
  for (int r = 0; r < R; ++r) {
    const int64_t b = b0 + r;
    const double sw = job.sample_weight ? job.sample_weight[b] : 1.0;
    const float* o = out + int64_t{r} * units;
    float* d = dOut + int64_t{r} * units;
    const bool softmax_head = last.kind == Kind::Dense && last.act == Act::Softmax;
    if (softmax_head) {
      double m = o[0];
      for (int j = 1; j < units; ++j) m = std::max(m, static_cast<double>(o[j]));
      double sum = 0.0;
      for (int j = 0; j < units; ++j) { p[j] = std::exp(static_cast<double>(o[j]) - m); sum += p[j]; }
      for (int j = 0; j < units; ++j) p[j] /= sum;
    } else {
      for (int j = 0; j < units; ++j) p[j] = o[j];
    }
    if (job.outputs)
      for (int j = 0; j < units; ++j) job.outputs[b * units + j] = p[j];
    if (job.loss == Loss::CrossEntropy) {
      const int cls = static_cast<int>(job.target[b]);
      lsum += -sw * std::log(std::max(p[cls], 1e-300));
      for (int j = 0; j < units; ++j) d[j] = static_cast<float>(sw * (p[j] - (j == cls ? 1.0 : 0.0)) / static_cast<double>(job.batch));
    } else {
      double se = 0.0;
      std::vector<double> dd(units);
      for (int j = 0; j < units; ++j) {
        const double e = p[j] - job.target[b * units + j];
        se += e * e;
        dd[j] = sw * 2.0 * e / (static_cast<double>(job.batch) * units);
      }
      lsum += sw * se / units;
      if (softmax_head) {
        double dot = 0.0;
        for (int j = 0; j < units; ++j) dot += dd[j] * p[j];
        for (int j = 0; j < units; ++j) d[j] = static_cast<float>(p[j] * (dd[j] - dot));
      } else {
        for (int j = 0; j < units; ++j) d[j] = static_cast<float>(dd[j]);
        if (last.kind == Kind::Dense) mul_dact(last.act, o, d, units);
      }
    }
  }
  *loss_out = lsum;
  if (grad == nullptr) return;

  // ---- backward ----
  // dcur: gradient w.r.t. layer l's pre-activation (dense) / output h (recurrent), [R][u]
  const float* dcur = dOut;
  for (int l = L - 1; l >= 0; --l) {
    const LayerSpec& s = spec.layers[l];
    LayerWs& lw = ws[l];
    const int u = s.units;
    const float* lin;  // this layer's input
    int n = s.input_dim;
    if (l == 0) lin = X.data();
    else {
      const LayerSpec& ps = spec.layers[l - 1];
      if (ps.kind == Kind::Dense) lin = ws[l - 1].A.data();
      else lin = ws[l - 1].H.data() + (s.kind == Kind::Dense && !ps.return_sequences ? int64_t{T} * R * ps.units : int64_t{R} * ps.units);
      if (s.kind == Kind::Dense && ps.kind != Kind::Dense) lin = ws[l - 1].H.data() + int64_t{T} * R * ps.units;
    }
    const bool dropped = layer_rate(job, l) > 0.0f;
    if (dropped) lin = lw.Xd.data();  // the weights saw the masked input
    if (s.kind == Kind::Dense) {
      float* dP = lw.dAx.data();
      if (l != L - 1) {
        // dcur is w.r.t. the activated output: through the activation
        if (dP != dcur) std::memcpy(dP, dcur, sizeof(float) * R * u);
        if (s.act == Act::Softmax) {
          for (int r = 0; r < R; ++r) {
            const float* y = lw.A.data() + int64_t{r} * u;
            float* d = dP + int64_t{r} * u;
            float dot = 0.0f;
            for (int j = 0; j < u; ++j) dot += d[j] * y[j];
            for (int j = 0; j < u; ++j) d[j] = y[j] * (d[j] - dot);
          }
        } else {
          mul_dact(s.act, lw.A.data(), dP, R * u);
        }
      }
      gemm(n, u, R, lin, 1, n, dP, u, grad + s.kernel, u, true);
      if (s.use_bias)
        for (int r = 0; r < R; ++r)
          for (int j = 0; j < u; ++j) grad[s.bias + j] += dP[int64_t{r} * u + j];
      if (l > 0) {
        float* dIn = ws[l - 1].dIn.data();  // [R][n] for the layer below (last step if recurrent)
        gemm(R, n, u, dP, u, 1, P.WT[l].data(), n, dIn, n, false);
        if (dropped) {
          const float* md = lw.Md.data();
          for (int64_t q = 0; q < int64_t{R} * n; ++q) dIn[q] *= md[q];
        }
        dcur = dIn;
      }
      continue;
    }
    // recurrent layer: dcur is [R][u] (the last step only, returnSequences false) or the
    // layer above's dX, [T][R][u] (returnSequences true)
    const bool seq = s.return_sequences;
    const int G = s.gates() * u;
    const float* A = lw.A.data();
    const float* H = lw.H.data();
    float* dAx = lw.dAx.data();
    float* dAh = s.kind == Kind::GRU ? lw.dAh.data() : dAx;
    float* dh = lw.dh.data();
    float* dc = lw.dc.data();
    std::memset(dh, 0, sizeof(float) * R * u);
    std::memset(dc, 0, sizeof(float) * R * u);
    const float* UT = P.UT[l].data();
    for (int t = T - 1; t >= 0; --t) {
      const float* din = seq ? dcur + int64_t{t} * R * u : (t == T - 1 ? dcur : nullptr);
      if (din)
        for (int64_t q = 0; q < int64_t{R} * u; ++q) dh[q] += din[q];
      const float* At = A + int64_t{t} * R * G;
      float* dAxt = dAx + int64_t{t} * R * G;
      float* dAht = dAh + int64_t{t} * R * G;
      const float* Hp = H + int64_t{t} * R * u;
      if (s.kind == Kind::LSTM) {
        const float* Cp = lw.C.data() + int64_t{t} * R * u;
        const float* TCt = lw.TC.data() + int64_t{t} * R * u;
        for (int r = 0; r < R; ++r) {
          const float* a = At + int64_t{r} * G;
          float* d = dAxt + int64_t{r} * G;
          const float* tc = TCt + int64_t{r} * u;
          const float* cp = Cp + int64_t{r} * u;
          float* dhr = dh + int64_t{r} * u;
          float* dcr = dc + int64_t{r} * u;
          for (int j = 0; j < u; ++j) {
            const float i = a[j], f = a[u + j], cc = a[2 * u + j], o = a[3 * u + j];
            const float dcv = dcr[j] + dhr[j] * o * dact_f(s.act, tc[j]);
            d[3 * u + j] = dhr[j] * tc[j] * dact_f(s.rec_act, o);
            d[j] = dcv * cc * dact_f(s.rec_act, i);
            d[u + j] = dcv * cp[j] * dact_f(s.rec_act, f);
            d[2 * u + j] = dcv * i * dact_f(s.act, cc);
            dcr[j] = dcv * f;
          }
        }
        gemm(R, u, G, dAxt, G, 1, UT, u, dh, u, false);
      } else {
        const float* HCt = lw.HC.data() + int64_t{t} * R * u;
        float* drh = lw.drh.data();
        for (int r = 0; r < R; ++r) {
          const float* a = At + int64_t{r} * G;
          float* dx = dAxt + int64_t{r} * G;
          float* dhh_ = dAht + int64_t{r} * G;
          const float* hp = Hp + int64_t{r} * u;
          const float* hc = HCt + int64_t{r} * u;
          float* dhr = dh + int64_t{r} * u;
          for (int j = 0; j < u; ++j) {
            const float z = a[j], rr = a[u + j], hh = a[2 * u + j];
            const float dhv = dhr[j];
            const float dz = dhv * (hp[j] - hh);
            const float dah = dhv * (1.0f - z) * dact_f(s.act, hh);
            dhr[j] = dhv * z;  // direct path; recurrent products are added below
            dx[2 * u + j] = dah;
            dx[j] = dz * dact_f(s.rec_act, z);
            dhh_[j] = dx[j];
            if (s.reset_after) {
              dhh_[2 * u + j] = dah * rr;
              dx[u + j] = dah * hc[j] * dact_f(s.rec_act, rr);
              dhh_[u + j] = dx[u + j];
            } else {
              dhh_[2 * u + j] = dah;
            }
          }
        }
        if (!s.reset_after) {
          // d(rh) = dah U_h^T; dr = d(rh) * h_prev; dh_prev += d(rh) * r
          gemm(R, u, u, dAht + 2 * u, G, 1, UT + int64_t{2} * u * u, u, drh, u, false);
          for (int r = 0; r < R; ++r) {
            const float* a = At + int64_t{r} * G;
            float* dx = dAxt + int64_t{r} * G;
            float* dhh_ = dAht + int64_t{r} * G;
            const float* hp = Hp + int64_t{r} * u;
            const float* drr = drh + int64_t{r} * u;
            float* dhr = dh + int64_t{r} * u;
            for (int j = 0; j < u; ++j) {
              dhr[j] += drr[j] * a[u + j];
              dx[u + j] = drr[j] * hp[j] * dact_f(s.rec_act, a[u + j]);
              dhh_[u + j] = dx[u + j];
            }
          }
          gemm(R, u, 2 * u, dAht, G, 1, UT, u, dh, u, true);
        } else {
          gemm(R, u, G, dAht, G, 1, UT, u, dh, u, true);
        }
      }
    }
    // weight gradients over the whole chunk
    const int TRi = static_cast<int>(TR);
    gemm(n, G, TRi, lin, 1, n, dAx, G, grad + s.kernel, G, true);
    if (s.kind == Kind::LSTM || s.reset_after) {
      gemm(u, G, TRi, H, 1, u, dAh, G, grad + s.recurrent, G, true);
    } else {
      gemm(u, 2 * u, TRi, H, 1, u, dAh, G, grad + s.recurrent, G, true);
      gemm(u, u, TRi, lw.HC.data(), 1, u, dAh + 2 * u, G, grad + s.recurrent + 2 * u, G, true);
    }
    if (s.use_bias) {
      float* gb = grad + s.bias;
      for (int64_t q = 0; q < TR; ++q) {
        const float* d = dAx + q * G;
        for (int j = 0; j < G; ++j) gb[j] += d[j];
      }
      if (s.reset_after) {
        float* gbh = grad + s.bias + G;
        for (int64_t q = 0; q < TR; ++q) {
          const float* d = dAh + q * G;
          for (int j = 0; j < G; ++j) gbh[j] += d[j];
        }
      }
    }
    if (l > 0) {
      float* dIn = ws[l - 1].dIn.data();  // [T][R][n]
      gemm(TRi, n, G, dAx, G, 1, P.WT[l].data(), n, dIn, n, false);
      if (dropped) {
        const float* md = lw.Md.data();
        for (int64_t q = 0; q < TR * n; ++q) dIn[q] *= md[q];
      }
      dcur = dIn;
    }
  }
}

}  // namespace

const char* simd_name() {
#if NEURION_TRAIN_X86
  if (have_avx512()) return "avx512+fma";
#endif
  return have_avx_fma() ? "avx+fma" : "scalar";
}

std::string check_trainable(const ModelSpec& spec, Loss loss) {
  int top = -1;
  for (int l = 0; l < static_cast<int>(spec.layers.size()); ++l)
    if (spec.layers[l].kind != Kind::Dense) top = l;
  if (top < 0) return "training needs at least one LSTM or GRU layer";
  if (spec.layers[top].return_sequences)
    return "the model's output must be one vector per sequence (set returnSequences false on the last recurrent layer)";
  for (int l = 0; l < top; ++l)
    if (spec.layers[l].kind == Kind::Dense)
      return "Dense layers before a recurrent layer (applied per time step) are not supported in training";
  if (loss == Loss::CrossEntropy) {
    const LayerSpec& last = spec.layers.back();
    if (last.kind != Kind::Dense || last.act != Act::Softmax) return "crossentropy needs a Dense softmax head";
  }
  return "";
}

double loss_and_grads(const GradJob& job) {
  const ModelSpec& spec = *job.spec;
  Prepared P;
  P.spec = &spec;
  P.w = job.params;
  const int L = static_cast<int>(spec.layers.size());
  P.WT.resize(L);
  P.UT.resize(L);
  if (job.grads)
    for (int l = 0; l < L; ++l) {
      const LayerSpec& s = spec.layers[l];
      const int G = s.gates() * s.units;
      P.WT[l].resize(static_cast<size_t>(G) * s.input_dim);
      transpose(job.params + s.kernel, s.input_dim, G, G, 0, P.WT[l].data());
      if (s.kind != Kind::Dense) {
        P.UT[l].resize(static_cast<size_t>(G) * s.units);
        transpose(job.params + s.recurrent, s.units, G, G, 0, P.UT[l].data());
      }
    }
  const int64_t nchunks = (job.batch + kChunk - 1) / kChunk;
  const int64_t W = spec.weights_len;
  std::vector<std::vector<float>> cgrad(job.grads ? static_cast<size_t>(nchunks) : 0);
  std::vector<double> closs(static_cast<size_t>(nchunks), 0.0);
  const int T = job.T;
  parallel_for(nchunks, job.threads, [&](int64_t c0, int64_t c1) {
    std::vector<LayerWs> ws(L);
    int width = spec.features;
    for (int l = 0; l < L; ++l) {
      const LayerSpec& s = spec.layers[l];
      LayerWs& lw = ws[l];
      const size_t R = kChunk, u = s.units, G = static_cast<size_t>(s.gates()) * u, Tz = T;
      if (s.kind == Kind::Dense) {
        lw.A.resize(R * u); lw.dAx.resize(R * u); lw.dIn.resize(R * u);
      } else {
        lw.A.resize(Tz * R * G); lw.H.resize((Tz + 1) * R * u);
        if (s.kind == Kind::LSTM) { lw.C.resize((Tz + 1) * R * u); lw.TC.resize(Tz * R * u); }
        else { lw.HC.resize(Tz * R * u); lw.S.resize(R * G); }
        if (job.grads) {
          lw.dAx.resize(Tz * R * G);
          if (s.kind == Kind::GRU) { lw.dAh.resize(Tz * R * G); lw.drh.resize(R * u); }
          lw.dh.resize(R * u); lw.dc.resize(R * u);
        } else if (l == L - 1) {
          lw.dAx.resize(R * u);
        }
        lw.dIn.resize((s.return_sequences ? Tz : 1) * R * u);
      }
      if (layer_rate(job, l) > 0.0f) {
        const size_t steps = s.kind == Kind::Dense ? 1 : Tz;
        lw.Xd.resize(steps * R * static_cast<size_t>(s.input_dim));
        lw.Md.resize(steps * R * static_cast<size_t>(s.input_dim));
      }
      width = s.units;
    }
    (void)width;
    std::vector<float> X(static_cast<size_t>(T) * kChunk * spec.features);
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t b0 = c * kChunk;
      const int R = static_cast<int>(std::min<int64_t>(kChunk, job.batch - b0));
      float* g = nullptr;
      if (job.grads) {
        cgrad[c].assign(static_cast<size_t>(W), 0.0f);
        g = cgrad[c].data();
      }
      forward_chunk(P, job, b0, R, ws, X, g, &closs[c]);
    }
  });
  double loss = 0.0;
  for (int64_t c = 0; c < nchunks; ++c) loss += closs[c];
  if (job.grads) {
    std::fill(job.grads, job.grads + W, 0.0);
    for (int64_t c = 0; c < nchunks; ++c) {
      const float* g = cgrad[c].data();
      for (int64_t i = 0; i < W; ++i) job.grads[i] += g[i];
    }
  }
  return loss / static_cast<double>(job.batch);
}

}  // namespace neurion::nn::train
