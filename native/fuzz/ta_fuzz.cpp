// Sanitizer fuzz of the indicator kernels (native/ta/kernels/*.h through native/ta/table.cpp).
// Standalone C++ (no node). Build and run with native/fuzz/run.sh, or by hand:
//
//   g++ -std=c++17 -O1 -g -fno-omit-frame-pointer -ffp-contract=off -pthread
//       -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all
//       -Inode_modules/node-addon-api -I/usr/include/node      (table.cpp includes napi.h)
//       native/fuzz/ta_fuzz.cpp native/ta/table.cpp -o /tmp/ta_fuzz
//   /tmp/ta_fuzz --iterations 20000 --seed 123
//
// Every iteration (its own RNG, seeded from (seed, iteration), so any iteration replays
// alone with --only I) picks an indicator from the table, a shape (rows 1..4, cols
// 1..3000, tiny cols often), VALID parameters (random within each TaParam range, the
// series length for max_is_length, often exactly min / max / default) and inputs (random
// walks, constants, zeros, negatives, subnormal and huge magnitudes, ties, with NaN / +Inf /
// -Inf sprinkled in or leading NaN blocks), then:
//
//   A. run_rows over the [rows x cols] matrices (1-3 threads), every input and output buffer
//      allocated at exactly rows * cols doubles (ASan sees any overrun past the matrix;
//      run_rows' scratch vector is exactly scratch(n, p) doubles);
//   B. each row again, calling the kernel directly (own table expanded from list.h, in
//      the same order, which is also checked) on buffers of exactly cols doubles per row and
//      a scratch buffer of exactly scratch(n, p) doubles filled with garbage (signalling NaNs
//      or huge values): catches reads/writes into a neighbouring row, and results that
//      depend on scratch contents (run_rows' scratch starts zeroed and is reused across rows,
//      the CUDA addon's is uninitialised device memory).
//
// Checks (failures are printed with a one-line replay command):
//   - no sanitizer report (ASan: out-of-bounds / use-after-free; UBSan: signed overflow,
//     out-of-range float->int casts, misaligned/null access, ...): the process dies there,
//     after printing the case it was running;
//   - every output element written (outputs are pre-filled with a signalling-NaN sentinel
//     bit pattern; none may remain);
//   - outputs at i < lookback are NaN;
//   - inputs unchanged;
//   - B equals A row by row (NaN == NaN);
//   - table sanity at start-up: counts within kMax*, unique names, min <= def <= max,
//     lookback >= 0 and scratch >= 0 at edge parameters (UBSan watches the arithmetic);
// and warns (does not fail) when, on clean data (consistent positive OHLCV random walks),
// an output is NaN at index lookback: the lookback is then probably too small.
//
// The fused feature kernel (native/ta/features.h, `ta.features`) is the pseudo-indicator
// "features" (about 10% of the iterations; --indicators features for it alone): a random
// valid feature set (1-12 features, sometimes up to 64, any menu entry, parameters as above),
// a shape and inputs as above (all five OHLCV arrays), then
//   A. features_cpu (the CPU core: tiles of kFeatureCpuTile bars, 1-3 threads) over exactly
//      sized matrices, float64 and float32 out;
//   B. each row alone through features_row<double, 1> (the CUDA kernel's per-row path: one bar
//      at a time) on exactly sized row buffers and a garbage-filled scratch of exactly
//      features_scratch doubles;
//   C. the batch composition: each feature's indicator kernels through the table (run_rows)
//      plus its transform, as the kernel computed it before the one-pass design;
// and checks A == B == C bit for bit (NaN == NaN), float32 A == (float) float64 A, every output
// written, NaN before each feature's lookback, inputs untouched.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../ta/features.h"
#include "../ta/list.h"
#include "../ta/table.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__has_include)
#if __has_include(<sanitizer/common_interface_defs.h>)
#include <sanitizer/common_interface_defs.h>
#define NEURION_FUZZ_DEATH_CALLBACK 1
#endif
#endif
#endif

using namespace neurion::ta;

namespace {

// ---- the kernels, expanded from the list exactly as table.cpp does ----------------------
using Kernel = void (*)(const TaRow&);
struct Direct {
  TaMeta meta;
  Kernel fn;
};
const std::vector<Direct>& direct_table() {
#define NEURION_FUZZ_ENTRY(name) Direct{ta_##name##_meta(), ta_##name},
  static const std::vector<Direct> t = {NEURION_TA_LIST(NEURION_FUZZ_ENTRY)};
#undef NEURION_FUZZ_ENTRY
  return t;
}

// Signalling NaN with a payload no arithmetic produces (quiet NaNs have bit 51 set).
constexpr uint64_t kSentinelBits = 0x7ff4dead5eed0badULL;
double sentinel() {
  double d;
  std::memcpy(&d, &kSentinelBits, 8);
  return d;
}
bool is_sentinel(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b == kSentinelBits;
}
uint64_t bits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Exactly-sized heap buffer (new double[n]: ASan knows its exact extent).
struct Buf {
  std::unique_ptr<double[]> p;
  int64_t n = 0;
  explicit Buf(int64_t count) : p(count > 0 ? new double[static_cast<size_t>(count)] : nullptr), n(count) {}
  double* data() const { return p.get(); }
  void fill(double v) { for (int64_t i = 0; i < n; ++i) p[i] = v; }
};

// The case being run, printed if a sanitizer kills the process.
char g_case[2048] = "(start-up checks)";
void on_death() {
  std::fprintf(stderr, "\nta_fuzz: sanitizer report while running: %s\n", g_case);
  std::fflush(stderr);
}

struct Options {
  int64_t iterations = 20000;
  uint64_t seed = 0;
  bool seed_given = false;
  int shard = 0, shards = 1;
  int64_t only = -1;
  std::set<std::string> names, excluded;
  double max_seconds = 0;
  int max_print = 20;
};

constexpr int kFeaturesEntry = -1;  // the pool entry of the fused feature kernel

struct Stats {
  int64_t runs = 0, skipped = 0, failures = 0, warnings = 0, all_nan = 0, elements = 0;
};

std::string fmt_params(const std::vector<double>& p) {
  std::string s = "[";
  for (size_t k = 0; k < p.size(); ++k) {
    char b[40];
    std::snprintf(b, sizeof b, "%s%.17g", k ? ", " : "", p[k]);
    s += b;
  }
  return s + "]";
}

const char* kModeNames[] = {"walk", "const", "zeros", "negwalk", "tiny", "huge", "spiky", "ties", "ohlcv"};  // ties: -0, 0, 1, 2
enum Mode { kWalk, kConst, kZeros, kNegWalk, kTiny, kHuge, kSpiky, kTies, kOhlcv, kModes };

// ---- parameter generation -------------------------------------------------------------
double pick_param(std::mt19937_64& rng, const TaParam& d, double hi) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const double lo = d.min;
  const double r = u(rng);
  if (r < 0.15) return lo;
  if (r < 0.30) return hi;
  if (r < 0.40 && d.def >= lo && d.def <= hi) return d.def;
  if (d.integer) {
    const double span = hi - lo;
    double v;
    if (span <= 64 || u(rng) < 0.3) {
      v = lo + std::floor(u(rng) * (std::min(span, 1e15) + 1));
    } else {  // log-uniform offset: small periods are the common case, large ones still come up
      v = lo + std::floor(std::exp(u(rng) * std::log(std::min(span, 1e15) + 1.0))) - 1.0;
    }
    return std::min(hi, std::max(lo, v));
  }
  const double r2 = u(rng);
  if (r2 < 0.1 && lo <= 0 && hi >= 0) return 0.0;
  const double span = hi - lo;
  if (std::isfinite(span) && span <= 1e6) return std::min(hi, lo + u(rng) * span);
  // Huge range: mostly moderate magnitudes, sometimes anywhere in the range.
  if (r2 < 0.7) {
    const double m = std::exp(u(rng) * std::log(1e4)) - 1.0;
    const double v = u(rng) < 0.5 ? -m : m;
    if (v >= lo && v <= hi) return v;
  }
  const double m = std::exp(u(rng) * std::log(std::max(std::fabs(lo), std::fabs(hi))));
  const double v = u(rng) < 0.5 ? -m : m;
  return std::min(hi, std::max(lo, v));
}

