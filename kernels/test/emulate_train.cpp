// Host emulation of the CUDA training path (kernels/nn_train.cu), no GPU needed:
//   g++ -std=c++17 -O1 -fsanitize=address,undefined kernels/test/emulate_train.cpp
//       native/nn/train_cpu.cpp -o /tmp/emulate_train -lpthread && /tmp/emulate_train
// (kernels/compile-check.sh runs it with AddressSanitizer / UBSan.)
//
// Runs the very code the kernels run: kernels/nn_train.cuh's launch sequence (prepare_call,
// train_chunk) with a host executor whose `each(n, f)` is a loop over the same index space and
// whose `gemm` (and `rec_step`, the fused LSTM / GRU step) runs the tiled GEMM's per-(block, thread)
// functions (GemmTile / RecStepTile::init / load / compute / store or finish) over every
// (split, block row, block column) and every thread, in the
// kernel's phase order (init; per k tile: load all threads, [sync], compute all threads,
// [sync]; store), with the shared-memory tiles allocated at their exact sizes, then the
// ordered split-K reduction. Arena buffers are separated by guard zones filled with a
// sentinel: a write outside a buffer is reported, a read returns NaN and fails the comparison.
//
// Checks:
//   gemm: random shapes, A and A^T, bias / accumulate, split-K on and off, both tile configs,
//         against a float64 loop (|diff| <= 1e-5 (1 + sum |a b|));
//   training: loss, float64 gradients and outputs of small random models (LSTM, GRU both
//         forms, stacked with return_sequences, Dense relu / tanh / softmax heads, MSE and CE,
//         sample weights, several chunk sizes and SM counts so chunking and split-K vary)
//         against the CPU core native/nn/train_cpu.cpp: |diff| <= 2e-4 + 2e-3 |expected|;
//   dropout: against the CPU core's own dropout when it has one (GradJob::dropout), else
//         layer-0 dropout against the CPU run on the pre-masked windows, and every layer's
//         dropout by a central-difference check of the gradient along random directions.
//   EMULATE_TRAIN_LARGE=1 adds the device's own plan (one chunk, 132 SMs, split-K) on
//         LSTM(u, seq) -> Dropout 0.2 -> LSTM(u) -> Dense(3) softmax, 60 steps x 16 features
//         (EMULATE_TRAIN_UNITS, default 32; EMULATE_TRAIN_BATCH, default 300); build with -O2
//         (the benchmark model, u = 128 and batch 256, takes ~40 s). EMULATE_TRAIN_ORDER=1 also
//         prints how far another summation order and a 1-ulp weight change move the gradients.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "../nn_train.cuh"
#include "../../native/nn/train_cpu.h"

using namespace neurion;
using namespace neurion::cuda::nntr;

#include "check.h"

static const uint32_t kSentinelBits = 0x7fc0dead;  // a quiet NaN
static float sentinel() { float f; std::memcpy(&f, &kSentinelBits, 4); return f; }
static bool is_sentinel(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b == kSentinelBits; }

// ---------------------------------------------------------------------------------------------
// Host executor
// ---------------------------------------------------------------------------------------------
template <class Tile>
static void emulate_gemm_tiles(const GemmArgs& g, const GemmGrid& d) {
  constexpr int NT = Tile::kThreads;
  std::vector<float> As(Tile::kSmemA), Bs(Tile::kSmemB);  // exact shared-memory sizes
  std::vector<std::array<std::array<float, Tile::TN>, Tile::TM>> acc(NT);
  for (int split = 0; split < d.bz; ++split)
    for (int bm = 0; bm < d.by; ++bm)
      for (int bn = 0; bn < d.bx; ++bn) {
        const int kb = split * g.kper;
        const int ke = std::min(g.K, kb + g.kper);
        float a[Tile::TM][Tile::TN];
        for (int tid = 0; tid < NT; ++tid) {
          Tile::init(g, bm, bn, tid, a);
          for (int r = 0; r < Tile::TM; ++r)
            for (int c = 0; c < Tile::TN; ++c) acc[tid][r][c] = a[r][c];
        }
        for (int k0 = kb; k0 < ke; k0 += Tile::BK) {
          std::fill(As.begin(), As.end(), sentinel());
          std::fill(Bs.begin(), Bs.end(), sentinel());
          for (int tid = 0; tid < NT; ++tid) Tile::load(g, bm, bn, k0, ke, tid, As.data(), Bs.data());
          // __syncthreads(): every element a thread reads in compute must have been loaded
          for (int kk = 0; kk < Tile::BK; ++kk) {
            for (int ii = 0; ii < Tile::BM; ++ii)
              if (is_sentinel(As[kk * Tile::AP + ii])) { CHECK(false, "A tile element (%d, %d) not loaded", kk, ii); kk = Tile::BK; break; }
          }
          for (int q = 0; q < Tile::kSmemB; ++q)
            if (is_sentinel(Bs[q])) { CHECK(false, "B tile element %d not loaded", q); break; }
          for (int tid = 0; tid < NT; ++tid) {
            for (int r = 0; r < Tile::TM; ++r)
              for (int c = 0; c < Tile::TN; ++c) a[r][c] = acc[tid][r][c];
            Tile::compute(As.data(), Bs.data(), tid, a);
            for (int r = 0; r < Tile::TM; ++r)
              for (int c = 0; c < Tile::TN; ++c) acc[tid][r][c] = a[r][c];
          }
        }
        for (int tid = 0; tid < NT; ++tid) {
          for (int r = 0; r < Tile::TM; ++r)
            for (int c = 0; c < Tile::TN; ++c) a[r][c] = acc[tid][r][c];
          Tile::store(g, bm, bn, split, tid, a);
        }
      }
}

