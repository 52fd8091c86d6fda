// Host emulation of the CUDA kernels' index logic, no GPU needed (g++ only):
//   g++ -std=c++17 -O1 -fsanitize=address,undefined kernels/test/emulate.cpp -o /tmp/emulate && /tmp/emulate
//
// Runs exactly the per-block / per-thread functions the kernels call (kernels/sma.cuh,
// kernels/philox.cuh) in the kernels' phase order (load tile; sync; compute; sync; store)
// and the host chunk plans, over buffers allocated to their exact sizes, so AddressSanitizer
// catches any read or write outside a tile window or a device buffer. Checks against the
// CPU algorithms (native/ops/sma.cpp, native/ops/philox.cpp):
//   sma: equal up to rounding, NaN/Inf positions identical, every output written once;
//   philox4x32: bit-identical, counter carries across 32/64/96 bits;
//   philoxNormal: bit-identical on the host (same libm); the GPU differs by a few ulp;
//   ta: every indicator of native/ta/list.h through the device path of kernels/ta.cuh (rows
//       per chunk for several budgets, one arena per chunk laid out by ta_layout and
//       pre-filled with signalling NaNs, per-thread rows from ta_make_row, dispatch on the
//       id) bit-identical to the CPU table's per-row call (native/ta/table.cpp run_rows:
//       each row alone, zeroed scratch), every output written.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "../mc.cuh"
#include "../philox.cuh"
#include "../sma.cuh"
#include "../ta.cuh"

using namespace neurion;
using namespace neurion::cuda;

#include "check.h"

static const double kUnwritten = -7.25e300;

// Tiled kernel, block size B, on one device buffer.
static void emulate_tiled(const std::vector<double>& din, std::vector<double>& dout, const SmaGeom& g, int B) {
  const int64_t L = sma_tile_len(g.p);
  const int64_t S = B * L;
  const int64_t tiles = (g.outputs() + S - 1) / S;
  const int64_t cap = S + g.p - 1;
  for (int64_t t = 0; t < tiles; ++t) {
    std::vector<double> xs(static_cast<size_t>(cap)), ys(static_cast<size_t>(cap), kUnwritten);
    const SmaTile T = sma_tile(g, S, t);
    CHECK(T.h1 - T.h0 <= cap, "tile window %lld > capacity %lld", (long long)(T.h1 - T.h0), (long long)cap);
    CHECK(T.h0 >= 0 && T.h1 <= static_cast<int64_t>(din.size()), "tile window outside buffer");
    if (T.h1 - T.h0 > cap) return;
    xs.resize(static_cast<size_t>(T.h1 - T.h0));  // exact size: ASan sees any overrun
    ys.resize(static_cast<size_t>(T.h1 - T.h0));
    for (int64_t k = 0; k < T.h1 - T.h0; ++k) xs[k] = din[T.h0 + k];
    for (int tid = 0; tid < B; ++tid) {
      const int64_t a = T.o0 + tid * L;
      if (a < T.o1) sma_outputs(xs.data(), ys.data(), T.h0, g, a, sma_min(T.o1, a + L));
    }
    for (int64_t k = T.s0; k < T.h1; ++k) {
      CHECK(ys[k - T.h0] != kUnwritten, "tile %lld left buffer index %lld unwritten", (long long)t, (long long)k);
      CHECK(dout[k] == kUnwritten, "buffer index %lld stored twice", (long long)k);
      dout[k] = ys[k - T.h0];
    }
  }
}

static void emulate_direct(const std::vector<double>& din, std::vector<double>& dout, const SmaGeom& g,
                           int64_t resident) {
  const int64_t L = sma_direct_len(g.outputs(), g.p, resident);
  const int64_t chunks = (g.outputs() + L - 1) / L;
  for (int64_t c = 0; c < chunks; ++c) sma_outputs(din.data(), dout.data(), 0, g, c * L, sma_min(g.outputs(), c * L + L));
}

static bool same(double a, double b, double scale) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  if (std::isinf(a) || std::isinf(b)) return a == b;
  return std::fabs(a - b) <= 1e-12 * scale;
}

