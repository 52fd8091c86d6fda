// Recurrent-network training on the GPU (kernels/nn_train.cu): everything that is not a CUDA
// API call lives here as plain C++ / __host__ __device__ code, so the host emulator
// (kernels/test/emulate_train.cpp) runs exactly this code:
//
//   TrainPlan / plan_train     device arena layout (float and double arenas, offsets per layer)
//   GemmArgs / GemmTile        the tiled float32 GEMM: per (block, thread) init / load / compute /
//                              store functions (the kernel calls them between __syncthreads; the
//                              emulator calls them over every (block, thread) in the same phases)
//   RecStepTile                the fused LSTM / GRU (reset_after) step: h U GEMM + gates and
//                              state in the epilogue, same per-(block, thread) structure
//   gemm_plan                  tile configuration and split-K count of one GEMM
//   the element functors       one index per thread: gates of one (row, unit) at one step,
//                              dropout, the loss head (one row), split-K reduction, ...
//   prepare_call / train_chunk the launch sequence (which GEMMs and element passes, in which
//                              order) as a template over an executor: nn_train.cu's executor
//                              launches kernels on a stream, the emulator's runs loops.
//
// The layer math mirrors the CPU core (native/nn/train_cpu.cpp) step for step: time-major
// [T][R][width] buffers, the input projection as one GEMM over all T * R rows, h_{t-1} U per
// step, dA_t U^T per step in the backward pass, and dW = X^T dA, dU = H^T dA, db = 1^T dA,
// dX = dA W^T as single GEMMs over the whole chunk (db = 1^T dA as an ordered column sum).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "../native/common/hd.h"
#include "../native/nn/nn_act.h"
#include "../native/nn/nn_dropout.h"
#include "../native/nn/nn_spec.h"

namespace neurion::cuda::nntr {

// float32 fused multiply-add (the GEMM accumulates like the CPU core's FMA GEMMs).
NEURION_HD float fma_f(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fma(a, b, c);
#endif
}

// d act(x) / dx given the ACTIVATED value y: nn_act.h dact_f (the CPU core's).
NEURION_HD float dact(int a, float y) { return nn::dact_f(static_cast<nn::Act>(a), y); }
NEURION_HD float act(int a, float x) { return nn::act_f(static_cast<nn::Act>(a), x); }

// ---------------------------------------------------------------------------------------------
// GEMM: C[i, j] = base(i, j) + sum_k A(i, k) B[k, j], A(i, k) = A[i * ars + k * acs] (one of the
// strides is 1: A or A^T), B row-major (ldb), C row-major (ldc); base = C (acc) or bias[j] or 0.
// Split-K: split s covers k in [s * kper, min(K, (s + 1) * kper)) and writes its sum to
// partial[s][M][N]; GemmReduce adds the splits to the base in split order (deterministic).
// ---------------------------------------------------------------------------------------------
struct GemmArgs {
  int M = 0, N = 0, K = 0;
  const float* A = nullptr;
  int64_t ars = 0, acs = 1;
  const float* B = nullptr;
  int64_t ldb = 0;
  float* C = nullptr;
  int64_t ldc = 0;
  const float* bias = nullptr;
  int acc = 0;
  // filled by gemm_plan
  int cfg = 0, splits = 1, kper = 0;
  float* partial = nullptr;
};

NEURION_HD float gemm_base(const GemmArgs& g, int i, int j) {
  return g.acc ? g.C[int64_t{i} * g.ldc + j] : (g.bias != nullptr ? g.bias[j] : 0.0f);
}

template <int BM_, int BN_, int BK_, int TM_, int TN_>
struct GemmTile {
  static constexpr int BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_;
  static constexpr int kThreads = (BM / TM) * (BN / TN);
  static constexpr int AP = BM + 4;  // padded row of the A tile (k-major: As[k][i])
  static constexpr int kSmemA = BK * AP, kSmemB = BK * BN;
  static_assert(BM % TM == 0 && BN % TN == 0, "micro tile");
  static_assert((BK * BM) % kThreads == 0 && (BK * BN) % kThreads == 0, "tile loads");

  // Thread tid owns rows ty + r * (BM / TM) and columns tx + c * (BN / TN) of the block tile.
  NEURION_HD static int tx(int tid) { return tid % (BN / TN); }
  NEURION_HD static int ty(int tid) { return tid / (BN / TN); }

  NEURION_HD static void init(const GemmArgs& g, int bm, int bn, int tid, float acc[TM][TN]) {
    for (int r = 0; r < TM; ++r)
      for (int c = 0; c < TN; ++c) {
        const int i = bm * BM + ty(tid) + r * (BM / TM), j = bn * BN + tx(tid) + c * (BN / TN);
        acc[r][c] = (g.splits == 1 && i < g.M && j < g.N) ? gemm_base(g, i, j) : 0.0f;
      }
  }

  // Loads A(i, k) for the block's rows and k in [k0, k0 + BK) (zero past kend or M) into
  // As[kk * AP + ii], and B[k, j] into Bs[kk * BN + jj]. Consecutive threads read consecutive
  // addresses: along k when A is row-major (acs == 1), along i when it is transposed.
  NEURION_HD static void load(const GemmArgs& g, int bm, int bn, int k0, int kend, int tid, float* As, float* Bs) {
    const bool kfast = g.acs == 1;
    for (int e = tid; e < BK * BM; e += kThreads) {
      const int kk = kfast ? e % BK : e / BM, ii = kfast ? e / BK : e % BM;
      const int i = bm * BM + ii, k = k0 + kk;
      As[kk * AP + ii] = (i < g.M && k < kend) ? g.A[int64_t{i} * g.ars + int64_t{k} * g.acs] : 0.0f;
    }
    for (int e = tid; e < BK * BN; e += kThreads) {
      const int kk = e / BN, jj = e % BN;
      const int j = bn * BN + jj, k = k0 + kk;
      Bs[kk * BN + jj] = (j < g.N && k < kend) ? g.B[int64_t{k} * g.ldb + j] : 0.0f;
    }
  }