// ---- input generation -----------------------------------------------------------------
struct InputPlan {
  int mode;
  double nan_rate, inf_rate;
  int64_t lead_nan;
};

void gen_series(std::mt19937_64& rng, double* x, int64_t n, const InputPlan& ip) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  double v = 1.0 + u(rng) * 200.0;
  const double c = u(rng) < 0.3 ? 0.0 : (u(rng) - 0.5) * 1e3;
  for (int64_t i = 0; i < n; ++i) {
    switch (ip.mode) {
      case kWalk: v += z(rng); x[i] = v; break;
      case kConst: x[i] = c; break;
      case kZeros: x[i] = 0.0; break;
      case kNegWalk: v += z(rng); x[i] = -std::fabs(v) - 1e-3; break;
      case kTiny: v += z(rng); x[i] = v * 1e-310; break;  // subnormals
      case kHuge: v += z(rng); x[i] = v * 1e306; break;   // sums overflow to +-Inf
      case kSpiky: x[i] = u(rng) < 0.1 ? (u(rng) < 0.5 ? -1e9 : 1e9) : z(rng); break;
      case kTies: {  // -0, +0, 1, 2: ties, and signed zeros (extremes and ratios must treat them as the kernels do)
        const int t = static_cast<int>(u(rng) * 4.0);
        x[i] = t == 0 ? -0.0 : static_cast<double>(t - 1);
        break;
      }
      default: v += z(rng); x[i] = v; break;
    }
  }
  for (int64_t i = 0; i < n; ++i) {
    if (ip.nan_rate > 0 && u(rng) < ip.nan_rate) x[i] = std::numeric_limits<double>::quiet_NaN();
    else if (ip.inf_rate > 0 && u(rng) < ip.inf_rate)
      x[i] = u(rng) < 0.5 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  for (int64_t i = 0; i < ip.lead_nan && i < n; ++i) x[i] = std::numeric_limits<double>::quiet_NaN();
}

// Consistent positive bars for the clean check: base walk b, open/close around b, high >= both,
// low <= both (low > 0), volume > 0, anything else (e.g. a second series) a walk.
void gen_ohlcv_row(std::mt19937_64& rng, const TaMeta& m, double* const* row, int64_t n) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> z(0.0, 1.0);
  double b = 50.0 + u(rng) * 100.0;
  for (int64_t i = 0; i < n; ++i) {
    b = std::max(1.0, b + z(rng));
    const double o = b + z(rng) * 0.5, c = b + z(rng) * 0.5;
    const double h = std::max(o, c) + std::fabs(z(rng)) * 0.5, l = std::max(0.01, std::min(o, c) - std::fabs(z(rng)) * 0.5);
    for (int k = 0; k < m.n_in; ++k) {
      const std::string nm = m.inputs[k];
      double v;
      if (nm == "open") v = std::max(o, l);
      else if (nm == "high") v = h;
      else if (nm == "low") v = l;
      else if (nm == "close") v = std::max(c, l);
      else if (nm == "volume" || nm == "vol") v = 1000.0 + u(rng) * 1e6;
      else if (k == 0) v = b;
      else v = 50.0 + b * (0.5 + 0.1 * k) + z(rng);  // a second, correlated series
      row[k][i] = v;
    }
  }
}

bool same_value(double a, double b) { return (a != a && b != b) || bits(a) == bits(b); }