static void test_sma(std::mt19937_64& rng, int64_t rows, int64_t cols, int64_t p, int64_t elems, bool tiled,
                     double bad_rate) {
  std::uniform_real_distribution<double> u(-100.0, 100.0), coin(0.0, 1.0);
  std::vector<double> x(static_cast<size_t>(rows * cols));
  double scale = 1;
  for (auto& v : x) {
    v = u(rng);
    if (coin(rng) < bad_rate) {
      const double r = coin(rng);
      v = r < 0.4 ? std::numeric_limits<double>::quiet_NaN()
                  : r < 0.7 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
    }
  }
  for (double v : x) if (std::isfinite(v)) scale = std::max(scale, std::fabs(v));
  std::vector<double> ref(x.size()), out(x.size(), kUnwritten);
  for (int64_t r = 0; r < rows; ++r) sma_row_range(x.data() + r * cols, ref.data() + r * cols, cols, p, 0, cols);

  int64_t covered = 0;
  sma_plan(rows, cols, p, elems, [&](const SmaChunk& c) {
    CHECK(c.g.rows * c.g.w == c.count_in, "chunk count_in");
    CHECK(c.g.lo == 0 || c.g.rows == 1, "lo > 0 with rows > 1");
    CHECK(c.src >= 0 && c.src + c.count_in <= rows * cols, "chunk input outside x");
    std::vector<double> din(x.begin() + c.src, x.begin() + c.src + c.count_in);
    std::vector<double> dout(static_cast<size_t>(c.count_in), kUnwritten);
    if (tiled) emulate_tiled(din, dout, c.g, 128);
    else emulate_direct(din, dout, c.g, 97);
    CHECK(c.out_first + c.count_out <= c.count_in, "copy-back outside buffer");
    for (int64_t k = 0; k < c.count_out; ++k) {
      CHECK(out[c.dst + k] == kUnwritten, "output %lld written twice", (long long)(c.dst + k));
      out[c.dst + k] = dout[c.out_first + k];
    }
    covered += c.count_out;
  });
  CHECK(covered == rows * cols, "outputs covered %lld of %lld", (long long)covered, (long long)(rows * cols));
  int bad = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    if (out[i] == kUnwritten || !same(out[i], ref[i], scale)) {
      if (++bad <= 3)
        CHECK(false, "sma rows=%lld cols=%lld p=%lld elems=%lld %s: out[%zu]=%.17g ref=%.17g", (long long)rows,
              (long long)cols, (long long)p, (long long)elems, tiled ? "tiled" : "direct", i, out[i], ref[i]);
    }
  }
}

// CPU philox4x32 (native/ops/philox.cpp), verbatim loop.
static void cpu_philox(uint32_t k0, uint32_t k1, const uint32_t ctr[4], int64_t blocks, uint32_t* po) {
  uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  for (int64_t b = 0; b < blocks; ++b) {
    const Philox4x32 r = philox4x32_10(c[0], c[1], c[2], c[3], k0, k1);
    po[4 * b] = r.v[0]; po[4 * b + 1] = r.v[1]; po[4 * b + 2] = r.v[2]; po[4 * b + 3] = r.v[3];
    for (int w = 0; w < 4 && ++c[w] == 0; ++w) {}
  }
}