  NEURION_HD static void compute(const float* As, const float* Bs, int tid, float acc[TM][TN]) {
    const int y = ty(tid), x = tx(tid);
    for (int kk = 0; kk < BK; ++kk) {
      float a[TM], b[TN];
      for (int r = 0; r < TM; ++r) a[r] = As[kk * AP + y + r * (BM / TM)];
      for (int c = 0; c < TN; ++c) b[c] = Bs[kk * BN + x + c * (BN / TN)];
      for (int r = 0; r < TM; ++r)
        for (int c = 0; c < TN; ++c) acc[r][c] = fma_f(a[r], b[c], acc[r][c]);
    }
  }

  NEURION_HD static void store(const GemmArgs& g, int bm, int bn, int split, int tid, const float acc[TM][TN]) {
    for (int r = 0; r < TM; ++r)
      for (int c = 0; c < TN; ++c) {
        const int i = bm * BM + ty(tid) + r * (BM / TM), j = bn * BN + tx(tid) + c * (BN / TN);
        if (i >= g.M || j >= g.N) continue;
        if (g.splits == 1) g.C[int64_t{i} * g.ldc + j] = acc[r][c];
        else g.partial[(int64_t{split} * g.M + i) * g.N + j] = acc[r][c];
      }
  }
};

using TileBig = GemmTile<64, 64, 32, 4, 4>;    // 256 threads
using TileSmall = GemmTile<32, 32, 32, 2, 2>;  // 256 threads
constexpr int kGemmThreads = 256;
static_assert(TileBig::kThreads == kGemmThreads && TileSmall::kThreads == kGemmThreads, "threads");

struct GemmGrid {
  int bx = 0, by = 0, bz = 0;  // N tiles, M tiles, splits
};

// Tile configuration and split count: 64 x 64 tiles (twice the work per shared-memory load)
// when they give a block per SM by themselves or with split-K (the whole-window weight
// gradients: small M x N, K = T * R), else 32 x 32 (the per-step products); then split K while
// the grid is below 2 blocks per SM, each split at least `min_kper` deep, as long as the
// partial sums fit `partial_cap` floats.
inline GemmGrid gemm_plan(GemmArgs& g, int sms, int min_kper, int64_t partial_cap) {
  GemmGrid d;
  const int64_t big = int64_t{(g.M + 63) / 64} * ((g.N + 63) / 64);
  const bool k_fills = g.K >= 2 * min_kper && big * (g.K / min_kper) >= 2 * int64_t{sms} &&
                       big * 64 * 64 * 2 <= partial_cap;
  g.cfg = (big >= sms || k_fills) ? 0 : 1;
  const int BM = g.cfg == 0 ? TileBig::BM : TileSmall::BM, BN = g.cfg == 0 ? TileBig::BN : TileSmall::BN;
  const int BK = TileBig::BK;
  d.bx = (g.N + BN - 1) / BN;
  d.by = (g.M + BM - 1) / BM;
  const int64_t blocks = int64_t{d.bx} * d.by;
  int splits = 1;
  if (blocks < 2 * int64_t{sms} && g.K >= 2 * min_kper) {
    int64_t s = (2 * int64_t{sms} + blocks - 1) / blocks;
    s = s < g.K / min_kper ? s : g.K / min_kper;
    const int64_t mn = int64_t{g.M} * g.N;
    if (mn > 0 && s > partial_cap / mn) s = partial_cap / mn;
    splits = s > 1 ? static_cast<int>(s) : 1;
  }
  int kper = (g.K + splits - 1) / splits;
  kper = (kper + BK - 1) / BK * BK;
  if (kper < BK) kper = BK;
  splits = (g.K + kper - 1) / kper;
  if (splits < 1) splits = 1;
  g.splits = splits;
  g.kper = kper;
  d.bz = splits;
  return d;
}

// C[i, j] = base + partial[0] + partial[1] + ... (one index per element of C).
struct GemmReduce {
  GemmArgs g;
  NEURION_HD void operator()(int64_t q) const {
    const int i = static_cast<int>(q / g.N), j = static_cast<int>(q % g.N);
    float s = gemm_base(g, i, j);
    for (int p = 0; p < g.splits; ++p) s = s + g.partial[(int64_t{p} * g.M + i) * g.N + j];
    g.C[int64_t{i} * g.ldc + j] = s;
  }
};

// Column sums of a [rows][N] matrix (bias gradients), split over row blocks: split s sums rows
// [s * rows_per, (s + 1) * rows_per) of column j into partial[s][j] (ascending rows); GemmReduce
// then adds the splits in order to C.
struct ColSumPartial {
  const float* A;
  int64_t lda;
  int rows, N, rows_per;
  float* partial;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t s = q / N;
    const int j = static_cast<int>(q % N);
    const int64_t r0 = s * rows_per, r1 = r0 + rows_per < rows ? r0 + rows_per : rows;
    float acc = 0.0f;
    for (int64_t r = r0; r < r1; ++r) acc += A[r * lda + j];
    partial[q] = acc;
  }
};