// ---- start-up checks -------------------------------------------------------------------
int table_checks() {
  int bad = 0;
  auto fail = [&](const std::string& s) {
    std::printf("FAIL table: %s\n", s.c_str());
    ++bad;
  };
  const auto& dt = direct_table();
  if (static_cast<int>(dt.size()) != count()) fail("list.h expands to " + std::to_string(dt.size()) + " entries, table.cpp has " + std::to_string(count()));
  std::set<std::string> seen;
  for (int i = 0; i < count(); ++i) {
    const TaMeta& m = meta_at(i);
    const std::string nm = m.name ? m.name : "(null)";
    std::snprintf(g_case, sizeof g_case, "table check of %s (index %d)", nm.c_str(), i);
    if (i < static_cast<int>(dt.size()) && nm != dt[static_cast<size_t>(i)].meta.name)
      fail("index " + std::to_string(i) + ": table.cpp has " + nm + ", list.h order has " + dt[static_cast<size_t>(i)].meta.name);
    if (!seen.insert(nm).second) fail(nm + ": duplicate name");
    if (m.n_in < 1 || m.n_in > kMaxInputs) fail(nm + ": n_in out of range");
    if (m.n_out < 1 || m.n_out > kMaxOutputs) fail(nm + ": n_out out of range");
    if (m.n_param < 0 || m.n_param > kMaxParams) fail(nm + ": n_param out of range");
    for (int k = 0; k < m.n_in && k < kMaxInputs; ++k) if (!m.inputs[k]) fail(nm + ": null input name");
    for (int k = 0; k < m.n_out && k < kMaxOutputs; ++k) if (!m.outputs[k]) fail(nm + ": null output name");
    std::vector<double> def(static_cast<size_t>(std::max(m.n_param, 0)));
    for (int k = 0; k < m.n_param && k < kMaxParams; ++k) {
      const TaParam& d = m.params[k];
      if (!d.name) { fail(nm + ": null parameter name"); continue; }
      if (!(d.min <= d.max)) fail(nm + "." + d.name + ": min > max");
      if (!(d.def >= d.min && d.def <= d.max)) fail(nm + "." + d.name + ": default outside [min, max]");
      if (d.integer && (std::floor(d.min) != d.min || std::floor(d.def) != d.def)) fail(nm + "." + d.name + ": integer parameter with a fractional min/default");
      def[static_cast<size_t>(k)] = d.def;
    }
    if (m.n_param < 0 || m.n_param > kMaxParams) continue;
    // Edge parameter sets under the uncapped range (taLookback validates against 2^40 bars):
    // defaults, each parameter at min and max, all at min, all at max.
    std::vector<std::vector<double>> sets = {def};
    std::vector<double> lo = def, hi = def;
    for (int k = 0; k < m.n_param; ++k) {
      std::vector<double> a = def, b = def;
      a[static_cast<size_t>(k)] = m.params[k].min;
      b[static_cast<size_t>(k)] = m.params[k].max;
      lo[static_cast<size_t>(k)] = m.params[k].min;
      hi[static_cast<size_t>(k)] = m.params[k].max;
      sets.push_back(a);
      sets.push_back(b);
    }
    sets.push_back(lo);
    sets.push_back(hi);
    for (const auto& p : sets) {
      if (!params_error(m, p.data(), int64_t{1} << 40).empty()) continue;
      std::snprintf(g_case, sizeof g_case, "lookback/scratch of %s params=%s", nm.c_str(), fmt_params(p).c_str());
      const int64_t lb = lookback_at(i, p.data());
      if (lb < 0) fail(nm + ": lookback " + std::to_string(lb) + " < 0 at params " + fmt_params(p));
      for (int64_t n : {int64_t{1}, int64_t{3000}}) {
        if (!params_error(m, p.data(), n).empty()) continue;
        const int64_t s = scratch_at(i, n, p.data());
        if (s < 0) fail(nm + ": scratch(" + std::to_string(n) + ") = " + std::to_string(s) + " < 0 at params " + fmt_params(p));
      }
    }
  }
  return bad;
}

// ---- the fused feature kernel -------------------------------------------------------------