struct HostEx {
  int sms = 4;
  int min_kper = 32;
  float* partial = nullptr;
  int64_t partial_cap = 0;
  int64_t launches = 0, split_gemms = 0, big_tiles = 0, small_tiles = 0, rec_steps = 0;

  template <class Fn>
  void each(int64_t n, const Fn& f) {
    if (n <= 0) return;
    ++launches;
    for (int64_t i = 0; i < n; ++i) f(i);
  }

  void rec_step(const RecStepArgs& g) {
    if (g.R <= 0 || g.u <= 0) return;
    ++launches;
    ++rec_steps;
    using Tl = RecStepTile;
    constexpr int NT = Tl::kThreads;
    std::vector<float> As(Tl::kSmemA), Bs(Tl::kSmemB);
    std::vector<std::array<float, 4>> acc(NT);
    const int bx = (g.u + Tl::BU - 1) / Tl::BU, by = (g.R + Tl::BM - 1) / Tl::BM;
    for (int bm = 0; bm < by; ++bm)
      for (int bn = 0; bn < bx; ++bn) {
        for (int tid = 0; tid < NT; ++tid) Tl::init(g, bm, bn, tid, acc[tid].data());
        for (int k0 = 0; k0 < g.u; k0 += Tl::BK) {
          std::fill(As.begin(), As.end(), sentinel());
          std::fill(Bs.begin(), Bs.end(), sentinel());
          for (int tid = 0; tid < NT; ++tid) Tl::load(g, bm, bn, k0, tid, As.data(), Bs.data());
          for (int q = 0; q < Tl::kSmemA; ++q)
            if (is_sentinel(As[q])) { CHECK(false, "rec step: A tile element %d not loaded", q); break; }
          for (int q = 0; q < Tl::kSmemB; ++q)
            if (q % Tl::BN < g.gates() * Tl::BU && is_sentinel(Bs[q])) { CHECK(false, "rec step: B tile element %d not loaded", q); break; }
          for (int tid = 0; tid < NT; ++tid) Tl::compute(g, As.data(), Bs.data(), tid, acc[tid].data());
        }
        for (int tid = 0; tid < NT; ++tid) Tl::finish(g, bm, bn, tid, acc[tid].data());
      }
  }

  // defer_reduce: a split-K GEMM leaves its partial sums (the returned args say where).
  GemmArgs gemm(GemmArgs g, bool defer_reduce = false) {
    g.splits = 1;
    if (g.M <= 0 || g.N <= 0) return g;
    g.partial = partial;
    if (g.K <= 0) {
      g.splits = 0;
      each(int64_t{g.M} * g.N, GemmReduce{g});
      g.splits = 1;
      return g;
    }
    const GemmGrid d = gemm_plan(g, sms, min_kper, partial_cap);
    CHECK(int64_t{g.splits} * g.kper >= g.K && int64_t{g.splits - 1} * g.kper < g.K, "split plan K=%d splits=%d kper=%d", g.K, g.splits, g.kper);
    CHECK(g.splits == 1 || int64_t{g.splits} * g.M * g.N <= partial_cap, "partials exceed the cap");
    ++launches;
    if (g.cfg == 0) { ++big_tiles; emulate_gemm_tiles<TileBig>(g, d); }
    else { ++small_tiles; emulate_gemm_tiles<TileSmall>(g, d); }
    if (g.splits > 1) ++split_gemms;
    if (g.splits > 1 && !defer_reduce) each(int64_t{g.M} * g.N, GemmReduce{g});
    return g;
  }
};