// C[j] += sum over rows of A[r][j], with the executor's partial buffer (ex.partial, ex.partial_cap)
// and SM count (ex.sms): enough row blocks for ~1024 threads per SM, at least 32 rows each.
template <class Ex>
void col_sum_acc(Ex& ex, const float* A, int64_t lda, int rows, int N, float* C) {
  if (rows <= 0 || N <= 0) return;
  int64_t splits = (int64_t{ex.sms} * 1024 + N - 1) / N;
  const int64_t by_rows = (rows + 31) / 32;
  if (splits > by_rows) splits = by_rows;
  if (splits > ex.partial_cap / N) splits = ex.partial_cap / N;
  if (splits < 1) splits = 1;
  const int rows_per = static_cast<int>((rows + splits - 1) / splits);
  splits = (rows + rows_per - 1) / rows_per;
  ex.each(splits * N, ColSumPartial{A, lda, rows, N, rows_per, ex.partial});
  GemmArgs g;
  g.M = 1; g.N = N; g.K = rows; g.C = C; g.ldc = N; g.acc = 1; g.splits = static_cast<int>(splits); g.partial = ex.partial;
  ex.each(N, GemmReduce{g});
}

// ---------------------------------------------------------------------------------------------
// Element functors (operator()(index) on one thread each)
// ---------------------------------------------------------------------------------------------
struct Fill {
  float* p;
  float v;
  NEURION_HD void operator()(int64_t i) const { p[i] = v; }
};

// dst[j * rows + i] = src[i * cols + j]
struct Transpose {
  const float* src;
  float* dst;
  int rows, cols;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t i = q / cols, j = q % cols;
    dst[j * rows + i] = src[q];
  }
};

// Input dropout of computing layer `layer`: element (q, k) of a [rows][width] buffer, where
// row q is (t, r) = (q / R, q % R) for a sequence input and (0, q) otherwise.
struct Dropout {
  const float* src;  // null: scale dst in place (the backward pass)
  float* dst;
  int width, R, seq;
  int64_t b0;
  const uint32_t* key;  // (k0, k1) in device memory: a captured launch sequence serves every step's key
  int layer;
  float rate;
  NEURION_HD void operator()(int64_t i) const {
    const int64_t q = i / width;
    const int k = static_cast<int>(i % width);
    const int64_t t = seq ? q / R : 0, r = seq ? q % R : q;
    const float s = nn::dropout_scale(key[0], key[1], static_cast<uint32_t>(b0 + r), static_cast<uint32_t>(t),
                                      static_cast<uint32_t>(k), static_cast<uint32_t>(layer), rate);
    dst[i] = (src != nullptr ? src[i] : dst[i]) * s;
  }
};

struct DenseAct {
  float* Y;
  int a;
  NEURION_HD void operator()(int64_t i) const { Y[i] = act(a, Y[i]); }
};

// Row-wise softmax in float (a Dense softmax that is not the last layer), one row per index.
struct SoftmaxRows {
  float* Y;
  int u;
  NEURION_HD void operator()(int64_t r) const {
    float* y = Y + r * u;
    float m = y[0];
    for (int j = 1; j < u; ++j) m = m > y[j] ? m : y[j];
    float sum = 0.0f;
    for (int j = 0; j < u; ++j) { y[j] = expf(y[j] - m); sum += y[j]; }
    for (int j = 0; j < u; ++j) y[j] /= sum;
  }
};

// LSTM step t, one (row, unit): the four gate pre-activations (input part + h_{t-1} U) -> the
// activated gates (stored back into the gate row), the new cell, act(cell) and output.
NEURION_HD void lstm_cell(float* g, int64_t q, int j, int u, int a, int ra, const float* Cp, float* Cn, float* TCt, float* Hn,
                          float zi, float zf, float zc, float zo) {
  const float i = act(ra, zi), f = act(ra, zf), cc = act(a, zc), o = act(ra, zo);
  g[j] = i; g[u + j] = f; g[2 * u + j] = cc; g[3 * u + j] = o;
  const float fc = f * Cp[q];
  const float ic = i * cc;
  const float cn = fc + ic;
  Cn[q] = cn;
  const float tc = act(a, cn);
  TCt[q] = tc;
  Hn[q] = o * tc;
}

// GRU reset_after step t, one (row, unit): s* = (h_{t-1} U) of the z, r, h columns, bh = the
// recurrent bias row (or null) -> activated gates (stored back into the gate row), h U_h + b_hh
// (HCt) and the new state.
NEURION_HD void gru_ra_cell(float* g, int64_t q, int j, int u, int a, int ra, const float* bh, const float* Hp, float* HCt,
                            float* Hn, float sz, float sr, float sh) {
  const float z = act(ra, g[j] + (sz + (bh ? bh[j] : 0.0f)));
  const float rr = act(ra, g[u + j] + (sr + (bh ? bh[u + j] : 0.0f)));
  const float hc = sh + (bh ? bh[2 * u + j] : 0.0f);
  const float hh = act(a, g[2 * u + j] + rr * hc);
  g[j] = z; g[u + j] = rr; g[2 * u + j] = hh;
  HCt[q] = hc;
  const float keep = z * Hp[q];
  const float upd = (1.0f - z) * hh;
  Hn[q] = keep + upd;
}

// The fused recurrent step. LSTM: A_t += h_{t-1} U as a tiled GEMM whose block owns 32 rows x
// 8 units with all four gate columns of each unit (columns g * u + unit of U), so the thread
// that finishes (row, unit) has i, f, c, o in registers and applies lstm_cell in the epilogue.
// GRU reset_after: S = h_{t-1} U for the z, r, h columns the same way (from zero), then
// gru_ra_cell. One kernel per step instead of a GEMM and an element kernel; the gate row is read
// and written once. Same per-(block, thread) phase functions as GemmTile (init; per k tile:
// load, sync, compute, sync; finish). Thread tid: row ty = tid / 8, unit tx = tid % 8.
struct RecStepArgs {
  int kind = 1;              // 1 LSTM (4 gates), 2 GRU reset_after (3 gates)
  int R = 0, u = 0;
  const float* H = nullptr;  // h_{t-1} [R][u]
  const float* U = nullptr;  // recurrent kernel [u][gates * u]
  float* At = nullptr;       // [R][gates * u]: input part in, activated gates out
  const float* Cp = nullptr;  // LSTM: c_{t-1}, c_t, act(c_t)
  float* Cn = nullptr;
  float* TCt = nullptr;
  float* HCt = nullptr;       // GRU: h U_h + b_hh
  const float* bh = nullptr;  // GRU: recurrent bias row or null
  float* Hn = nullptr;
  int a = 1, ra = 2;
  NEURION_HD int gates() const { return kind == 1 ? 4 : 3; }
};