// Feature f's values over one row by the batch composition (C above): its indicators through
// the CPU table, then the transform; NaN before the largest of their lookbacks.
std::vector<double> batch_feature(int id, const double* p, const double* const* x, int64_t n) {
  const double *o = x[0], *h = x[1], *l = x[2], *c = x[3], *v = x[4];
  int64_t lb = 0;
  std::deque<std::vector<double>> keep;  // the outputs, alive for the transform (stable addresses)
  // Runs indicator `name`; returns its outputs.
  auto call = [&](const char* name, std::vector<double> q, std::vector<const double*> ins) -> std::vector<const double*> {
    int idx = -1;
    const TaMeta* m = find_meta(name, &idx);
    if (!m) { std::fprintf(stderr, "ta_fuzz: no indicator %s\n", name); std::exit(2); }
    std::vector<double*> outs;
    for (int k = 0; k < m->n_out; ++k) {
      keep.emplace_back(static_cast<size_t>(n));
      outs.push_back(keep.back().data());
    }
    run_rows(idx, ins.data(), outs.data(), q.data(), 1, n, 1);
    lb = std::max(lb, lookback_at(idx, q.data()));
    return std::vector<const double*>(outs.begin(), outs.end());
  };
  std::vector<double> out(static_cast<size_t>(n));
  std::function<double(int64_t)> f;
  switch (id) {
    case kFeatLogReturn: { auto r = call("rocr", {p[0]}, {c}); f = [=](int64_t i) { return std::log(r[0][i]); }; break; }
    case kFeatRsi: { auto r = call("rsi", {p[0]}, {c}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    case kFeatAtrRatio: { auto r = call("atr", {p[0]}, {h, l, c}); f = [=](int64_t i) { return r[0][i] / c[i]; }; break; }
    case kFeatBbPercentB:
    case kFeatBbWidth: {
      auto r = call("bbands", {p[0], p[1], p[1], 0.0}, {c});
      const int k = id == kFeatBbPercentB ? 3 : 4;
      f = [=](int64_t i) { return r[k][i]; };
      break;
    }
    case kFeatMacdHist: { auto r = call("macd", {p[0], p[1], p[2]}, {c}); f = [=](int64_t i) { return r[2][i] / c[i]; }; break; }
    case kFeatAdx: { auto r = call("adx", {p[0]}, {h, l, c}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    case kFeatDiSpread: {
      auto a = call("plusDi", {p[0]}, {h, l, c});
      auto b = call("minusDi", {p[0]}, {h, l, c});
      f = [=](int64_t i) { return (a[0][i] - b[0][i]) / 100.0; };
      break;
    }
    case kFeatStochK: { auto r = call("stoch", {p[0], p[1], 0.0, 1.0, 0.0}, {h, l, c}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    case kFeatWillr: { auto r = call("willr", {p[0]}, {h, l, c}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    case kFeatCci: { auto r = call("cci", {p[0]}, {h, l, c}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    case kFeatObvSlope: {
      auto obv = call("obv", {}, {c, v});
      auto slope = call("linregSlope", {p[0]}, {obv[0]});
      auto vs = call("volumeSma", {p[0]}, {v});
      f = [=](int64_t i) { return slope[0][i] / vs[0][i]; };
      break;
    }
    case kFeatVolumeZ: { auto r = call("zscore", {p[0]}, {v}); f = [=](int64_t i) { return r[0][i]; }; break; }
    case kFeatCloseZ: { auto r = call("zscore", {p[0]}, {c}); f = [=](int64_t i) { return r[0][i]; }; break; }
    case kFeatVolCloseToClose: { auto r = call("volCloseToClose", {p[0], 1.0}, {o, h, l, c}); f = [=](int64_t i) { return r[0][i]; }; break; }
    case kFeatVolParkinson: { auto r = call("volParkinson", {p[0], 1.0}, {o, h, l, c}); f = [=](int64_t i) { return r[0][i]; }; break; }
    case kFeatVolGarmanKlass: { auto r = call("volGarmanKlass", {p[0], 1.0}, {o, h, l, c}); f = [=](int64_t i) { return r[0][i]; }; break; }
    case kFeatDonchianPos: {
      auto r = call("donchian", {p[0]}, {h, l});
      f = [=](int64_t i) {
        const double w = r[0][i] - r[2][i];
        return w == 0.0 ? 0.5 : (c[i] - r[2][i]) / w;
      };
      break;
    }
    case kFeatSmaRatio: { auto r = call("sma", {p[0]}, {c}); f = [=](int64_t i) { return c[i] / r[0][i] - 1.0; }; break; }
    case kFeatSmaCross: {
      auto a = call("sma", {p[0]}, {c});
      auto b = call("sma", {p[1]}, {c});
      f = [=](int64_t i) { return a[0][i] / b[0][i] - 1.0; };
      break;
    }
    case kFeatMfi: { auto r = call("mfi", {p[0]}, {h, l, c, v}); f = [=](int64_t i) { return r[0][i] / 100.0; }; break; }
    default: std::fprintf(stderr, "ta_fuzz: feature id %d not in the reference\n", id); std::exit(2);
  }
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = i < lb ? std::numeric_limits<double>::quiet_NaN() : f(i);
  return out;
}

constexpr uint32_t kSentinel32 = 0x7fa0dbadu;  // a signalling float NaN no arithmetic produces
bool is_sentinel32(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b == kSentinel32;
}
bool same_value32(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return (a != a && b != b) || x == y;
}

// One iteration of the "features" pseudo-indicator (see the header). Returns the number of
// failed checks (printed like the indicator cases, at most 3 lines).
int64_t features_case(std::mt19937_64& rng, int64_t it, const Options& o, int64_t& printed, Stats& st) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const FeatureDef* menu = feature_menu();
  const int64_t rows = 1 + static_cast<int64_t>(rng() % 4);
  const bool clean = u(rng) < 0.2;
  const int nf = u(rng) < 0.05 ? 1 + static_cast<int>(rng() % kMaxFeatures) : 1 + static_cast<int>(rng() % 12);
  std::vector<double> spec;
  int64_t cols = 0;
  bool ok = false;
  for (int attempt = 0; attempt < 8 && !ok; ++attempt) {
    const double r = u(rng);
    cols = r < 0.25 ? 1 + static_cast<int64_t>(rng() % 12)
           : r < 0.75 ? 13 + static_cast<int64_t>(rng() % 288)
                      : 301 + static_cast<int64_t>(rng() % 2700);
    spec.assign(static_cast<size_t>(nf) * kFeatureStride, 0.0);
    ok = true;
    for (int f = 0; f < nf && ok; ++f) {
      const int id = static_cast<int>(rng() % kFeatureCount);
      spec[static_cast<size_t>(f) * kFeatureStride] = id;
      const FeatureDef& d = menu[id];
      for (int k = 0; k < d.n_param; ++k) {
        const FeatureParamDef& q = d.params[k];
        const TaParam tp{q.name, q.def, q.min, q.max, q.integer, q.max_is_length};
        const double hi = q.max_is_length && static_cast<double>(cols) < q.max ? static_cast<double>(cols) : q.max;
        if (hi < q.min) { ok = false; break; }
        spec[static_cast<size_t>(f) * kFeatureStride + 1 + static_cast<size_t>(k)] = pick_param(rng, tp, hi);
      }
    }
  }
  if (!ok) { ++st.skipped; return 0; }
  const std::string serr = features_spec_error(spec.data(), static_cast<int64_t>(spec.size()), cols);
  std::string spec_s = "[";
  for (int f = 0; f < nf; ++f) {
    const double* e = spec.data() + f * kFeatureStride;
    const FeatureDef& d = menu[static_cast<int>(e[0])];
    std::string one = d.name;
    one += "(";
    for (int k = 0; k < d.n_param; ++k) {
      char b[40];
      std::snprintf(b, sizeof b, "%s%.17g", k ? "," : "", e[1 + k]);
      one += b;
    }
    spec_s += (f ? " " : "") + one + ")";
  }
  spec_s += "]";
  if (!serr.empty()) {
    std::printf("FAIL [iter %" PRId64 "] fuzz generator produced an invalid feature set %s: %s\n", it, spec_s.c_str(), serr.c_str());
    return 1;
  }
  const int64_t scratch = features_scratch(spec.data(), nf, cols);
  const int threads = 1 + static_cast<int>(rng() % 3);
  const int64_t len = rows * cols, total = len * nf;

  // Inputs: the five OHLCV matrices.
  std::vector<Buf> in;
  for (int k = 0; k < 5; ++k) in.emplace_back(len);
  std::string mode_s;
  if (clean) {
    static const TaMeta ohlcv{"features", 5, {"open", "high", "low", "close", "volume"}, 1, {"x"}, 0, {}};
    for (int64_t r = 0; r < rows; ++r) {
      double* rowp[5];
      for (int k = 0; k < 5; ++k) rowp[k] = in[static_cast<size_t>(k)].data() + r * cols;
      gen_ohlcv_row(rng, ohlcv, rowp, cols);
    }
    mode_s = "clean-ohlcv";
  } else {
    int shown = 0;
    for (int k = 0; k < 5; ++k) {
      for (int64_t r = 0; r < rows; ++r) {
        InputPlan ip{};
        ip.mode = static_cast<int>(rng() % (kModes - 1));
        if (u(rng) < 0.35) {
          const double rates[] = {0.001, 0.02, 0.2, 0.8};
          ip.nan_rate = rates[rng() % 4];
          ip.inf_rate = u(rng) < 0.5 ? rates[rng() % 3] : 0.0;
        }
        if (u(rng) < 0.1) ip.lead_nan = static_cast<int64_t>(rng() % static_cast<uint64_t>(cols + 1));
        if (u(rng) < 0.02) ip.lead_nan = cols;
        gen_series(rng, in[static_cast<size_t>(k)].data() + r * cols, cols, ip);
        if (shown++ < 8) {
          char b[96];
          std::snprintf(b, sizeof b, "%s%s%s%s", shown > 1 ? "," : "", kModeNames[ip.mode], ip.nan_rate > 0 ? "+nan/inf" : "",
                        ip.lead_nan > 0 ? "+leadnan" : "");
          mode_s += b;
        }
      }
    }
    mode_s += ",...";
  }
  std::snprintf(g_case, sizeof g_case,
                "[iter %" PRId64 "] features rows=%" PRId64 " cols=%" PRId64 " set=%s threads=%d scratch=%" PRId64
                " inputs=%s (replay: ta_fuzz --seed %" PRIu64 " --only %" PRId64 ")",
                it, rows, cols, spec_s.c_str(), threads, scratch, mode_s.c_str(), o.seed, it);
  std::vector<std::vector<double>> in_copy;
  for (auto& b : in) in_copy.emplace_back(b.data(), b.data() + len);

  int64_t case_fail = 0;
  auto fail = [&](const char* what, int f, int64_t r, int64_t i, double got, double want) {
    ++case_fail;
    if (case_fail == 1 && printed < o.max_print) std::printf("FAIL %s\n", g_case);
    if (case_fail <= 3 && printed < o.max_print)
      std::printf("     check: %s (feature %d \"%s\", row %" PRId64 ", bar %" PRId64 ": got %.17g [0x%016" PRIx64 "], other %.17g)\n",
                  what, f, f >= 0 ? menu[static_cast<int>(spec[static_cast<size_t>(f) * kFeatureStride])].name : "-", r, i, got,
                  bits(got), want);
  };

  // A. the CPU core, float64 and float32 out.
  Buf outA(total);
  outA.fill(sentinel());
  std::unique_ptr<float[]> outA32(total > 0 ? new float[static_cast<size_t>(total)] : nullptr);
  {
    float s32;
    std::memcpy(&s32, &kSentinel32, 4);
    for (int64_t k = 0; k < total; ++k) outA32[static_cast<size_t>(k)] = s32;
  }
  FeaturesJob job;
  for (int k = 0; k < 5; ++k) job.in[k] = in[static_cast<size_t>(k)].data();
  job.rows = rows;
  job.cols = cols;
  job.spec = spec.data();
  job.nf = nf;
  job.threads = threads;
  job.out = outA.data();
  job.f32 = false;
  features_cpu(job);
  job.out = outA32.get();
  job.f32 = true;
  features_cpu(job);
  for (int k = 0; k < 5; ++k)
    if (std::memcmp(in[static_cast<size_t>(k)].data(), in_copy[static_cast<size_t>(k)].data(), static_cast<size_t>(len) * 8) != 0)
      fail("input modified by the kernel", -1, -1, -1, 0, 0);
  std::vector<int64_t> lbs(static_cast<size_t>(nf));
  for (int f = 0; f < nf; ++f) lbs[static_cast<size_t>(f)] = feature_lookback(static_cast<int>(spec[static_cast<size_t>(f) * kFeatureStride]), spec.data() + f * kFeatureStride + 1);
  for (int64_t r = 0; r < rows; ++r) {
    // C. the batch composition of this row.
    const double* xr[5];
    for (int k = 0; k < 5; ++k) xr[k] = in_copy[static_cast<size_t>(k)].data() + r * cols;
    std::vector<std::vector<double>> ref;
    for (int f = 0; f < nf; ++f) ref.push_back(batch_feature(static_cast<int>(spec[static_cast<size_t>(f) * kFeatureStride]), spec.data() + f * kFeatureStride + 1, xr, cols));
    // B. the row alone, one bar at a time (the CUDA kernel's path).
    std::vector<Buf> rin;
    for (int k = 0; k < 5; ++k) {
      rin.emplace_back(cols);
      std::memcpy(rin.back().data(), xr[k], static_cast<size_t>(cols) * 8);
    }
    const double* rinp[5];
    for (int k = 0; k < 5; ++k) rinp[k] = rin[static_cast<size_t>(k)].data();
    Buf outB(cols * nf);
    outB.fill(sentinel());
    Buf sb(scratch);
    sb.fill((it + r) % 3 == 0 ? sentinel() : (it + r) % 3 == 1 ? 1.5e300 : -3.0);
    features_row<double, 1>(spec.data(), nf, rinp, cols, sb.data(), outB.data());
    for (int f = 0; f < nf; ++f) {
      bool unwritten = false, early = false, diffB = false, diffC = false, diff32 = false;
      for (int64_t i = 0; i < cols; ++i) {
        const size_t at = static_cast<size_t>((r * cols + i) * nf + f);
        const double a = outA.data()[at], b = outB.data()[i * nf + f], c = ref[static_cast<size_t>(f)][static_cast<size_t>(i)];
        const float a32 = outA32[at];
        if ((is_sentinel(a) || is_sentinel(b) || is_sentinel32(a32)) && !unwritten) {
          unwritten = true;
          fail("output never written (sentinel left): A, B or A float32", f, r, i, is_sentinel(a) ? b : a, 0);
          continue;
        }
        if (i < lbs[static_cast<size_t>(f)] && a == a && !early) { early = true; fail("non-NaN before the feature's lookback", f, r, i, a, static_cast<double>(lbs[static_cast<size_t>(f)])); }
        if (!same_value(a, c) && !diffC) { diffC = true; fail("fused (A) differs from the batch composition (C)", f, r, i, a, c); }
        if (!same_value(a, b) && !diffB) { diffB = true; fail("one bar at a time (B, the GPU's path) differs from the CPU tiles (A)", f, r, i, b, a); }
        if (!same_value32(a32, static_cast<float>(a)) && !diff32) { diff32 = true; fail("float32 out is not the float64 out rounded once", f, r, i, a32, a); }
      }
    }
  }
  ++st.runs;
  st.elements += total;
  if (case_fail) {
    if (printed < o.max_print) {
      if (case_fail > 3) std::printf("     ... %" PRId64 " more failed check(s) in this case\n", case_fail - 3);
      ++printed;
    }
    ++st.failures;
  }
  return case_fail;
}

// Start-up check of the streaming rolling extremes (stream::BlockExtreme) against the batch
// kernels' (vs::rolling_extreme for DONCHIAN, MomExt for STOCH / WILLR) on series of -0, +0,
// -1, 1: equal values, and the same zero's sign where +0 and -0 tie (each batch form breaks
// ties its own way; the fused features' values depend on it only through a -0 close, which
// the feature cases rarely draw, so it is checked here directly).
int extreme_checks() {
  std::mt19937_64 rng(20250301);
  int bad = 0;
  for (int it = 0; it < 3000 && bad < 5; ++it) {
    const int64_t n = 1 + static_cast<int64_t>(rng() % 120), p = 1 + static_cast<int64_t>(rng() % static_cast<uint64_t>(std::min<int64_t>(n, 25)));
    std::vector<double> x(static_cast<size_t>(n)), ref(static_cast<size_t>(n)), ring(static_cast<size_t>(p)), ext(static_cast<size_t>(4 * p));
    for (auto& v : x) {
      const int t = static_cast<int>(rng() % 4);
      v = t == 0 ? -0.0 : t == 1 ? 0.0 : (rng() % 2 ? 1.0 : -1.0);
    }
    for (int mx = 0; mx < 2; ++mx) {
      std::vector<double> r1(static_cast<size_t>(p)), r2(static_cast<size_t>(p));
      stream::Rings g1{r1.data(), 0}, g2{r2.data(), 0};
      stream::BlockExtreme<true, false> dmax;
      stream::BlockExtreme<false, false> dmin;
      stream::BlockExtreme<true, true> kmax;
      stream::BlockExtreme<false, true> kmin;
      MomExt<true> emax;
      MomExt<false> emin;
      if (mx) {
        vs::rolling_extreme<true>(x.data(), n, p, ref.data(), ring.data());
        dmax.init(g1, p);
        kmax.init(g2, p);
        emax.init(x.data(), 0, n, p, ext.data());
      } else {
        vs::rolling_extreme<false>(x.data(), n, p, ref.data(), ring.data());
        dmin.init(g1, p);
        kmin.init(g2, p);
        emin.init(x.data(), 0, n, p, ext.data());
      }
      for (int64_t i = 0; i < n; ++i) {
        double e;
        int64_t at;
        if (mx) emax.step(i, e, at); else emin.step(i, e, at);
        const double a = mx ? dmax.push(x[static_cast<size_t>(i)]) : dmin.push(x[static_cast<size_t>(i)]);
        const double b = mx ? kmax.push(x[static_cast<size_t>(i)]) : kmin.push(x[static_cast<size_t>(i)]);
        if (i < p - 1) continue;
        if (bits(a) != bits(ref[static_cast<size_t>(i)]) || bits(b) != bits(e)) {
          std::printf("FAIL stream::BlockExtreme (%s, n=%" PRId64 ", p=%" PRId64 ", bar %" PRId64 "): donchian form %g vs rolling_extreme %g, stoch form %g vs MomExt %g\n",
                      mx ? "max" : "min", n, p, i, a, ref[static_cast<size_t>(i)], b, e);
          ++bad;
          break;
        }
      }
    }
  }
  return bad;
}

}  // namespace

int main(int argc, char** argv) {
#ifdef NEURION_FUZZ_DEATH_CALLBACK
  __sanitizer_set_death_callback(on_death);
#endif
  Options o;
  int positional = 0;
  for (int a = 1; a < argc; ++a) {
    const std::string s = argv[a];
    auto next = [&]() -> std::string {
      if (a + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", s.c_str()); std::exit(2); }
      return argv[++a];
    };
    if (s == "--iterations" || s == "-n") o.iterations = std::stoll(next());
    else if (s == "--seed") { o.seed = std::stoull(next()); o.seed_given = true; }
    else if (s == "--shard") {
      const std::string v = next();
      if (std::sscanf(v.c_str(), "%d/%d", &o.shard, &o.shards) != 2 || o.shards < 1 || o.shard < 0 || o.shard >= o.shards) {
        std::fprintf(stderr, "--shard K/N with 0 <= K < N\n");
        return 2;
      }
    } else if (s == "--only") o.only = std::stoll(next());
    else if (s == "--indicators") {
      std::string v = next();
      size_t p0 = 0;
      while (p0 <= v.size()) {
        const size_t p1 = v.find(',', p0);
        const std::string nm = v.substr(p0, p1 == std::string::npos ? std::string::npos : p1 - p0);
        if (!nm.empty()) o.names.insert(nm);
        if (p1 == std::string::npos) break;
        p0 = p1 + 1;
      }
    } else if (s == "--exclude") {
      std::string v = next() + ",";
      for (size_t p0 = 0, p1; (p1 = v.find(',', p0)) != std::string::npos; p0 = p1 + 1)
        if (p1 > p0) o.excluded.insert(v.substr(p0, p1 - p0));
    } else if (s == "--max-seconds") o.max_seconds = std::stod(next());
    else if (s == "--max-print") o.max_print = std::stoi(next());
    else if (s == "-h" || s == "--help") {
      std::printf("usage: ta_fuzz [ITERATIONS [SEED]] [--iterations N] [--seed S] [--shard K/N] [--only I]\n"
                  "               [--indicators a,b] [--exclude a,b] [--max-seconds T] [--max-print K]\n");
      return 0;
    } else if (!s.empty() && s[0] != '-' && positional == 0) { o.iterations = std::stoll(s); ++positional; }
    else if (!s.empty() && s[0] != '-' && positional == 1) { o.seed = std::stoull(s); o.seed_given = true; ++positional; }
    else { std::fprintf(stderr, "unknown argument %s (try --help)\n", s.c_str()); return 2; }
  }
  if (o.only >= 0 && o.iterations <= o.only) o.iterations = o.only + 1;  // --only I runs iteration I whatever N says
  if (!o.seed_given) o.seed = static_cast<uint64_t>(std::chrono::system_clock::now().time_since_epoch().count()) % 1000000000ULL;

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int> pool;  // indicator indices to draw from; kFeaturesEntry: the fused feature kernel
  for (int i = 0; i < count(); ++i)
    if ((o.names.empty() || o.names.count(meta_at(i).name)) && !o.excluded.count(meta_at(i).name)) pool.push_back(i);
  const bool with_features = (o.names.empty() || o.names.count("features")) && !o.excluded.count("features");
  if (with_features) {  // about 10% of the draws
    const size_t w = std::max<size_t>(1, pool.size() / 9);
    for (size_t k = 0; k < w; ++k) pool.push_back(kFeaturesEntry);
  }
  for (const auto& nm : o.names) {
    int idx;
    if (nm != "features" && !find_meta(nm, &idx)) { std::fprintf(stderr, "unknown indicator %s\n", nm.c_str()); return 2; }
  }
  const int n_ind = static_cast<int>(std::count_if(pool.begin(), pool.end(), [](int i) { return i != kFeaturesEntry; }));
  std::printf("ta_fuzz: seed %" PRIu64 ", iterations %" PRId64 " (shard %d/%d), %d indicators%s:", o.seed, o.iterations, o.shard,
              o.shards, n_ind, with_features ? " + features" : "");
  for (int i : pool)
    if (i != kFeaturesEntry) std::printf(" %s", meta_at(i).name);
  std::printf("\n");
  std::fflush(stdout);

  int table_bad = table_checks();
  if (with_features) table_bad += extreme_checks();
  if (pool.empty()) { std::printf("ta_fuzz: no indicators\n"); return 1; }

  const auto& dt = direct_table();
  std::map<std::string, Stats> per;
  int64_t total_fail = table_bad, total_warn = 0, printed = 0, ran = 0, skipped = 0;
  bool out_of_time = false;

  for (int64_t it = 0; it < o.iterations; ++it) {
    if (o.only >= 0 && it != o.only) continue;
    if (o.only < 0 && it % o.shards != o.shard) continue;
    if (o.max_seconds > 0 &&
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() > o.max_seconds) {
      out_of_time = true;
      break;
    }
    std::mt19937_64 rng(splitmix(o.seed * 0x100000001b3ULL + static_cast<uint64_t>(it)));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const int idx = pool[static_cast<size_t>(rng() % pool.size())];
    if (idx == kFeaturesEntry) {
      Stats& fs = per["features"];
      const int64_t before = fs.runs;
      if (features_case(rng, it, o, printed, fs)) ++total_fail;
      if (fs.runs > before) ++ran;
      else ++skipped;
      continue;
    }
    const TaMeta& m = meta_at(idx);
    Stats& st = per[m.name];

    const int64_t rows = 1 + static_cast<int64_t>(rng() % 4);
    const bool clean = u(rng) < 0.2;
    std::vector<double> p(static_cast<size_t>(m.n_param));
    int64_t cols = 0;
    bool ok_params = false;
    for (int attempt = 0; attempt < 8 && !ok_params; ++attempt) {
      const double r = u(rng);
      cols = r < 0.25 ? 1 + static_cast<int64_t>(rng() % 12)
             : r < 0.75 ? 13 + static_cast<int64_t>(rng() % 288)
                        : 301 + static_cast<int64_t>(rng() % 2700);
      ok_params = true;
      for (int k = 0; k < m.n_param; ++k) {
        const TaParam& d = m.params[k];
        const double hi = d.max_is_length && static_cast<double>(cols) < d.max ? static_cast<double>(cols) : d.max;
        if (hi < d.min) { ok_params = false; break; }
        p[static_cast<size_t>(k)] = pick_param(rng, d, hi);
      }
    }
    if (!ok_params) { ++st.skipped; ++skipped; continue; }
    const std::string perr = params_error(m, p.data(), cols);
    if (!perr.empty()) {
      std::printf("FAIL [iter %" PRId64 "] fuzz generator produced invalid params for %s: %s\n", it, m.name, perr.c_str());
      ++total_fail;
      ++st.failures;
      continue;
    }
    const int64_t scratch = scratch_at(idx, cols, p.data());
    if (scratch > (int64_t{1} << 26)) { ++st.skipped; ++skipped; continue; }
    const int64_t lookback = lookback_at(idx, p.data());
    const int threads = 1 + static_cast<int>(rng() % 3);
    const int64_t len = rows * cols;

    // Inputs.
    std::vector<Buf> in;
    std::vector<std::string> modes;
    for (int k = 0; k < m.n_in; ++k) in.emplace_back(len);
    if (clean) {
      for (int64_t r = 0; r < rows; ++r) {
        double* rowp[kMaxInputs];
        for (int k = 0; k < m.n_in; ++k) rowp[k] = in[static_cast<size_t>(k)].data() + r * cols;
        gen_ohlcv_row(rng, m, rowp, cols);
      }
      modes.push_back("clean-ohlcv");
    } else {
      for (int k = 0; k < m.n_in; ++k) {
        for (int64_t r = 0; r < rows; ++r) {
          InputPlan ip{};
          ip.mode = static_cast<int>(rng() % (kModes - 1));
          if (u(rng) < 0.35) {
            const double rates[] = {0.001, 0.02, 0.2, 0.8};
            ip.nan_rate = rates[rng() % 4];
            ip.inf_rate = u(rng) < 0.5 ? rates[rng() % 3] : 0.0;
          }
          if (u(rng) < 0.1) ip.lead_nan = static_cast<int64_t>(rng() % static_cast<uint64_t>(cols + 1));
          if (u(rng) < 0.02) ip.lead_nan = cols;  // all NaN
          gen_series(rng, in[static_cast<size_t>(k)].data() + r * cols, cols, ip);
          char b[96];
          std::snprintf(b, sizeof b, "%s%s%s", kModeNames[ip.mode], ip.nan_rate > 0 ? "+nan/inf" : "",
                        ip.lead_nan > 0 ? "+leadnan" : "");
          modes.push_back(b);
        }
      }
    }
    std::string mode_s;
    for (size_t k = 0; k < modes.size() && k < 8; ++k) mode_s += (k ? "," : "") + modes[k];
    if (modes.size() > 8) mode_s += ",...";
    std::snprintf(g_case, sizeof g_case,
                  "[iter %" PRId64 "] %s rows=%" PRId64 " cols=%" PRId64 " params=%s threads=%d lookback=%" PRId64
                  " scratch=%" PRId64 " inputs=%s (replay: ta_fuzz --seed %" PRIu64 " --only %" PRId64 ")",
                  it, m.name, rows, cols, fmt_params(p).c_str(), threads, lookback, scratch, mode_s.c_str(), o.seed, it);

    std::vector<std::vector<double>> in_copy;
    for (auto& b : in) in_copy.emplace_back(b.data(), b.data() + len);

    int64_t case_fail = 0;
    auto fail = [&](const char* what, int k, int64_t r, int64_t i, double got, double want) {
      ++case_fail;
      // At most 3 lines per case (the first failing checks), o.max_print cases in all.
      if (case_fail == 1 && printed < o.max_print) std::printf("FAIL %s\n", g_case);
      if (case_fail <= 3 && printed < o.max_print)
        std::printf("     check: %s (output %d \"%s\", row %" PRId64 ", col %" PRId64 ": got %.17g [0x%016" PRIx64
                    "], other %.17g)\n",
                    what, k, k >= 0 && k < m.n_out ? m.outputs[k] : "-", r, i, got, bits(got), want);
    };

    // A. run_rows over exactly-sized matrices.
    std::vector<Buf> out;
    for (int k = 0; k < m.n_out; ++k) {
      out.emplace_back(len);
      out.back().fill(sentinel());
    }
    {
      std::vector<const double*> pin;
      std::vector<double*> pout;
      for (auto& b : in) pin.push_back(b.data());
      for (auto& b : out) pout.push_back(b.data());
      run_rows(idx, pin.data(), pout.data(), p.data(), rows, cols, threads);
    }
    if (lookback < 0) fail("lookback < 0", -1, -1, -1, static_cast<double>(lookback), 0);
    for (int k = 0; k < m.n_in; ++k)
      if (std::memcmp(in[static_cast<size_t>(k)].data(), in_copy[static_cast<size_t>(k)].data(), static_cast<size_t>(len) * 8) != 0)
        fail("input modified by the kernel", -1, -1, -1, 0, 0);
    for (int k = 0; k < m.n_out; ++k) {
      const double* y = out[static_cast<size_t>(k)].data();
      for (int64_t r = 0; r < rows; ++r) {
        bool unwritten = false, early = false;
        for (int64_t i = 0; i < cols; ++i) {
          const double v = y[r * cols + i];
          if (is_sentinel(v) && !unwritten) { unwritten = true; fail("output element never written (sentinel left)", k, r, i, v, 0); }
          else if (i < lookback && v == v && !early) { early = true; fail("non-NaN output before lookback", k, r, i, v, static_cast<double>(lookback)); }
        }
        if (clean && lookback >= 0 && lookback < cols && y[r * cols + lookback] != y[r * cols + lookback]) {
          // NaN at index lookback on clean data. A row that is NaN throughout is "undefined for
          // these parameters" (e.g. MA type 7, MAMA, which ma_row does not support): counted, not
          // printed. NaN at lookback but a value later suggests the lookback is too small.
          bool later = false;
          for (int64_t i = lookback + 1; i < cols && !later; ++i) later = y[r * cols + i] == y[r * cols + i];
          if (!later) {
            ++st.all_nan;
          } else {
            ++st.warnings;
            ++total_warn;
            if (st.warnings <= 2)
              std::printf("warn %s\n     output %d \"%s\" row %" PRId64 " is NaN at index lookback=%" PRId64
                          " on clean data but defined later (lookback too small?)\n", g_case, k, m.outputs[k], r, lookback);
          }
        }
      }
    }

    // B. each row alone through the kernel, exact per-row buffers, garbage scratch.
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<Buf> rin, rout;
      for (int k = 0; k < m.n_in; ++k) {
        rin.emplace_back(cols);
        std::memcpy(rin.back().data(), in_copy[static_cast<size_t>(k)].data() + r * cols, static_cast<size_t>(cols) * 8);
      }
      for (int k = 0; k < m.n_out; ++k) {
        rout.emplace_back(cols);
        rout.back().fill(sentinel());
      }
      Buf sb(scratch);
      const double garbage = (it + r) % 3 == 0 ? sentinel() : (it + r) % 3 == 1 ? 1.5e300 : -3.0;
      sb.fill(garbage);
      TaRow row{};
      for (int k = 0; k < m.n_in; ++k) row.in[k] = rin[static_cast<size_t>(k)].data();
      for (int k = 0; k < m.n_out; ++k) row.out[k] = rout[static_cast<size_t>(k)].data();
      row.n = cols;
      row.p = p.data();
      row.scratch = sb.data();
      dt[static_cast<size_t>(idx)].fn(row);
      for (int k = 0; k < m.n_out; ++k) {
        const double* ya = out[static_cast<size_t>(k)].data() + r * cols;
        const double* yb = rout[static_cast<size_t>(k)].data();
        for (int64_t i = 0; i < cols; ++i) {
          if (is_sentinel(ya[i])) break;  // already reported
          if (!same_value(ya[i], yb[i])) {
            fail(scratch > 0 ? "row alone (own buffers, garbage-filled scratch) differs from run_rows: reads scratch "
                               "before writing it, or depends on other rows"
                             : "row alone (own buffers) differs from run_rows: depends on other rows or state",
                 k, r, i, yb[i], ya[i]);
            break;
          }
        }
      }
    }

    ++st.runs;
    ++ran;
    st.elements += len;
    if (case_fail) {
      if (printed < o.max_print) {
        if (case_fail > 3) std::printf("     ... %" PRId64 " more failed check(s) in this case\n", case_fail - 3);
        ++printed;
      }
      ++st.failures;
      ++total_fail;
    }
  }

  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("ta_fuzz: per indicator (runs / skipped / failing cases / clean-data warnings / clean rows all-NaN):\n");
  int covered = 0;
  std::vector<std::string> shown;
  for (int i : pool) {
    const std::string nm = i == kFeaturesEntry ? "features" : meta_at(i).name;
    if (std::find(shown.begin(), shown.end(), nm) != shown.end()) continue;
    shown.push_back(nm);
    const Stats& s = per[nm];
    if (s.runs) ++covered;
    std::printf("  %-18s %6" PRId64 " %4" PRId64 " %4" PRId64 " %4" PRId64 " %4" PRId64 "%s\n", nm.c_str(), s.runs,
                s.skipped, s.failures, s.warnings, s.all_nan, s.failures ? "  <-- FAIL" : "");
  }
  std::printf("ta_fuzz: seed %" PRIu64 " shard %d/%d: %" PRId64 " cases run, %" PRId64 " skipped, %d/%d indicators covered, "
              "%" PRId64 " failing case(s), %" PRId64 " warning(s), %.1f s%s\n",
              o.seed, o.shard, o.shards, ran, skipped, covered, static_cast<int>(shown.size()), total_fail, total_warn, secs,
              out_of_time ? " (stopped at --max-seconds)" : "");
  return total_fail ? 1 : 0;
}