static void test_philox_raw(const uint32_t ctr[4], int64_t blocks, int64_t per_chunk) {
  const uint32_t k0 = 0x12345678u, k1 = 0x9abcdef0u;
  std::vector<uint32_t> ref(static_cast<size_t>(4 * blocks)), out(ref.size(), 0xdeadbeefu);
  cpu_philox(k0, k1, ctr, blocks, ref.data());
  for (int64_t b0 = 0; b0 < blocks; b0 += per_chunk) {
    const int64_t n = std::min(per_chunk, blocks - b0);
    uint32_t c[4];
    philox_ctr_add(ctr, static_cast<uint64_t>(b0), c);
    std::vector<uint32_t> dbuf(static_cast<size_t>(4 * n));
    for (int64_t b = 0; b < n; ++b) {  // kernel body
      uint32_t cc[4];
      philox_ctr_add(c, static_cast<uint64_t>(b), cc);
      const Philox4x32 r = philox4x32_10(cc[0], cc[1], cc[2], cc[3], k0, k1);
      std::memcpy(&dbuf[4 * b], r.v, 16);
    }
    std::memcpy(&out[4 * b0], dbuf.data(), dbuf.size() * 4);
  }
  CHECK(out == ref, "philox4x32 ctr=(%x,%x,%x,%x) blocks=%lld chunk=%lld", ctr[0], ctr[1], ctr[2], ctr[3],
        (long long)blocks, (long long)per_chunk);
}

static void test_philox_normal(int64_t path_offset, int64_t paths, int64_t steps, int64_t items_per_chunk) {
  const uint32_t k0 = 42u, k1 = 7u, st = 3u;
  std::vector<double> ref(static_cast<size_t>(paths * steps)), out(ref.size(), kUnwritten);
  for (int64_t p = 0; p < paths; ++p) {  // CPU loop (native/ops/philox.cpp)
    const uint64_t gp = static_cast<uint64_t>(path_offset + p);
    double* row = ref.data() + p * steps;
    double z[4];
    for (int64_t s = 0; s < steps; s += 4) {
      const Philox4x32 b = philox4x32_10(static_cast<uint32_t>(s >> 2), static_cast<uint32_t>(gp),
                                         static_cast<uint32_t>(gp >> 32), st, k0, k1);
      philox_box_muller4(b, z);
      const int64_t m = steps - s < 4 ? steps - s : 4;
      for (int64_t j = 0; j < m; ++j) row[s + j] = z[j];
    }
  }
  NormalGeom g{steps, (steps + 3) / 4, static_cast<uint64_t>(path_offset), k0, k1, st};
  int64_t next = 0;
  normal_plan(g, paths, items_per_chunk, [&](const ItemChunk& c) {
    CHECK(c.e0 == next, "normal chunks not contiguous");
    next = c.e1;
    std::vector<double> dbuf(static_cast<size_t>(c.e1 - c.e0), kUnwritten);
    for (int64_t i = 0; i < c.t1 - c.t0; ++i) {  // kernel body
      double z[4];
      int64_t elem = 0;
      const int m = normal_item(g, c.t0 + i, z, &elem);
      for (int j = 0; j < m; ++j) {
        CHECK(elem - c.e0 + j < c.e1 - c.e0, "normal write outside chunk");
        dbuf.at(static_cast<size_t>(elem - c.e0 + j)) = z[j];
      }
    }
    std::memcpy(&out[c.e0], dbuf.data(), dbuf.size() * 8);
  });
  CHECK(next == paths * steps, "normal chunks cover %lld of %lld", (long long)next, (long long)(paths * steps));
  CHECK(std::memcmp(out.data(), ref.data(), ref.size() * 8) == 0, "philoxNormal offset=%lld paths=%lld steps=%lld",
        (long long)path_offset, (long long)paths, (long long)steps);
}

// ---- ta: the device path of kernels/ta.cu on the host ------------------------------------
namespace ta_emul {
using ScratchFn = int64_t (*)(int64_t, const double*);
#define NEURION_EMUL_META(ind) ta::ta_##ind##_meta(),
#define NEURION_EMUL_SCRATCH(ind) &ta::ta_##ind##_scratch,
const ta::TaMeta kMeta[] = {NEURION_TA_LIST(NEURION_EMUL_META)};
const ScratchFn kScratch[] = {NEURION_TA_LIST(NEURION_EMUL_SCRATCH)};
#undef NEURION_EMUL_META
#undef NEURION_EMUL_SCRATCH
static_assert(sizeof(kMeta) / sizeof(kMeta[0]) == static_cast<size_t>(kTaCount), "TaId covers the list");

bool same_bits_or_nan(double a, double b) {
  if (a != a || b != b) return a != a && b != b;
  return std::memcmp(&a, &b, 8) == 0;
}
double snan() {
  const uint64_t b = 0x7ff4dead5eed0badULL;
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}
}  // namespace ta_emul