struct RecStepTile {
  static constexpr int BM = 32, BU = 8, BN = 4 * BU, BK = 32;  // BN: room for 4 gates
  static constexpr int kThreads = BM * BU;  // 256
  static constexpr int kSmemA = BK * BM, kSmemB = BK * BN;
  static_assert((BK * BM) % kThreads == 0 && (BK * BN) % kThreads == 0 && (BK * 3 * BU) % kThreads == 0, "tile loads");

  NEURION_HD static int ty(int tid) { return tid / BU; }
  NEURION_HD static int tx(int tid) { return tid % BU; }

  NEURION_HD static void init(const RecStepArgs& g, int bm, int bn, int tid, float acc[4]) {
    const int i = bm * BM + ty(tid), j = bn * BU + tx(tid), G = g.gates();
    for (int c = 0; c < 4; ++c)
      acc[c] = (g.kind == 1 && c < G && i < g.R && j < g.u) ? g.At[int64_t{i} * G * g.u + c * g.u + j] : 0.0f;
  }
  // As[kk * BM + ii] = h_{t-1}[i][k] (consecutive threads: consecutive k), Bs[kk * BN + jj] =
  // U[k][gate * u + unit] with gate = jj / BU, unit = bn * BU + jj % BU (zero past u), jj < gates * BU.
  NEURION_HD static void load(const RecStepArgs& g, int bm, int bn, int k0, int tid, float* As, float* Bs) {
    const int G = g.gates(), nb = G * BU;
    for (int e = tid; e < BK * BM; e += kThreads) {
      const int kk = e % BK, ii = e / BK;
      const int i = bm * BM + ii, k = k0 + kk;
      As[kk * BM + ii] = (i < g.R && k < g.u) ? g.H[int64_t{i} * g.u + k] : 0.0f;
    }
    for (int e = tid; e < BK * nb; e += kThreads) {
      const int kk = e / nb, jj = e % nb;
      const int unit = bn * BU + jj % BU, k = k0 + kk;
      Bs[kk * BN + jj] = (unit < g.u && k < g.u) ? g.U[int64_t{k} * G * g.u + (jj / BU) * g.u + unit] : 0.0f;
    }
  }
  NEURION_HD static void compute(const RecStepArgs& g, const float* As, const float* Bs, int tid, float acc[4]) {
    const int y = ty(tid), x = tx(tid), G = g.gates();
    for (int kk = 0; kk < BK; ++kk) {
      const float hv = As[kk * BM + y];
      for (int c = 0; c < G; ++c) acc[c] = fma_f(hv, Bs[kk * BN + c * BU + x], acc[c]);
    }
  }
  NEURION_HD static void finish(const RecStepArgs& g, int bm, int bn, int tid, const float acc[4]) {
    const int i = bm * BM + ty(tid), j = bn * BU + tx(tid);
    if (i >= g.R || j >= g.u) return;
    const int64_t q = int64_t{i} * g.u + j;
    float* row = g.At + int64_t{i} * g.gates() * g.u;
    if (g.kind == 1) lstm_cell(row, q, j, g.u, g.a, g.ra, g.Cp, g.Cn, g.TCt, g.Hn, acc[0], acc[1], acc[2], acc[3]);
    else gru_ra_cell(row, q, j, g.u, g.a, g.ra, g.bh, g.H, g.HCt, g.Hn, acc[0], acc[1], acc[2]);
  }
};

// GRU reset_after false, step t, first half (after At[:, :2u] += h_{t-1} U[:, :2u]): z, r and r * h.
struct GruFwdA {
  float* At;
  const float* Hp;
  float* RHt;
  int u, ra;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t r = q / u;
    const int j = static_cast<int>(q % u);
    float* g = At + r * 3 * u;
    const float z = act(ra, g[j]), rr = act(ra, g[u + j]);
    g[j] = z; g[u + j] = rr;
    RHt[q] = rr * Hp[q];
  }
};

// Second half (after At[:, 2u:] += (r * h) U[:, 2u:]): candidate and new state.
struct GruFwdB {
  float* At;
  const float* Hp;
  float* Hn;
  int u, a;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t r = q / u;
    const int j = static_cast<int>(q % u);
    float* g = At + r * 3 * u;
    const float z = g[j];
    const float hh = act(a, g[2 * u + j]);
    g[2 * u + j] = hh;
    const float keep = z * Hp[q];
    const float upd = (1.0f - z) * hh;
    Hn[q] = keep + upd;
  }
};