// ---------------------------------------------------------------------------------------------
// GEMM unit test
// ---------------------------------------------------------------------------------------------
static void test_gemm(std::mt19937& rng) {
  std::uniform_real_distribution<float> U(-1.0f, 1.0f);
  const int shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {64, 64, 16}, {65, 33, 17}, {31, 97, 300}, {130, 70, 45}, {1, 40, 513}, {7, 9, 1000}, {128, 12, 64}};
  int n = 0;
  for (const auto& sh : shapes)
    for (int trans = 0; trans < 2; ++trans)
      for (int mode = 0; mode < 3; ++mode)  // 0: zero base, 1: bias, 2: accumulate
        for (int sms : {1, 8, 132}) {
          const int M = sh[0], N = sh[1], K = sh[2];
          std::vector<float> A(static_cast<size_t>(M) * K), B(static_cast<size_t>(K) * N), bias(N), C0(static_cast<size_t>(M) * (N + 3));
          for (auto& v : A) v = U(rng);
          for (auto& v : B) v = U(rng);
          for (auto& v : bias) v = U(rng);
          for (auto& v : C0) v = U(rng);
          std::vector<float> C = C0;
          std::vector<float> partial(1 << 16);
          HostEx ex;
          ex.sms = sms; ex.min_kper = 16; ex.partial = partial.data(); ex.partial_cap = static_cast<int64_t>(partial.size());
          const int64_t ldc = N + 3;
          GemmArgs g = trans ? gm(M, N, K, A.data(), 1, M, B.data(), N, C.data(), ldc, mode == 1 ? bias.data() : nullptr, mode == 2)
                             : gm(M, N, K, A.data(), K, 1, B.data(), N, C.data(), ldc, mode == 1 ? bias.data() : nullptr, mode == 2);
          ex.gemm(g);
          for (int i = 0; i < M; ++i) {
            for (int j = 0; j < N + 3; ++j) {
              if (j >= N) { CHECK(C[i * ldc + j] == C0[i * ldc + j], "gemm wrote outside C (%d, %d)", i, j); continue; }
              double s = mode == 1 ? bias[j] : mode == 2 ? C0[i * ldc + j] : 0.0, mag = std::fabs(s);
              for (int k = 0; k < K; ++k) {
                const double a = trans ? A[static_cast<size_t>(k) * M + i] : A[static_cast<size_t>(i) * K + k];
                s += a * B[static_cast<size_t>(k) * N + j];
                mag += std::fabs(a * B[static_cast<size_t>(k) * N + j]);
              }
              const double got = C[i * ldc + j];
              CHECK(std::fabs(got - s) <= 1e-5 * (1 + mag), "gemm %dx%dx%d trans %d mode %d sms %d (%d, %d): %g vs %g", M, N, K, trans,
                    mode, sms, i, j, got, s);
            }
          }
          ++n;
        }
  std::printf("ok   gemm tiles: %d cases (both tile configs, split-K, A and A^T, bias / accumulate)\n", n);
}

// ---------------------------------------------------------------------------------------------
// Models
// ---------------------------------------------------------------------------------------------
struct LayerDef {
  int kind, units, act, rec_act, seq, bias, reset_after;
};

struct Case {
  std::string label;
  int F, T, batch;
  std::vector<LayerDef> layers;
  bool mse;
  bool sw;
  std::vector<float> rates;  // empty: no dropout
};

struct Problem {
  nn::ModelSpec m;
  std::vector<float> params, xs;
  std::vector<int32_t> starts;
  std::vector<double> target, sw;
};