// Returns false when the indicator cannot run on `cols` bars (a parameter's range is empty).
static bool test_ta(std::mt19937_64& rng, int id, int64_t rows, int64_t cols, int64_t budget_bytes) {
  using namespace ta_emul;
  const ta::TaMeta& m = kMeta[id];
  double p[ta::kMaxParams] = {};
  for (int k = 0; k < m.n_param; ++k) {  // defaults, clipped to the series length
    const ta::TaParam& d = m.params[k];
    const double hi = d.max_is_length && static_cast<double>(cols) < d.max ? static_cast<double>(cols) : d.max;
    if (hi < d.min) return false;
    p[k] = d.def < d.min ? d.min : d.def > hi ? hi : d.def;
  }
  const int64_t scratch = kScratch[id](cols, p);
  std::normal_distribution<double> z(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::vector<std::vector<double>> in(static_cast<size_t>(m.n_in), std::vector<double>(static_cast<size_t>(rows * cols)));
  for (auto& a : in) {
    double v = 100.0;
    for (auto& x : a) {
      v += z(rng);
      x = u(rng) < 0.01 ? std::numeric_limits<double>::quiet_NaN() : v;
    }
  }
  // Reference: the CPU table's per-row call (native/ta/table.cpp run_rows), zeroed scratch.
  std::vector<std::vector<double>> ref(static_cast<size_t>(m.n_out), std::vector<double>(static_cast<size_t>(rows * cols)));
  for (int64_t r = 0; r < rows; ++r) {
    std::vector<double> sc(static_cast<size_t>(scratch > 0 ? scratch : 0));
    ta::TaRow row{};
    for (int k = 0; k < m.n_in; ++k) row.in[k] = in[static_cast<size_t>(k)].data() + r * cols;
    for (int k = 0; k < m.n_out; ++k) row.out[k] = ref[static_cast<size_t>(k)].data() + r * cols;
    row.n = cols;
    row.p = p;
    row.scratch = sc.data();
    ta_dispatch(id, row);
  }
  // Device path: kernels/ta.cu's chunk loop, arena and kernel body.
  TaLaunch L{};
  L.n_in = m.n_in;
  L.n_out = m.n_out;
  L.cols = cols;
  for (int k = 0; k < ta::kMaxParams; ++k) L.p[k] = p[k];
  L.scratch_per_row = scratch > 0 ? scratch : 0;
  const int64_t rc = ta_rows_per_chunk(rows, cols, m.n_in, m.n_out, L.scratch_per_row, budget_bytes);
  const int64_t arena_n = ta_layout(L, nullptr, rc);
  CHECK(rc == 1 || arena_n * 8 <= budget_bytes, "ta %s: chunk of %lld rows exceeds the budget", m.name, (long long)rc);
  std::vector<double> arena(static_cast<size_t>(arena_n), ta_emul::snan());  // exact size: ASan sees overruns
  ta_layout(L, arena.data(), rc);
  std::vector<std::vector<double>> out(static_cast<size_t>(m.n_out),
                                       std::vector<double>(static_cast<size_t>(rows * cols), kUnwritten));
  int64_t next = 0;
  ta_plan(rows, rc, [&](const TaChunk& c) {
    CHECK(c.r0 == next && c.rows >= 1 && c.rows <= rc, "ta plan: chunk [%lld, +%lld)", (long long)c.r0, (long long)c.rows);
    next = c.r0 + c.rows;
    const size_t n = static_cast<size_t>(c.rows * cols);
    for (int k = 0; k < m.n_in; ++k)
      std::memcpy(const_cast<double*>(L.in[k]), in[static_cast<size_t>(k)].data() + c.r0 * cols, n * 8);
    L.rows = c.rows;
    const TaLaunch launch = L;  // the kernel's by-value parameter
    double lp[ta::kMaxParams];
    for (int k = 0; k < ta::kMaxParams; ++k) lp[k] = launch.p[k];
    // Threads run concurrently on the device: every row's input, output and scratch slices
    // must lie inside the arena and be pairwise disjoint (inputs only read: may not overlap
    // anything written either).
    std::vector<std::pair<const double*, int64_t>> spans;
    for (int64_t r = 0; r < launch.rows; ++r) {
      const ta::TaRow row = ta_make_row(launch, lp, r);
      for (int k = 0; k < m.n_in; ++k) spans.push_back({row.in[k], cols});
      for (int k = 0; k < m.n_out; ++k) spans.push_back({row.out[k], cols});
      if (L.scratch_per_row > 0) spans.push_back({row.scratch, L.scratch_per_row});
    }
    std::sort(spans.begin(), spans.end());
    for (size_t j = 0; j < spans.size(); ++j) {
      CHECK(spans[j].first >= arena.data() && spans[j].first + spans[j].second <= arena.data() + arena.size(),
            "ta %s: a row slice lies outside the arena", m.name);
      if (j > 0) CHECK(spans[j - 1].first + spans[j - 1].second <= spans[j].first, "ta %s: row slices overlap", m.name);
    }
    for (int64_t r = 0; r < launch.rows; ++r) ta_dispatch(id, ta_make_row(launch, lp, r));
    for (int k = 0; k < m.n_out; ++k) std::memcpy(out[static_cast<size_t>(k)].data() + c.r0 * cols, L.out[k], n * 8);
  });
  CHECK(next == rows, "ta plan covers %lld of %lld rows", (long long)next, (long long)rows);
  for (int k = 0; k < m.n_out; ++k) {
    for (int64_t i = 0; i < rows * cols; ++i) {
      const double a = out[static_cast<size_t>(k)][static_cast<size_t>(i)], b = ref[static_cast<size_t>(k)][static_cast<size_t>(i)];
      if (a == kUnwritten || !ta_emul::same_bits_or_nan(a, b)) {
        CHECK(false, "ta %s %lldx%lld budget=%lld output %s[%lld]: device path %.17g, CPU %.17g", m.name, (long long)rows,
              (long long)cols, (long long)budget_bytes, m.outputs[k], (long long)i, a, b);
        break;
      }
      uint64_t bits;
      std::memcpy(&bits, &a, 8);
      if (bits == 0x7ff4dead5eed0badULL) {
        CHECK(false, "ta %s output %s[%lld] never written", m.name, m.outputs[k], (long long)i);
        break;
      }
    }
  }
  return true;
}

int main() {
  std::mt19937_64 rng(20240601);
  int cases = 0;
  // Shapes x periods x budgets: whole matrix, row groups, row pieces (incl. halo > budget).
  const int64_t shapes[][2] = {{1, 1}, {1, 7}, {3, 5}, {1, 1000}, {4, 3001}, {37, 64}, {200, 13}, {2, 20000}};
  const int64_t periods[] = {1, 2, 3, 9, 10, 64, 129, 185, 200, 1000, 5000};
  const int64_t budgets[] = {int64_t{1} << 40, 4096, 700, 100, 16};
  for (auto& sh : shapes) {
    for (int64_t p : periods) {
      if (p > sh[1]) continue;
      for (int64_t e : budgets) {
        if (e < 1000 && sh[0] * sh[1] > 5000) continue;  // thousands of tiny chunks: slow under ASan
        for (int tiled = 0; tiled < 2; ++tiled) {
          test_sma(rng, sh[0], sh[1], p, e, tiled != 0, 0.0);
          test_sma(rng, sh[0], sh[1], p, e, tiled != 0, 0.02);
          cases += 2;
        }
      }
    }
  }
  const uint32_t ctrs[][4] = {{0, 0, 0, 0},
                              {0xfffffff0u, 0, 0, 0},
                              {0xfffffff0u, 0xffffffffu, 0, 0},
                              {0xfffffff0u, 0xffffffffu, 0xffffffffu, 5},
                              {0xfffffff0u, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                              {1, 2, 3, 4}};
  for (auto& c : ctrs) {
    for (int64_t chunk : {int64_t{1}, int64_t{3}, int64_t{64}, int64_t{1} << 30}) {
      test_philox_raw(c, 100, chunk);
      ++cases;
    }
  }
  // Carry through the 64-bit chunk offset itself.
  {
    uint32_t c[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0};
    uint32_t r[4];
    philox_ctr_add(c, 1, r);
    CHECK(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 1, "carry into word 3");
    philox_ctr_add(c, uint64_t{1} << 33, r);
    CHECK(r[0] == 0xffffffffu && r[1] == 1 && r[2] == 0 && r[3] == 1, "64-bit offset carry");
    ++cases;
  }
  const int64_t nshapes[][3] = {{0, 1, 1}, {0, 3, 4}, {5, 7, 9}, {(int64_t{1} << 32) - 2, 4, 13}, {123, 17, 1}};
  for (auto& s : nshapes) {
    for (int64_t items : {int64_t{1}, int64_t{2}, int64_t{5}, int64_t{1} << 30}) {
      test_philox_normal(s[0], s[1], s[2], items);
      ++cases;
    }
  }
  // ta: every indicator, shapes x budgets (whole call, a few rows, one row, below one row).
  int ta_cases = 0;
  for (int id = 0; id < static_cast<int>(kTaCount); ++id) {
    const int64_t tshapes[][2] = {{1, 1}, {3, 7}, {5, 64}, {9, 300}};
    for (auto& sh : tshapes) {
      for (int64_t budget : {int64_t{1} << 40, int64_t{3} * 8 * 300 * 14, int64_t{16}}) {
        if (test_ta(rng, id, sh[0], sh[1], budget)) ++ta_cases;
      }
    }
  }
  cases += ta_cases;
  // mc.simulate's GPU histogram sums: integer (fixed-point) bin positions rebuilt on the host
  // equal the float64 sums within 1e-9 relative, and do not depend on the order of the adds.
  {
    std::uniform_real_distribution<double> val(20.0, 400.0);
    const mc::AccConfig cfg = [] {
      const double spec[8] = {4096, 20, 400, 1024, 1, NAN, NAN, NAN};
      return mc::acc_config(spec, 100.0);
    }();
    std::vector<double> vals(200000);
    for (auto& v : vals) v = val(rng);
    for (int order = 0; order < 2; ++order) {
      if (order == 1) std::shuffle(vals.begin(), vals.end(), rng);
      std::vector<unsigned long long> cnt(static_cast<size_t>(cfg.bins)), fr(static_cast<size_t>(cfg.bins));
      std::vector<double> ref(static_cast<size_t>(cfg.bins));
      for (double v : vals) {
        const int64_t b = mc::acc_bin(v, cfg.lo, cfg.scale, cfg.bins);
        if (b < 0 || b >= cfg.bins) continue;
        ++cnt[static_cast<size_t>(b)];
        fr[static_cast<size_t>(b)] += mc_bin_frac(v, cfg.lo, cfg.scale, b);
        ref[static_cast<size_t>(b)] += v;
      }
      for (int64_t b = 0; b < cfg.bins; ++b) {
        const double got = mc_bin_sum(static_cast<double>(cnt[static_cast<size_t>(b)]), fr[static_cast<size_t>(b)], cfg.lo, cfg.scale, b);
        const double want = ref[static_cast<size_t>(b)];
        CHECK(std::fabs(got - want) <= 1e-9 * std::fabs(want) + 1e-12, "mc bin sum %lld: %.17g vs %.17g", static_cast<long long>(b), got, want);
      }
      ++cases;
    }
  }
  if (failures) {
    std::printf("emulate: %d failure(s) in %d cases\n", failures, cases);
    return 1;
  }
  std::printf("emulate: %d cases OK (sma tiled/direct + chunk plans, philox4x32, philoxNormal, ta: %d indicators, %d cases)\n",
              cases, static_cast<int>(kTaCount), ta_cases);
  return 0;
}