// Loss head, one row per index: outputs (probabilities for a softmax head) in float64, the
// row's loss (sample-weighted, float64) and the float32 gradient at the head.
struct Head {
  const float* out;  // [R][units]: Dense pre-activation for a softmax head, else the output
  int units, softmax_head, dense_last, last_act, mse;
  const double* target;  // chunk rows: CE [R], MSE [R][units]
  const double* sw;      // [R] or null
  double batch;          // rows of the whole call
  double* outputs;       // [R][units]
  float* dOut;           // [R][units]
  double* lossRow;       // [R]
  NEURION_HD void operator()(int64_t r) const {
    const float* o = out + r * units;
    double* p = outputs + r * units;
    float* d = dOut + r * units;
    const double w = sw != nullptr ? sw[r] : 1.0;
    if (softmax_head) {
      double m = o[0];
      for (int j = 1; j < units; ++j) m = m > static_cast<double>(o[j]) ? m : static_cast<double>(o[j]);
      double sum = 0.0;
      for (int j = 0; j < units; ++j) { p[j] = exp(static_cast<double>(o[j]) - m); sum += p[j]; }
      for (int j = 0; j < units; ++j) p[j] /= sum;
    } else {
      for (int j = 0; j < units; ++j) p[j] = o[j];
    }
    if (!mse) {
      const int cls = static_cast<int>(target[r]);
      const double pc = p[cls] > 1e-300 ? p[cls] : 1e-300;
      lossRow[r] = -w * log(pc);
      for (int j = 0; j < units; ++j) d[j] = static_cast<float>(w * (p[j] - (j == cls ? 1.0 : 0.0)) / batch);
    } else {
      double se = 0.0, dot = 0.0;
      for (int j = 0; j < units; ++j) {
        const double e = p[j] - target[r * units + j];
        se += e * e;
        const double dd = w * 2.0 * e / (batch * units);
        dot += dd * p[j];
      }
      lossRow[r] = w * se / units;
      for (int j = 0; j < units; ++j) {
        const double e = p[j] - target[r * units + j];
        const double dd = w * 2.0 * e / (batch * units);
        if (softmax_head) d[j] = static_cast<float>(p[j] * (dd - dot));
        else if (dense_last) d[j] = static_cast<float>(dd) * dact(last_act, o[j]);
        else d[j] = static_cast<float>(dd);
      }
    }
  }
};

// Dense (not the last layer): gradient w.r.t. the activated output -> pre-activation.
struct DenseBwd {
  const float* dY;
  const float* Y;
  float* dP;
  int a;
  NEURION_HD void operator()(int64_t i) const { dP[i] = dY[i] * dact(a, Y[i]); }
};
struct SoftmaxBwdRows {
  const float* dY;
  const float* Y;
  float* dP;
  int u;
  NEURION_HD void operator()(int64_t r) const {
    const float* y = Y + r * u;
    const float* dy = dY + r * u;
    float* d = dP + r * u;
    float dot = 0.0f;
    for (int j = 0; j < u; ++j) dot += dy[j] * y[j];
    for (int j = 0; j < u; ++j) d[j] = y[j] * (dy[j] - dot);
  }
};

// LSTM backward, step t: dh (= dA_{t+1} U^T, or 0) + din -> gate gradients dAt, dc. When the
// GEMM that produced dA_{t+1} U^T was split over K, its partial sums are added here, in split
// order (GemmReduce's order), instead of in a separate reduction kernel.
struct LstmBwd {
  const float* At;
  const float* Cp;
  const float* TCt;
  const float* dh;
  const float* din;  // [R][u] or null
  float* dc;
  float* dAt;
  int u, a, ra;
  const float* part;  // null, or the split-K partials [splits][R][u] of dh
  int splits;
  int64_t pstride;    // R * u
  NEURION_HD void operator()(int64_t q) const {
    const int64_t r = q / u;
    const int j = static_cast<int>(q % u);
    const int G = 4 * u;
    const float* g = At + r * G;
    float* d = dAt + r * G;
    float h = 0.0f;
    if (part != nullptr) {
      for (int p = 0; p < splits; ++p) h = h + part[p * pstride + q];
    } else {
      h = dh[q];
    }
    const float dhv = din != nullptr ? h + din[q] : h;
    const float i = g[j], f = g[u + j], cc = g[2 * u + j], o = g[3 * u + j];
    const float tc = TCt[q];
    const float dcv = dc[q] + dhv * o * dact(a, tc);
    d[3 * u + j] = dhv * tc * dact(ra, o);
    d[j] = dcv * cc * dact(ra, i);
    d[u + j] = dcv * Cp[q] * dact(ra, f);
    d[2 * u + j] = dcv * i * dact(a, cc);
    dc[q] = dcv * f;
  }
};

// GRU backward, step t, first part: dh <- dh_total * z (direct path), gate gradients.
struct GruBwdA {
  const float* At;
  const float* Hp;
  const float* HCt;
  float* dh;
  const float* din;
  float* dAx;
  float* dAh;
  int u, a, ra, reset_after;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t r = q / u;
    const int j = static_cast<int>(q % u);
    const int G = 3 * u;
    const float* g = At + r * G;
    float* dx = dAx + r * G;
    float* dhh = dAh + r * G;
    const float z = g[j], rr = g[u + j], hh = g[2 * u + j];
    const float dhv = din != nullptr ? dh[q] + din[q] : dh[q];
    const float dz = dhv * (Hp[q] - hh);
    const float dah = dhv * (1.0f - z) * dact(a, hh);
    dh[q] = dhv * z;
    dx[2 * u + j] = dah;
    dx[j] = dz * dact(ra, z);
    dhh[j] = dx[j];
    if (reset_after) {
      dhh[2 * u + j] = dah * rr;
      dx[u + j] = dah * HCt[q] * dact(ra, rr);
      dhh[u + j] = dx[u + j];
    } else {
      dhh[2 * u + j] = dah;
    }
  }
};