static Problem make_problem(const Case& c, std::mt19937& rng, float scale = 0.4f) {
  std::vector<int32_t> spec = {1, static_cast<int32_t>(c.layers.size()), c.F, 0};
  int width = c.F;
  for (const LayerDef& l : c.layers) {
    spec.insert(spec.end(), {l.kind, l.units, width, l.act, l.rec_act, l.seq, l.bias, l.reset_after});
    width = l.units;
  }
  Problem p;
  // weights length: parse once with a wrong length to learn it from the message is fragile;
  // compute it directly instead.
  int64_t wl = 0;
  width = c.F;
  for (const LayerDef& l : c.layers) {
    const int64_t g = l.kind == 1 ? 4 : l.kind == 2 ? 3 : 1, u = l.units;
    wl += width * g * u;
    if (l.kind != 3) wl += u * g * u;
    if (l.bias) wl += (l.reset_after ? 2 : 1) * g * u;
    width = l.units;
  }
  const std::string err = nn::parse_spec("emulate", spec.data(), static_cast<int64_t>(spec.size()), wl, &p.m);
  if (!err.empty()) { std::printf("FAIL spec %s: %s\n", c.label.c_str(), err.c_str()); ++failures; return p; }
  std::normal_distribution<float> N(0.0f, 1.0f);
  p.params.resize(static_cast<size_t>(wl));
  for (auto& v : p.params) v = scale * N(rng);
  const int rows = c.T + c.batch + 3;
  p.xs.resize(static_cast<size_t>(rows) * c.F);
  for (auto& v : p.xs) v = N(rng);
  std::uniform_int_distribution<int> S(0, rows - c.T);
  p.starts.resize(c.batch);
  for (auto& s : p.starts) s = S(rng);
  const int units = p.m.out_units;
  if (c.mse) { p.target.resize(static_cast<size_t>(c.batch) * units); for (auto& v : p.target) v = N(rng); }
  else { std::uniform_int_distribution<int> K(0, units - 1); p.target.resize(c.batch); for (auto& v : p.target) v = K(rng); }
  if (c.sw) { std::uniform_real_distribution<double> W(0.0, 2.0); p.sw.resize(c.batch); for (auto& v : p.sw) v = W(rng); }
  return p;
}

struct Result {
  double loss = 0;
  std::vector<double> grads, outputs;
};

// The CUDA path, emulated: nn_train.cu's host sequence with the host executor.
static Result run_emulated(const Problem& p, const Case& c, const float* params, const std::vector<float>& rates, uint32_t k0,
                           uint32_t k1, int R, int sms, int min_kper, bool grads, int64_t partial_cap = 4096) {
  const int T = c.T, F = c.F, U = p.m.out_units;
  const int64_t guard = 16;
  const TrainPlan P = plan_train(p.m, T, R, grads, partial_cap, guard);
  std::vector<float> ar(static_cast<size_t>(P.floats), sentinel());
  std::vector<double> dar(static_cast<size_t>(P.doubles), std::nan(""));
  std::memcpy(ar.data() + P.W, params, sizeof(float) * p.m.weights_len);
  const uint32_t key[2] = {k0, k1};
  std::memcpy(ar.data() + P.key, key, sizeof key);
  HostEx ex;
  ex.sms = sms; ex.min_kper = min_kper; ex.partial = ar.data() + P.partial; ex.partial_cap = P.partial_cap;
  prepare_call(ex, P, ar.data());
  Result res;
  res.outputs.resize(static_cast<size_t>(c.batch) * U);
  std::vector<float> hx(static_cast<size_t>(T) * R * F);
  for (int64_t b0 = 0; b0 < c.batch; b0 += R) {
    const int Rc = static_cast<int>(std::min<int64_t>(R, c.batch - b0));
    gather_chunk(hx.data(), p.xs.data(), p.starts.data(), b0, Rc, T, F);
    std::memcpy(ar.data() + P.X, hx.data(), sizeof(float) * T * Rc * F);
    const int64_t tlen = c.mse ? int64_t{Rc} * U : Rc;
    std::memcpy(dar.data() + P.tgt, p.target.data() + (c.mse ? b0 * U : b0), sizeof(double) * tlen);
    if (c.sw) std::memcpy(dar.data() + P.sw, p.sw.data() + b0, sizeof(double) * Rc);
    ChunkCall cc;
    cc.ar = ar.data(); cc.dar = dar.data(); cc.R = Rc; cc.b0 = b0; cc.batch = c.batch; cc.mse = c.mse; cc.has_sw = c.sw;
    cc.rates = rates.empty() ? nullptr : rates.data();
    train_chunk(ex, P, cc);
    for (int r = 0; r < Rc; ++r) res.loss += dar[P.lossRow + r];
    std::memcpy(res.outputs.data() + b0 * U, dar.data() + P.outRow, sizeof(double) * Rc * U);
  }
  res.loss /= c.batch;
  if (std::getenv("EMULATE_TRAIN_STATS") && R == c.batch)
    std::printf("     plan: %lld kernels (%lld fused recurrent steps, %lld GEMMs with 64x64 tiles, %lld with 32x32, %lld split-K)\n",
                static_cast<long long>(ex.launches), static_cast<long long>(ex.rec_steps), static_cast<long long>(ex.big_tiles),
                static_cast<long long>(ex.small_tiles), static_cast<long long>(ex.split_gemms));
  if (grads) {
    res.grads.resize(static_cast<size_t>(p.m.weights_len));
    for (int64_t i = 0; i < p.m.weights_len; ++i) res.grads[i] = ar[P.gW + i];
  }
  // guard zones untouched (the first `guard` floats and the gap after every buffer)
  int64_t bad = 0;
  for (int64_t i = 0; i < guard; ++i) bad += !is_sentinel(ar[i]);
  std::vector<int64_t> starts_of = {P.W, P.X, P.gW, P.dOut, P.key, P.partial};
  for (const TLayer& l : P.layers)
    for (int64_t o : {l.A, l.H, l.C, l.TC, l.HC, l.dAx, l.dAh, l.dIn, l.dh, l.dc, l.drh, l.WT, l.UT, l.Xd}) starts_of.push_back(o);
  std::sort(starts_of.begin(), starts_of.end());
  for (size_t q = 0; q < starts_of.size(); ++q) {
    if (starts_of[q] < 0) continue;
    const int64_t next = q + 1 < starts_of.size() ? starts_of[q + 1] : P.floats;
    for (int64_t i = next - guard; i < next; ++i) bad += !is_sentinel(ar[i]);
  }
  CHECK(bad == 0, "%s: %lld guard floats overwritten", c.label.c_str(), static_cast<long long>(bad));
  return res;
}