// GRU reset_after false, after drh = dAh[:, 2u:] U_h^T: reset-gate gradient and dh += drh * r.
struct GruBwdB {
  const float* At;
  const float* Hp;
  const float* drh;
  float* dh;
  float* dAx;
  float* dAh;
  int u, ra;
  NEURION_HD void operator()(int64_t q) const {
    const int64_t r = q / u;
    const int j = static_cast<int>(q % u);
    const int G = 3 * u;
    const float rr = At[r * G + u + j];
    dh[q] += drh[q] * rr;
    const float v = drh[q] * Hp[q] * dact(ra, rr);
    dAx[r * G + u + j] = v;
    dAh[r * G + u + j] = v;
  }
};

// ---------------------------------------------------------------------------------------------
// Arena plan
// ---------------------------------------------------------------------------------------------
struct TLayer {
  int kind = 3, units = 0, in = 0, act = 0, rec_act = 2, seq = 0, use_bias = 1, reset_after = 0, G = 0;
  int64_t kernel = -1, recurrent = -1, bias = -1;  // weight offsets
  // float-arena offsets (-1: absent)
  int64_t A = -1, H = -1, C = -1, TC = -1, HC = -1, dAx = -1, dAh = -1, dIn = -1, dh = -1, dc = -1, drh = -1;
  int64_t WT = -1, UT = -1, Xd = -1;
  int64_t in_rows_per_r = 1;  // input rows per sequence: T (sequence input) or 1
};

struct TrainPlan {
  int L = 0, F = 0, T = 0, R = 0, out_units = 0;
  int64_t weights_len = 0;
  bool grads = false;
  std::vector<TLayer> layers;
  int64_t X = -1, gW = -1, W = -1, dOut = -1, key = -1, partial = -1, partial_cap = 0;
  int64_t floats = 0;                                       // float arena size
  int64_t tgt = -1, sw = -1, lossRow = -1, outRow = -1;     // double arena offsets
  int64_t doubles = 0;
  int64_t guard = 0;                                        // floats between buffers (emulator)
};

// Lays out the arenas for chunks of up to R sequences of T steps. `guard` floats are left
// between buffers (the emulator fills them with a sentinel and checks them afterwards).
inline TrainPlan plan_train(const nn::ModelSpec& m, int T, int R, bool grads, int64_t partial_cap, int64_t guard) {
  TrainPlan P;
  P.L = static_cast<int>(m.layers.size());
  P.F = m.features; P.T = T; P.R = R; P.out_units = m.out_units; P.weights_len = m.weights_len;
  P.grads = grads; P.guard = guard;
  int64_t off = guard;
  auto take = [&](int64_t n) { const int64_t o = off; off += (n > 0 ? n : 1) + guard; return o; };
  const int64_t Tz = T, Rz = R;
  P.W = take(m.weights_len);
  P.X = take(Tz * Rz * m.features);
  if (grads) P.gW = take(m.weights_len);
  bool seq_in = true;
  for (int l = 0; l < P.L; ++l) {
    const nn::LayerSpec& s = m.layers[l];
    TLayer t;
    t.kind = static_cast<int>(s.kind); t.units = s.units; t.in = s.input_dim; t.act = static_cast<int>(s.act);
    t.rec_act = static_cast<int>(s.rec_act); t.seq = s.return_sequences; t.use_bias = s.use_bias;
    t.reset_after = s.reset_after; t.G = s.gates() * s.units;
    t.kernel = s.kernel; t.recurrent = s.recurrent; t.bias = s.bias;
    const int64_t u = s.units, G = t.G;
    // a Dense sees one vector per sequence (training models have no Dense before a recurrent layer)
    const bool seq_input = s.kind != nn::Kind::Dense && seq_in;
    t.in_rows_per_r = seq_input ? Tz : 1;
    t.Xd = take(t.in_rows_per_r * Rz * s.input_dim);  // the dropped input (used when its rate > 0)
    if (s.kind == nn::Kind::Dense) {
      t.A = take(Rz * u);
      if (grads) { t.dAx = take(Rz * u); t.WT = take(G * s.input_dim); }
      t.dIn = take(Rz * u);
    } else {
      t.A = take(Tz * Rz * G);
      t.H = take((Tz + 1) * Rz * u);
      if (s.kind == nn::Kind::LSTM) { t.C = take((Tz + 1) * Rz * u); t.TC = take(Tz * Rz * u); }
      else { t.HC = take(Tz * Rz * u); }
      if (grads) {
        t.dAx = take(Tz * Rz * G);
        if (s.kind == nn::Kind::GRU) { t.dAh = take(Tz * Rz * G); t.drh = take(Rz * u); }
        t.dh = take(Rz * u); t.dc = take(Rz * u);
        t.WT = take(G * s.input_dim); t.UT = take(G * u);
      }
      t.dIn = take((s.return_sequences ? Tz : 1) * Rz * u);
      seq_in = s.return_sequences;
    }
    P.layers.push_back(t);
  }
  P.dOut = take(Rz * m.out_units);
  P.key = take(2);  // the dropout key, two uint32 words
  P.partial_cap = partial_cap;
  P.partial = take(partial_cap);
  P.floats = off;
  int64_t doff = 0;
  P.tgt = doff; doff += Rz * m.out_units;  // CE uses R of it
  P.sw = doff; doff += Rz;
  P.lossRow = doff; doff += Rz;
  P.outRow = doff; doff += Rz * m.out_units;
  P.doubles = doff;
  return P;
}

// Host side of a chunk: windows b0 .. b0 + Rc - 1 gathered time-major into hx [T][Rc][F].
inline void gather_chunk(float* hx, const float* xs, const int32_t* starts, int64_t b0, int Rc, int T, int F) {
  for (int t = 0; t < T; ++t)
    for (int r = 0; r < Rc; ++r)
      std::memcpy(hx + (int64_t{t} * Rc + r) * F, xs + (int64_t{starts[b0 + r]} + t) * F, sizeof(float) * F);
}

// Per-call values of one chunk.
struct ChunkCall {
  float* ar = nullptr;    // float arena (device, or host in the emulator)
  double* dar = nullptr;  // double arena
  int R = 0;              // rows in this chunk (<= plan R)
  int64_t b0 = 0;         // first row of the chunk within the call's batch
  int64_t batch = 0;      // rows of the whole call
  int mse = 0, has_sw = 0;
  const float* rates = nullptr;  // [L] input dropout rate per layer, or null (the key is at ar + P.key)
};

// Before the first chunk of a call (params already in ar + P.W): zero the gradient, transpose
// every kernel and recurrent kernel (for dX = dA W^T, dh = dA U^T).
template <class Ex>
void prepare_call(Ex& ex, const TrainPlan& P, float* ar) {
  if (!P.grads) return;
  const float* W = ar + P.W;
  ex.each(P.weights_len, Fill{ar + P.gW, 0.0f});
  for (const TLayer& s : P.layers) {
    ex.each(int64_t{s.in} * s.G, Transpose{W + s.kernel, ar + s.WT, s.in, s.G});
    if (s.kind != 3) ex.each(int64_t{s.units} * s.G, Transpose{W + s.recurrent, ar + s.UT, s.units, s.G});
  }
}

inline GemmArgs gm(int M, int N, int K, const float* A, int64_t ars, int64_t acs, const float* B, int64_t ldb, float* C,
                   int64_t ldc, const float* bias, bool acc) {
  GemmArgs g;
  g.M = M; g.N = N; g.K = K; g.A = A; g.ars = ars; g.acs = acs; g.B = B; g.ldb = ldb; g.C = C; g.ldc = ldc;
  g.bias = bias; g.acc = acc ? 1 : 0;
  return g;
}