// CPU core with its own dropout when GradJob has the fields (detected at compile time).
template <class J>
static auto set_cpu_dropout(J& job, const float* rates, uint32_t k0, uint32_t k1, int) -> decltype(job.dropout, bool()) {
  job.dropout = rates;
  job.dropout_k0 = k0;
  job.dropout_k1 = k1;
  return true;
}
template <class J>
static bool set_cpu_dropout(J&, const float*, uint32_t, uint32_t, long) { return false; }

static bool cpu_has_dropout() {
  nn::train::GradJob j;
  return set_cpu_dropout(j, nullptr, 0, 0, 0);
}

static Result run_cpu(const nn::ModelSpec& m, const Case& c, const float* params, const std::vector<float>& xs,
                      const std::vector<int32_t>& starts, const std::vector<double>& target, const std::vector<double>& sw,
                      const std::vector<float>& rates, uint32_t k0, uint32_t k1) {
  Result r;
  r.grads.resize(static_cast<size_t>(m.weights_len));
  r.outputs.resize(static_cast<size_t>(starts.size()) * m.out_units);
  nn::train::GradJob job;
  job.spec = &m;
  job.params = params;
  job.xs = xs.data();
  job.x_rows = static_cast<int64_t>(xs.size()) / m.features;
  job.starts = starts.data();
  job.batch = static_cast<int64_t>(starts.size());
  job.T = c.T;
  job.loss = c.mse ? nn::train::Loss::MSE : nn::train::Loss::CrossEntropy;
  job.target = target.data();
  job.sample_weight = sw.empty() ? nullptr : sw.data();
  job.grads = r.grads.data();
  job.outputs = r.outputs.data();
  job.threads = 1;
  if (!rates.empty()) set_cpu_dropout(job, rates.data(), k0, k1, 0);
  r.loss = nn::train::loss_and_grads(job);
  return r;
}

static int compare(const std::string& what, const Result& e, const Result& a) {
  int bad = 0;
  auto one = [&](const char* name, size_t i, double x, double y) {
    if (!(std::fabs(x - y) <= 2e-4 + 2e-3 * std::fabs(x))) {
      if (++bad <= 4) CHECK(false, "%s: %s[%zu] expected %.9g got %.9g", what.c_str(), name, i, x, y);
    } else {
      ++checks;
    }
  };
  one("loss", 0, e.loss, a.loss);
  if (e.grads.size() != a.grads.size() || e.outputs.size() != a.outputs.size()) {
    CHECK(false, "%s: size mismatch", what.c_str());
    return 1;
  }
  for (size_t i = 0; i < e.grads.size(); ++i) one("grad", i, e.grads[i], a.grads[i]);
  for (size_t i = 0; i < e.outputs.size(); ++i) one("output", i, e.outputs[i], a.outputs[i]);
  if (bad > 4) std::printf("     ... %d mismatches in %s\n", bad, what.c_str());
  return bad;
}

// Central differences of the emulated loss along random directions vs the emulated gradient.
static void fd_check(const Problem& p, const Case& c, uint32_t k0, uint32_t k1, std::mt19937& rng) {
  const Result base = run_emulated(p, c, p.params.data(), c.rates, k0, k1, 8, 4, 32, true);
  std::normal_distribution<float> N(0.0f, 1.0f);
  const double eps = 2e-3;
  for (int dir = 0; dir < 3; ++dir) {
    std::vector<float> v(p.params.size()), plus(p.params), minus(p.params);
    double gv = 0.0, vn = 0.0;
    for (size_t i = 0; i < v.size(); ++i) { v[i] = N(rng); vn += double{v[i]} * v[i]; }
    vn = std::sqrt(vn);
    for (size_t i = 0; i < v.size(); ++i) {
      v[i] = static_cast<float>(v[i] / vn);
      plus[i] = p.params[i] + static_cast<float>(eps) * v[i];
      minus[i] = p.params[i] - static_cast<float>(eps) * v[i];
      gv += base.grads[i] * ((double{plus[i]} - double{minus[i]}) / (2 * eps));
    }
    const double lp = run_emulated(p, c, plus.data(), c.rates, k0, k1, 8, 4, 32, false).loss;
    const double lm = run_emulated(p, c, minus.data(), c.rates, k0, k1, 8, 4, 32, false).loss;
    const double fd = (lp - lm) / (2 * eps);
    CHECK(std::fabs(fd - gv) <= 2e-3 + 2e-2 * std::fabs(gv), "%s: directional derivative %d: finite difference %.7g, gradient %.7g",
          c.label.c_str(), dir, fd, gv);
  }
}