// One chunk (X, target, sample weights already in the arenas): forward with caches, loss head
// (outputs and per-row losses into the double arena), and when P.grads the backward pass,
// accumulating into ar + P.gW.
template <class Ex>
void train_chunk(Ex& ex, const TrainPlan& P, const ChunkCall& c) {
  float* ar = c.ar;
  double* dar = c.dar;
  const float* W = ar + P.W;
  const int R = c.R, T = P.T, L = P.L;
  const int64_t TR = int64_t{T} * R;
  auto rate = [&](int l) { return c.rates != nullptr ? c.rates[l] : 0.0f; };
  const uint32_t* key = reinterpret_cast<const uint32_t*>(ar + P.key);

  // ---- forward ----
  const float* in = ar + P.X;
  std::vector<const float*> lin(L);
  for (int l = 0; l < L; ++l) {
    const TLayer& s = P.layers[l];
    const int u = s.units, G = s.G, n = s.in;
    const int64_t rows = s.in_rows_per_r * R;
    if (rate(l) > 0.0f) {
      ex.each(rows * n, Dropout{in, ar + s.Xd, n, R, s.in_rows_per_r > 1 ? 1 : 0, c.b0, key, l, rate(l)});
      in = ar + s.Xd;
    }
    lin[l] = in;
    if (s.kind == 3) {
      float* Y = ar + s.A;
      ex.gemm(gm(R, u, n, in, n, 1, W + s.kernel, u, Y, u, s.use_bias ? W + s.bias : nullptr, false));
      if (s.act == 5) {
        if (l != L - 1) ex.each(R, SoftmaxRows{Y, u});
      } else if (s.act != 0) {
        ex.each(int64_t{R} * u, DenseAct{Y, s.act});
      }
      in = Y;
      continue;
    }
    float* A = ar + s.A;
    float* H = ar + s.H;
    const float* U = W + s.recurrent;
    const int64_t Ru = int64_t{R} * u, RG = int64_t{R} * G;
    ex.each(Ru, Fill{H, 0.0f});
    ex.gemm(gm(static_cast<int>(TR), G, n, in, n, 1, W + s.kernel, G, A, G, s.use_bias ? W + s.bias : nullptr, false));
    if (s.kind == 1) {
      float* C = ar + s.C;
      ex.each(Ru, Fill{C, 0.0f});
      for (int t = 0; t < T; ++t) {
        RecStepArgs st;
        st.kind = 1; st.R = R; st.u = u; st.H = H + t * Ru; st.U = U; st.At = A + t * RG;
        st.Cp = C + t * Ru; st.Cn = C + (t + 1) * Ru; st.TCt = ar + s.TC + t * Ru; st.Hn = H + (t + 1) * Ru;
        st.a = s.act; st.ra = s.rec_act;
        ex.rec_step(st);  // A_t += h_{t-1} U and the cell update, one kernel
      }
    } else if (s.reset_after) {
      const float* bh = s.use_bias ? W + s.bias + G : nullptr;
      for (int t = 0; t < T; ++t) {
        RecStepArgs st;
        st.kind = 2; st.R = R; st.u = u; st.H = H + t * Ru; st.U = U; st.At = A + t * RG;
        st.HCt = ar + s.HC + t * Ru; st.bh = bh; st.Hn = H + (t + 1) * Ru;
        st.a = s.act; st.ra = s.rec_act;
        ex.rec_step(st);  // S = h_{t-1} U and the gates / state, one kernel
      }
    } else {
      for (int t = 0; t < T; ++t) {
        float* At = A + t * RG;
        float* RHt = ar + s.HC + t * Ru;
        ex.gemm(gm(R, 2 * u, u, H + t * Ru, u, 1, U, G, At, G, nullptr, true));
        ex.each(Ru, GruFwdA{At, H + t * Ru, RHt, u, s.rec_act});
        ex.gemm(gm(R, u, u, RHt, u, 1, U + 2 * u, G, At + 2 * u, G, nullptr, true));
        ex.each(Ru, GruFwdB{At, H + t * Ru, H + (t + 1) * Ru, u, s.act});
      }
    }
    in = s.seq ? H + Ru : H + T * Ru;
  }

  // ---- loss head ----
  const TLayer& last = P.layers[L - 1];
  float* dOut = ar + P.dOut;
  ex.each(R, Head{in, P.out_units, last.kind == 3 && last.act == 5, last.kind == 3, last.act, c.mse, dar + P.tgt,
                  c.has_sw ? dar + P.sw : nullptr, static_cast<double>(c.batch), dar + P.outRow, dOut, dar + P.lossRow});
  if (!P.grads) return;

  // ---- backward ----
  float* gW = ar + P.gW;
  const float* dcur = dOut;
  for (int l = L - 1; l >= 0; --l) {
    const TLayer& s = P.layers[l];
    const int u = s.units, G = s.G, n = s.in;
    const int64_t rows_in = s.in_rows_per_r * R;
    float* dIn = l > 0 ? ar + P.layers[l - 1].dIn : nullptr;
    if (s.kind == 3) {
      float* dP;
      if (l == L - 1) {
        dP = dOut;
      } else {
        dP = ar + s.dAx;
        if (s.act == 5) ex.each(R, SoftmaxBwdRows{dcur, ar + s.A, dP, u});
        else ex.each(int64_t{R} * u, DenseBwd{dcur, ar + s.A, dP, s.act});
      }
      ex.gemm(gm(n, u, R, lin[l], 1, n, dP, u, gW + s.kernel, u, nullptr, true));
      if (s.use_bias) col_sum_acc(ex, dP, u, R, u, gW + s.bias);
      if (l > 0) {
        ex.gemm(gm(R, n, u, dP, u, 1, ar + s.WT, n, dIn, n, nullptr, false));
        if (rate(l) > 0.0f) ex.each(rows_in * n, Dropout{nullptr, dIn, n, R, 0, c.b0, key, l, rate(l)});
        dcur = dIn;
      }
      continue;
    }
    const bool seq = s.seq != 0;
    const float* A = ar + s.A;
    const float* H = ar + s.H;
    float* dAx = ar + s.dAx;
    float* dAh = s.kind == 2 ? ar + s.dAh : dAx;
    float* dh = ar + s.dh;
    float* dc = ar + s.dc;
    const float* UT = ar + s.UT;
    const int64_t Ru = int64_t{R} * u, RG = int64_t{R} * G;
    ex.each(Ru, Fill{dh, 0.0f});
    ex.each(Ru, Fill{dc, 0.0f});
    GemmArgs pend;  // the last dh GEMM (LSTM): splits > 1 when its partials are still to be added
    for (int t = T - 1; t >= 0; --t) {
      const float* din = seq ? dcur + t * Ru : (t == T - 1 ? dcur : nullptr);
      const float* At = A + t * RG;
      float* dAxt = dAx + t * RG;
      float* dAht = dAh + t * RG;
      const float* Hp = H + t * Ru;
      if (s.kind == 1) {
        ex.each(Ru, LstmBwd{At, ar + s.C + t * Ru, ar + s.TC + t * Ru, dh, din, dc, dAxt, u, s.act, s.rec_act,
                            pend.splits > 1 ? pend.partial : nullptr, pend.splits, Ru});
        // dh for step t - 1 (not needed after step 0: the initial state is a constant); a split
        // GEMM leaves its partials for the next LstmBwd to add
        if (t > 0) pend = ex.gemm(gm(R, u, G, dAxt, G, 1, UT, u, dh, u, nullptr, false), true);
      } else {
        ex.each(Ru, GruBwdA{At, Hp, ar + s.HC + t * Ru, dh, din, dAxt, dAht, u, s.act, s.rec_act, s.reset_after});
        if (!s.reset_after) {
          float* drh = ar + s.drh;
          ex.gemm(gm(R, u, u, dAht + 2 * u, G, 1, UT + int64_t{2} * u * u, u, drh, u, nullptr, false));
          ex.each(Ru, GruBwdB{At, Hp, drh, dh, dAxt, dAht, u, s.rec_act});
          ex.gemm(gm(R, u, 2 * u, dAht, G, 1, UT, u, dh, u, nullptr, true));
        } else {
          ex.gemm(gm(R, u, G, dAht, G, 1, UT, u, dh, u, nullptr, true));
        }
      }
    }
    const int TRi = static_cast<int>(TR);
    ex.gemm(gm(n, G, TRi, lin[l], 1, n, dAx, G, gW + s.kernel, G, nullptr, true));
    if (s.kind == 1 || s.reset_after) {
      ex.gemm(gm(u, G, TRi, H, 1, u, dAh, G, gW + s.recurrent, G, nullptr, true));
    } else {
      ex.gemm(gm(u, 2 * u, TRi, H, 1, u, dAh, G, gW + s.recurrent, G, nullptr, true));
      ex.gemm(gm(u, u, TRi, ar + s.HC, 1, u, dAh + 2 * u, G, gW + s.recurrent + 2 * u, G, nullptr, true));
    }
    if (s.use_bias) {
      col_sum_acc(ex, dAx, G, TRi, G, gW + s.bias);
      if (s.reset_after) col_sum_acc(ex, dAh, G, TRi, G, gW + s.bias + G);
    }
    if (l > 0) {
      ex.gemm(gm(static_cast<int>(rows_in), n, G, dAx, G, 1, ar + s.WT, n, dIn, n, nullptr, false));
      if (rate(l) > 0.0f) ex.each(rows_in * n, Dropout{nullptr, dIn, n, R, s.in_rows_per_r > 1 ? 1 : 0, c.b0, key, l, rate(l)});
      dcur = dIn;
    }
  }
}

}  // namespace neurion::cuda::nntr