int main() {
  std::mt19937 rng(12345);
  test_gemm(rng);

  const LayerDef lstm5 = {1, 5, 1, 2, 0, 1, 0};
  auto sm = [](int u) { return LayerDef{3, u, 5, 0, 0, 1, 0}; };
  std::vector<Case> cases = {
      {"lstm->dense softmax CE", 4, 7, 19, {lstm5, sm(3)}, false, false, {}},
      {"lstm(seq)->lstm->dense CE, sample weights", 3, 5, 37, {{1, 6, 1, 2, 1, 1, 0}, {1, 4, 1, 2, 0, 1, 0}, sm(3)}, false, true, {}},
      {"gru reset_after false, hard_sigmoid -> dense tanh MSE", 3, 6, 11, {{2, 5, 1, 3, 0, 1, 0}, {3, 2, 1, 0, 0, 1, 0}}, true, false, {}},
      {"gru reset_after true (seq) -> gru ra -> dense relu -> dense softmax CE", 2, 4, 17,
       {{2, 9, 1, 2, 1, 1, 1}, {2, 4, 1, 2, 0, 1, 1}, {3, 6, 4, 0, 0, 1, 0}, sm(3)}, false, false, {}},
      {"lstm relu/hard_sigmoid, no bias -> MSE on h", 2, 3, 5, {{1, 3, 4, 3, 0, 0, 0}}, true, false, {}},
      {"gru ra false (seq), no bias -> lstm -> dense softmax MSE, sample weights", 3, 6, 21,
       {{2, 7, 1, 2, 1, 0, 0}, {1, 5, 1, 2, 0, 1, 0}, sm(4)}, true, true, {}},
      {"gru reset_after true, no bias -> dense linear -> dense sigmoid MSE", 5, 4, 9,
       {{2, 6, 1, 2, 0, 0, 1}, {3, 4, 0, 0, 0, 1, 0}, {3, 3, 2, 0, 0, 1, 0}}, true, false, {}},
      {"lstm tanh/sigmoid 20 units, 12 steps -> dense softmax CE", 6, 12, 40, {{1, 20, 1, 2, 0, 1, 0}, sm(5)}, false, true, {}},
      {"dense softmax (not last) -> dense linear, MSE", 3, 3, 13, {{1, 4, 1, 2, 0, 1, 0}, {3, 5, 5, 0, 0, 1, 0}, {3, 2, 0, 0, 0, 0, 0}}, true, false, {}},
      // dropout
      {"dropout 0.3 on the input of lstm(seq) -> lstm -> dense softmax CE", 4, 5, 23,
       {{1, 6, 1, 2, 1, 1, 0}, {1, 4, 1, 2, 0, 1, 0}, sm(3)}, false, false, {0.3f, 0.0f, 0.0f}},
      {"dropout 0.2 / 0.3 / 0.5 on lstm(seq) -> gru ra -> dense softmax CE", 4, 5, 37,
       {{1, 6, 1, 2, 1, 1, 0}, {2, 5, 1, 2, 0, 1, 1}, sm(3)}, false, true, {0.2f, 0.3f, 0.5f}},
      {"dropout 0 / 0.325 / 0.4 on gru -> dense relu -> dense tanh MSE", 3, 6, 19,
       {{2, 7, 1, 2, 0, 1, 0}, {3, 5, 4, 0, 0, 1, 0}, {3, 2, 1, 0, 0, 1, 0}}, true, false, {0.0f, 0.325f, 0.4f}},
      {"dropout 0.25 on gru ra false (seq) -> lstm input, MSE on h", 2, 4, 10,
       {{2, 5, 1, 3, 1, 1, 0}, {1, 3, 1, 2, 0, 1, 0}}, true, true, {0.0f, 0.25f}},
  };

  const bool cpu_dropout = cpu_has_dropout();
  std::printf("     CPU core dropout: %s\n", cpu_dropout ? "yes (compared directly)" : "no (layer-0 equivalence + finite differences)");
  const int sms_list[] = {1, 4, 132};
  const int R_list[] = {16, 8, 5, 64};
  int ncase = 0;
  for (size_t ci = 0; ci < cases.size(); ++ci) {
    const Case& c = cases[ci];
    const Problem p = make_problem(c, rng);
    if (p.params.empty()) continue;
    const std::string why = nn::train::check_trainable(p.m, c.mse ? nn::train::Loss::MSE : nn::train::Loss::CrossEntropy);
    CHECK(why.empty(), "%s: not trainable: %s", c.label.c_str(), why.c_str());
    const uint32_t k0 = rng(), k1 = rng();
    const bool drop = !c.rates.empty();
    int bad = 0;
    if (!drop || cpu_dropout) {
      const Result e = run_cpu(p.m, c, p.params.data(), p.xs, p.starts, p.target, p.sw, c.rates, k0, k1);
      for (int v = 0; v < 3; ++v) {
        const int R = R_list[(ci + v) % 4], sms = sms_list[v];
        const Result a = run_emulated(p, c, p.params.data(), c.rates, k0, k1, R, sms, v == 0 ? 16 : 32, true);
        bad += compare(c.label + " (chunk " + std::to_string(R) + ", " + std::to_string(sms) + " SMs)", e, a);
      }
      // forward only: same loss and outputs, no gradient
      Result f = run_emulated(p, c, p.params.data(), c.rates, k0, k1, 8, 4, 32, false);
      Result e2 = e;
      e2.grads.clear();
      bad += compare(c.label + " (forward only)", e2, f);
    }
    if (drop && !cpu_dropout && c.rates[0] > 0.0f &&
        std::all_of(c.rates.begin() + 1, c.rates.end(), [](float r) { return r == 0.0f; })) {
      // layer-0 input dropout == the CPU on the pre-masked windows (one window per row block)
      std::vector<float> xs2(static_cast<size_t>(c.batch) * c.T * c.F);
      std::vector<int32_t> st2(c.batch);
      for (int b = 0; b < c.batch; ++b) {
        st2[b] = b * c.T;
        for (int t = 0; t < c.T; ++t)
          for (int f = 0; f < c.F; ++f)
            xs2[(static_cast<size_t>(b) * c.T + t) * c.F + f] =
                p.xs[(static_cast<size_t>(p.starts[b]) + t) * c.F + f] * nn::dropout_scale(k0, k1, b, t, f, 0, c.rates[0]);
      }
      const Result e = run_cpu(p.m, c, p.params.data(), xs2, st2, p.target, p.sw, {}, 0, 0);
      const Result a = run_emulated(p, c, p.params.data(), c.rates, k0, k1, 8, 4, 32, true);
      bad += compare(c.label + " (vs CPU on masked windows)", e, a);
    }
    if (drop) {
      fd_check(p, c, k0, k1, rng);
      // the mask changes the result (dropout is applied at all)
      const Result a = run_emulated(p, c, p.params.data(), c.rates, k0, k1, 8, 4, 32, false);
      const Result z = run_emulated(p, c, p.params.data(), {}, k0, k1, 8, 4, 32, false);
      CHECK(a.loss != z.loss, "%s: dropout did not change the loss", c.label.c_str());
    }
    std::printf("%s %s\n", bad ? "FAIL" : "ok  ", c.label.c_str());
    ++ncase;
  }
  if (const char* large = std::getenv("EMULATE_TRAIN_LARGE"); large != nullptr && *large == '1') {
    // The device's plan on a bigger model: one chunk of the whole batch, 132 SMs, split-K of at
    // least 128 rows, 4 Mi floats of partial sums (as nn_train.cu); float32 sums over 18000 rows.
    const int units = std::getenv("EMULATE_TRAIN_UNITS") ? std::atoi(std::getenv("EMULATE_TRAIN_UNITS")) : 32;
    const int batch = std::getenv("EMULATE_TRAIN_BATCH") ? std::atoi(std::getenv("EMULATE_TRAIN_BATCH")) : 300;
    Case c{"large: lstm(" + std::to_string(units) + ", seq) -> dropout 0.2 -> lstm -> dense softmax CE, 60 x 16, batch " + std::to_string(batch),
           16, 60, batch, {{1, units, 1, 2, 1, 1, 0}, {1, units, 1, 2, 0, 1, 0}, sm(3)}, false, true, {0.0f, 0.2f, 0.0f}};
    if (std::getenv("EMULATE_TRAIN_NODROP")) c.rates.clear();
    // weights ~ N(0, 1 / units): with N(0, 0.4^2) a 128-unit recurrence is chaotic and a 1-ulp
    // change of the weights moves the gradients by more than the tolerance (EMULATE_TRAIN_ORDER=1
    // prints that sensitivity)
    const Problem p = make_problem(c, rng, 1.0f / std::sqrt(static_cast<float>(units)));
    const uint32_t k0 = rng(), k1 = rng();
    const Result e = run_cpu(p.m, c, p.params.data(), p.xs, p.starts, p.target, p.sw, c.rates, k0, k1);
    const Result a = run_emulated(p, c, p.params.data(), c.rates, k0, k1, c.batch, 132, 128, true, int64_t{1} << 22);
    if (std::getenv("EMULATE_TRAIN_ORDER")) {
      // the same path with another summation order (other tiles / splits / chunks): the spread
      // that float32 rounding alone gives on this model
      const Result b = run_emulated(p, c, p.params.data(), c.rates, k0, k1, 16, 1, 1 << 30, true, int64_t{1} << 22);
      double w2 = 0.0;
      for (size_t i = 0; i < a.grads.size(); ++i)
        w2 = std::max(w2, std::fabs(a.grads[i] - b.grads[i]) / (2e-4 + 2e-3 * std::fabs(a.grads[i])));
      std::printf("     emulated vs emulated (other order): worst gradient error / tolerance %.3g\n", w2);
      // sensitivity: every weight moved by one float32 ulp (alternating direction)
      std::vector<float> q(p.params);
      for (size_t i = 0; i < q.size(); ++i) q[i] = std::nextafter(q[i], (i & 1) ? 1e30f : -1e30f);
      const Result d = run_emulated(p, c, q.data(), c.rates, k0, k1, c.batch, 132, 128, true, int64_t{1} << 22);
      double w3 = 0.0;
      for (size_t i = 0; i < a.grads.size(); ++i)
        w3 = std::max(w3, std::fabs(a.grads[i] - d.grads[i]) / (2e-4 + 2e-3 * std::fabs(a.grads[i])));
      std::printf("     emulated vs emulated (weights moved by 1 ulp): worst gradient error / tolerance %.3g\n", w3);
    }
    double worst = 0.0;
    for (size_t i = 0; i < e.grads.size(); ++i)
      worst = std::max(worst, std::fabs(e.grads[i] - a.grads[i]) / (2e-4 + 2e-3 * std::fabs(e.grads[i])));
    std::printf("%s %s (worst gradient error / tolerance %.3g)\n", compare(c.label, e, a) ? "FAIL" : "ok  ", c.label.c_str(), worst);
    if (!cpu_dropout) std::printf("     (the CPU core has no dropout here: the comparison above is not meaningful)\n");
  }
  std::printf("%s emulate_train: %d models, %ld checks, %d failures\n", failures ? "FAIL" : "ok  ", ncase, checks, failures);
  return failures ? 1 : 0;
}
