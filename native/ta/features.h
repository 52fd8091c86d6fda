// The fused feature kernel (`ta.features`): OHLCV [rows x cols] -> a [rows x cols x F]
// feature tensor, one pass over each row that reads each bar's OHLCV once for every
// selected feature. Shared by the CPU core (native/ta/features.cpp) and the CUDA addon
// (kernels/features.cu): the per-row work is NEURION_HD and compiled by both g++ and nvcc.
//
// Feature set encoding (the native form of src/ta/features.ts's FeatureEntry[]): a float64
// array of F * kFeatureStride values, [id, p0, p1, p2] per feature (unused params ignored).
// The menu (ids, params, ranges) is feature_menu() below, the TypeScript twin is
// FEATURE_MENU in src/ta/features.ts (a test checks they agree).
//
// Implementation: one pass per row. At bar i the row's open/high/low/close/volume[i] are
// loaded once; every feature of the set steps its streaming state with them (EMA / Wilder
// recurrences, running sums, ring buffers for windows, block-wise rolling extremes: the
// structs of native/ta/features_stream.h, O(1) amortised per bar, CCI's mean deviation O(p))
// and the F values of bar i are stored together. The states reproduce the indicator kernels
// of native/ta/kernels/*.h (the functions `ta` runs) operation for operation, so every fused
// value equals the separate `ta` call plus the transform, bit for bit (tested). Per-row scratch
// is only the features' ring buffers (features_scratch: the sum of their windows, e.g. 391
// doubles for the default set, whatever the row length). feature_init is the single source
// of a feature's lookback (the largest of its kernels' lookbacks), rings and state.
//
// Layout: output [rows x cols x F] row-major (feature fastest): a row's [cols x F] block is
// exactly nn's [batch, T, F] input layout, so a window of bars is one contiguous slice.
// Output element type T is double or float (computed in float64, rounded once at the store).
#pragma once
#include <cstdint>
#include "list.h"
#include "features_stream.h"

namespace neurion::ta {

constexpr int kFeatureParams = 3;
constexpr int kFeatureStride = 1 + kFeatureParams;  // [id, p0, p1, p2]
constexpr int kMaxFeatures = 64;

// Stable ids: the encoded feature set stores them. Append only.
enum FeatureId : int {
  kFeatLogReturn = 0,
  kFeatRsi,
  kFeatAtrRatio,
  kFeatBbPercentB,
  kFeatBbWidth,
  kFeatMacdHist,
  kFeatAdx,
  kFeatDiSpread,
  kFeatStochK,
  kFeatWillr,
  kFeatCci,
  kFeatObvSlope,
  kFeatVolumeZ,
  kFeatCloseZ,
  kFeatVolCloseToClose,
  kFeatVolParkinson,
  kFeatVolGarmanKlass,
  kFeatDonchianPos,
  kFeatSmaRatio,
  kFeatSmaCross,
  kFeatMfi,
  kFeatureCount
};

struct FeatureParamDef {
  const char* name;
  double def, min, max;
  bool integer, max_is_length;
};

struct FeatureDef {
  const char* name;
  int n_param;
  FeatureParamDef params[kFeatureParams];
};

// Host-only menu (names, parameter ranges); index = FeatureId.
inline const FeatureDef* feature_menu() {
  static const FeatureDef menu[kFeatureCount] = {
      {"logReturn", 1, {{"period", 1, 1, 1e9, true, true}}},
      {"rsi", 1, {{"period", 14, 2, 1e9, true, true}}},
      {"atrRatio", 1, {{"period", 14, 1, 1e9, true, true}}},
      {"bbPercentB", 2, {{"period", 20, 2, 1e9, true, true}, {"nbDev", 2, 0, 100, false, false}}},
      {"bbWidth", 2, {{"period", 20, 2, 1e9, true, true}, {"nbDev", 2, 0, 100, false, false}}},
      {"macdHist", 3, {{"fastPeriod", 12, 2, 1e9, true, true}, {"slowPeriod", 26, 2, 1e9, true, true}, {"signalPeriod", 9, 2, 1e9, true, true}}},
      {"adx", 1, {{"period", 14, 2, 1e9, true, true}}},
      {"diSpread", 1, {{"period", 14, 2, 1e9, true, true}}},
      {"stochK", 2, {{"fastKPeriod", 14, 1, 1e9, true, true}, {"slowKPeriod", 3, 1, 1e9, true, true}}},
      {"willr", 1, {{"period", 14, 2, 1e9, true, true}}},
      {"cci", 1, {{"period", 14, 2, 1e9, true, true}}},
      {"obvSlope", 1, {{"period", 20, 2, 1e9, true, true}}},
      {"volumeZ", 1, {{"period", 20, 2, 1e9, true, true}}},
      {"closeZ", 1, {{"period", 20, 2, 1e9, true, true}}},
      {"volCloseToClose", 1, {{"period", 20, 2, 1e9, true, true}}},
      {"volParkinson", 1, {{"period", 20, 1, 1e9, true, true}}},
      {"volGarmanKlass", 1, {{"period", 20, 1, 1e9, true, true}}},
      {"donchianPos", 1, {{"period", 20, 1, 1e9, true, true}}},
      {"smaRatio", 1, {{"period", 50, 1, 1e9, true, true}}},
      {"smaCross", 2, {{"fastPeriod", 20, 1, 1e9, true, true}, {"slowPeriod", 50, 1, 1e9, true, true}}},
      {"mfi", 1, {{"period", 14, 2, 1e9, true, true}}},
  };
  return menu;
}

// One feature's streaming state: its indicator states (native/ta/features_stream.h) and its
// lookback. A plain union: a row holds nf of them (CPU: on the stack; GPU: the thread's local
// memory), their rings live in the per-row scratch.
struct FeatureState {
  struct ObvSlope {
    stream::Obv obv;
    stream::LinregSlope slope;
    stream::Sma vol;
  };
  struct C2c {
    vs::RollMoments mom;
    double prev;
  };
  struct Cross {
    stream::Sma fast, slow;
  };
  int id;
  int64_t lb;  // first defined bar: the largest lookback of the feature's indicators (ta_*_lookback)
  union U {
    NEURION_HD U() {}
    stream::Rocr rocr;
    stream::Rsi rsi;
    stream::Atr atr;
    stream::Bbands bb;
    stream::Macd macd;
    stream::Dmi dmi;
    stream::Stoch stoch;
    stream::HlOsc willr;
    stream::Cci cci;
    ObvSlope obv_slope;
    vs::RollMoments mom;  // zscore, volParkinson, volGarmanKlass
    C2c c2c;
    stream::Donchian don;
    stream::Sma sma;
    Cross cross;
    stream::Mfi mfi;
  } u;
};

NEURION_HD int64_t feat_max(int64_t a, int64_t b) { return a > b ? a : b; }

// Host inlining control (GCC / Clang; nvcc inlines every NEURION_HD function anyway):
// NEURION_FEAT_NOINLINE keeps each feature's loop a function of its own (see feat_bars);
// NEURION_FEAT_FLATTEN inlines everything into volCloseToClose's step, whose ln and
// RollMoments::push the inliner otherwise leaves out of line (3x slower).
#if !defined(__CUDACC__) && (defined(__GNUC__) || defined(__clang__))
#define NEURION_FEAT_NOINLINE __attribute__((noinline))
#define NEURION_FEAT_FLATTEN __attribute__((flatten))
#else
#define NEURION_FEAT_NOINLINE
#define NEURION_FEAT_FLATTEN
#endif

// Sets st up for feature `id` with (validated) parameters p: lookback, state, and its rings
// taken from g in order. The single source of each feature's lookback and ring size: with
// g.base == nullptr no ring memory is touched and g.used counts the doubles
// (features_scratch, feature_lookback). The lookbacks are those of the indicator kernels the
// feature is made of (the largest where it uses several).
NEURION_HD void feature_init(FeatureState& st, int id, const double* p, stream::Rings& g) {
  st.id = id;
  st.lb = 0;
  auto& u = st.u;
  const int64_t p0 = ipar(p, 0);
  switch (id) {
    case kFeatLogReturn: {  // ln(close[t] / close[t-p]) = ln(ROCR(close, p))
      const double q[] = {p[0]};
      st.lb = ta_rocr_lookback(q);
      u.rocr.init(g, p0);
      break;
    }
    case kFeatRsi: {  // RSI(p) / 100
      const double q[] = {p[0]};
      st.lb = ta_rsi_lookback(q);
      u.rsi.init(p0);
      break;
    }
    case kFeatAtrRatio: {  // ATR(p) / close
      const double q[] = {p[0]};
      st.lb = ta_atr_lookback(q);
      u.atr.init(p0);
      break;
    }
    case kFeatBbPercentB:
    case kFeatBbWidth: {  // BBANDS(p, nbDev, nbDev, SMA) percentB / bandwidth
      const double q[] = {p[0], p[1], p[1], 0.0};
      st.lb = ta_bbands_lookback(q);
      u.bb.init(g, p0, p[1], p[1]);
      break;
    }
    case kFeatMacdHist: {  // MACD(fast, slow, signal) hist / close
      const double q[] = {p[0], p[1], p[2]};
      st.lb = ta_macd_lookback(q);
      u.macd.init(p0, ipar(p, 1), ipar(p, 2));
      break;
    }
    case kFeatAdx: {  // ADX(p) / 100
      const double q[] = {p[0]};
      st.lb = ta_adx_lookback(q);
      u.dmi.init(p0);
      break;
    }
    case kFeatDiSpread: {  // (PLUS_DI(p) - MINUS_DI(p)) / 100
      const double q[] = {p[0]};
      st.lb = feat_max(ta_plusDi_lookback(q), ta_minusDi_lookback(q));
      u.dmi.init(p0);
      break;
    }
    case kFeatStochK: {  // STOCH(fastK, slowK, SMA, slowD 1, SMA) slowK / 100
      const double q[] = {p[0], p[1], 0.0, 1.0, 0.0};
      st.lb = ta_stoch_lookback(q);
      u.stoch.init(g, p0, ipar(p, 1));
      break;
    }
    case kFeatWillr: {  // WILLR(p) / 100, in [-1, 0]
      const double q[] = {p[0]};
      st.lb = ta_willr_lookback(q);
      u.willr.init(g, p0);
      break;
    }
    case kFeatCci: {  // CCI(p) / 100
      const double q[] = {p[0]};
      st.lb = ta_cci_lookback(q);
      u.cci.init(g, p0);
      break;
    }
    case kFeatObvSlope: {  // LINEARREG_SLOPE(OBV, p) / SMA(volume, p)
      const double q[] = {p[0]};
      st.lb = feat_max(ta_obv_lookback(q), feat_max(ta_linregSlope_lookback(q), ta_volumeSma_lookback(q)));
      u.obv_slope.obv.init();
      u.obv_slope.slope.init(g, p0);
      u.obv_slope.vol.init(g, p0);
      break;
    }
    case kFeatVolumeZ:
    case kFeatCloseZ: {  // ZSCORE(volume | close, p)
      const double q[] = {p[0]};
      st.lb = ta_zscore_lookback(q);
      u.mom.init(g.take(p0), p0);
      break;
    }
    case kFeatVolCloseToClose: {  // per-bar (periodsPerYear = 1) volatility estimators
      const double q[] = {p[0], 1.0};
      st.lb = ta_volCloseToClose_lookback(q);
      u.c2c.mom.init(g.take(p0), p0);
      u.c2c.prev = 0.0;
      break;
    }
    case kFeatVolParkinson: {
      const double q[] = {p[0], 1.0};
      st.lb = ta_volParkinson_lookback(q);
      u.mom.init(g.take(p0), p0);
      break;
    }
    case kFeatVolGarmanKlass: {
      const double q[] = {p[0], 1.0};
      st.lb = ta_volGarmanKlass_lookback(q);
      u.mom.init(g.take(p0), p0);
      break;
    }
    case kFeatDonchianPos: {  // (close - lower) / (upper - lower) of DONCHIAN(p); 0.5 when upper == lower
      const double q[] = {p[0]};
      st.lb = ta_donchian_lookback(q);
      u.don.init(g, p0);
      break;
    }
    case kFeatSmaRatio: {  // close / SMA(close, p) - 1
      const double q[] = {p[0]};
      st.lb = ta_sma_lookback(q);
      u.sma.init(g, p0);
      break;
    }
    case kFeatSmaCross: {  // SMA(close, fast) / SMA(close, slow) - 1
      const double qf[] = {p[0]};
      const double qs[] = {p[1]};
      st.lb = feat_max(ta_sma_lookback(qf), ta_sma_lookback(qs));
      u.cross.fast.init(g, p0);
      u.cross.slow.init(g, ipar(p, 1));
      break;
    }
    case kFeatMfi: {  // MFI(p) / 100
      const double q[] = {p[0]};
      st.lb = ta_mfi_lookback(q);
      u.mfi.init(g, p0);
      break;
    }
    default:
      break;
  }
}

// Where a feature reads its bars: the row's arrays (RowBars, bars i0..i1 of a tile) or one bar
// already in registers (OneBar, the GPU's step: the bar's OHLCV is loaded once for all F).
struct RowBars {
  const double *o, *h, *l, *c, *v;
  NEURION_HD stream::Bar bar(int64_t i) const { return stream::Bar{o[i], h[i], l[i], c[i], v[i]}; }
};
struct OneBar {
  stream::Bar b;
  NEURION_HD stream::Bar bar(int64_t) const { return b; }
};

// Steps `state` over the bars [i0, i1): out[i * nf] = f(s, bar, i) rounded to T, NaN before lb,
// with s a copy of the state for the span (registers, not the FeatureState in memory).
// Host: not inlined into feature_run, so that each feature's loop is a small function of its
// own into which the compiler inlines the state's update, as in the batch kernels (inlined
// into the one big switch, the updates compete for one inlining budget and one register
// allocation: measured ~10% slower over the default set).
template <typename S, typename Src, typename T, typename F>
NEURION_FEAT_NOINLINE NEURION_HD void feat_bars(S& state, const Src& src, int64_t i0, int64_t i1, int64_t lb, T* out, int nf, F f) {
  const double q = nan_value();
  S s = state;
  for (int64_t i = i0; i < i1; ++i) {
    const double x = f(s, src.bar(i), i);
    out[i * nf] = static_cast<T>(i < lb ? q : x);
  }
  state = s;
}

// feat_bars, taking groups of G bars first where `grouped` and the span allows: fg(s, bars,
// values) steps G consecutive bars at once (the same operations as G calls of f).
template <int G, typename S, typename Src, typename T, typename FG, typename F>
NEURION_FEAT_NOINLINE NEURION_HD void feat_bars_grouped(S& state, const Src& src, int64_t i0, int64_t i1, int64_t lb, T* out, int nf,
                                                        bool grouped, FG fg, F f) {
  const double q = nan_value();
  S s = state;
  int64_t i = i0;
  for (; grouped && i + G <= i1; i += G) {
    stream::Bar b[G];
    double v[G];
    for (int k = 0; k < G; ++k) b[k] = src.bar(i + k);
    fg(s, b, v);
    for (int k = 0; k < G; ++k) out[(i + k) * nf] = static_cast<T>(i + k < lb ? q : v[k]);
  }
  for (; i < i1; ++i) {
    const double x = f(s, src.bar(i), i);
    out[i * nf] = static_cast<T>(i < lb ? q : x);
  }
  state = s;
}

// Feature st over bars [i0, i1) (every bar in order, from 0, across calls): updates its state
// and stores the transformed values at out[i * nf] (out = the row's block + the feature's
// column). BBANDS and CCI take two / four bars at a time where the span allows (the CPU's
// tiles; the same operations, see push2 / push4).
template <typename Src, typename T>
NEURION_HD void feature_run(FeatureState& st, const Src& src, int64_t i0, int64_t i1, T* out, int nf) {
  using stream::Bar;
  auto& u = st.u;
  const int64_t lb = st.lb;
  switch (st.id) {
    case kFeatLogReturn:  // ln(ROCR(close, p))
      feat_bars(u.rocr, src, i0, i1, lb, out, nf, [](stream::Rocr& s, const Bar& b, int64_t) { return log(s.push(b.c)); });
      break;
    case kFeatRsi:  // RSI / 100
      feat_bars(u.rsi, src, i0, i1, lb, out, nf, [](stream::Rsi& s, const Bar& b, int64_t i) { return s.push(b.c, i) / 100.0; });
      break;
    case kFeatAtrRatio:  // ATR / close
      feat_bars(u.atr, src, i0, i1, lb, out, nf, [](stream::Atr& s, const Bar& b, int64_t i) { return s.push(b, i) / b.c; });
      break;
    case kFeatBbPercentB:
    case kFeatBbWidth: {  // BBANDS percentB / bandwidth, two bars at a time (push2)
      const bool bw = st.id == kFeatBbWidth;
      feat_bars_grouped<2>(
          u.bb, src, i0, i1, lb, out, nf, true,
          [bw](stream::Bbands& s, const Bar* b, double* v) {
            const double x[2] = {b[0].c, b[1].c};
            s.push2(x, bw, v);
          },
          [bw](stream::Bbands& s, const Bar& b, int64_t) { return s.push(b.c, bw); });
      break;
    }
    case kFeatMacdHist:  // MACD histogram / close
      feat_bars(u.macd, src, i0, i1, lb, out, nf, [](stream::Macd& s, const Bar& b, int64_t i) { return s.push(b.c, i) / b.c; });
      break;
    case kFeatAdx:  // ADX / 100
      feat_bars(u.dmi, src, i0, i1, lb, out, nf, [](stream::Dmi& s, const Bar& b, int64_t i) { return s.push(b, i, true) / 100.0; });
      break;
    case kFeatDiSpread:  // (+DI - -DI) / 100
      feat_bars(u.dmi, src, i0, i1, lb, out, nf, [](stream::Dmi& s, const Bar& b, int64_t i) { return s.push(b, i, false) / 100.0; });
      break;
    case kFeatStochK:  // slow %K / 100
      feat_bars(u.stoch, src, i0, i1, lb, out, nf, [](stream::Stoch& s, const Bar& b, int64_t i) { return s.push(b, i) / 100.0; });
      break;
    case kFeatWillr:  // %R / 100
      feat_bars(u.willr, src, i0, i1, lb, out, nf, [](stream::HlOsc& s, const Bar& b, int64_t i) { return s.push(b, i, true) / 100.0; });
      break;
    case kFeatCci:  // CCI / 100, four bars at a time (push4) for periods >= 4
      feat_bars_grouped<4>(
          u.cci, src, i0, i1, lb, out, nf, u.cci.ring.p >= 4,
          [](stream::Cci& s, const Bar* b, double* v) {
            s.push4(b, v);
            for (int k = 0; k < 4; ++k) v[k] /= 100.0;
          },
          [](stream::Cci& s, const Bar& b, int64_t i) { return s.push(b, i) / 100.0; });
      break;
    case kFeatObvSlope:  // LINEARREG_SLOPE(OBV) / SMA(volume)
      feat_bars(u.obv_slope, src, i0, i1, lb, out, nf, [](FeatureState::ObvSlope& s, const Bar& b, int64_t i) {
        const double slope = s.slope.push(s.obv.push(b.c, b.v, i));
        return slope / s.vol.push(b.v);
      });
      break;
    case kFeatVolumeZ:
    case kFeatCloseZ: {  // ta_zscore
      const bool vol = st.id == kFeatVolumeZ;
      feat_bars(u.mom, src, i0, i1, lb, out, nf, [vol](vs::RollMoments& m, const Bar& b, int64_t) {
        m.push(vol ? b.v : b.c);
        const double sd = sqrt(m.var_pop());
        const double d = m.newest_dev();
        return sd == 0.0 ? d * 0.0 : d / sd;
      });
      break;
    }
    case kFeatVolCloseToClose:  // ta_volCloseToClose: sample variance of the log returns from bar 1
      feat_bars(u.c2c, src, i0, i1, lb, out, nf, [](FeatureState::C2c& s, const Bar& b, int64_t i) NEURION_FEAT_FLATTEN {
        if (i == 0) {
          s.prev = b.c;
          return 0.0;
        }
        s.mom.push(vs::log_ratio(b.c / s.prev));
        s.prev = b.c;
        return vs::annualise(1.0, s.mom.var_sample());
      });
      break;
    case kFeatVolParkinson:  // ta_volParkinson
      feat_bars(u.mom, src, i0, i1, lb, out, nf, [](vs::RollMoments& m, const Bar& b, int64_t) {
        const double hl = log(b.h / b.l);
        m.push(hl * hl);
        return vs::annualise(1.0, m.mean() / (4.0 * vs::kLn2));
      });
      break;
    case kFeatVolGarmanKlass:  // ta_volGarmanKlass
      feat_bars(u.mom, src, i0, i1, lb, out, nf, [](vs::RollMoments& m, const Bar& b, int64_t) {
        m.push(gk_term(b.o, b.h, b.l, b.c));
        return vs::annualise(1.0, m.mean());
      });
      break;
    case kFeatDonchianPos:  // (close - lower) / (upper - lower) of DONCHIAN; 0.5 when upper == lower
      feat_bars(u.don, src, i0, i1, lb, out, nf, [](stream::Donchian& s, const Bar& b, int64_t i) {
        double up, lo;
        s.push(b, i, up, lo);
        const double w = up - lo;
        return w == 0.0 ? 0.5 : (b.c - lo) / w;
      });
      break;
    case kFeatSmaRatio:  // close / SMA - 1
      feat_bars(u.sma, src, i0, i1, lb, out, nf, [](stream::Sma& s, const Bar& b, int64_t) { return b.c / s.push(b.c) - 1.0; });
      break;
    case kFeatSmaCross:  // SMA(fast) / SMA(slow) - 1
      feat_bars(u.cross, src, i0, i1, lb, out, nf, [](FeatureState::Cross& s, const Bar& b, int64_t) {
        const double f = s.fast.push(b.c);
        return f / s.slow.push(b.c) - 1.0;
      });
      break;
    case kFeatMfi:  // MFI / 100
      feat_bars(u.mfi, src, i0, i1, lb, out, nf, [](stream::Mfi& s, const Bar& b, int64_t i) { return s.push(b, i) / 100.0; });
      break;
    default:
      break;
  }
}

// Lookback (first defined index) of one feature.
NEURION_HD int64_t feature_lookback(int id, const double* p) {
  FeatureState st;
  stream::Rings g{nullptr, 0};
  feature_init(st, id, p, g);
  return st.lb;
}

// Doubles of per-row scratch the set needs: the sum of its features' rings (windows of their
// periods; independent of the row length n, kept for the callers' symmetry).
NEURION_HD int64_t features_scratch(const double* spec, int nf, int64_t n) {
  (void)n;
  stream::Rings g{nullptr, 0};
  FeatureState st;
  for (int f = 0; f < nf; ++f) feature_init(st, static_cast<int>(spec[f * kFeatureStride]), spec + f * kFeatureStride + 1, g);
  return g.used;
}

// All features of one row in one pass: in = the row's {open, high, low, close, volume} (n bars
// each), out = the row's [n x nf] block (bar i's features at out[i * nf .. i * nf + nf)),
// rings = features_scratch(spec, nf, n) doubles (any contents).
//   kTile = 1 (the CUDA kernel): at each bar the OHLCV is loaded once (into registers) and
//     every feature's state is stepped with it.
//   kTile > 1 (the CPU, kFeatureCpuTile): the same pass a tile of bars at a time; each feature
//     steps through the tile with its state in registers, reading the tile's OHLCV (2.5 KiB,
//     loaded from memory once, then in L1). Bar by bar, a CPU spends its time loading and
//     storing every state each bar (~1.85x slower on the default set).
// Same operations either way, so the same values (the sanitizer fuzz compares the two).
constexpr int kFeatureCpuTile = 64;
template <typename T, int kTile>
NEURION_HD void features_row(const double* spec, int nf, const double* const* in, int64_t n, double* rings, T* out) {
  FeatureState st[kMaxFeatures];
  stream::Rings g{rings, 0};
  for (int f = 0; f < nf; ++f) feature_init(st[f], static_cast<int>(spec[f * kFeatureStride]), spec + f * kFeatureStride + 1, g);
  const RowBars row{in[0], in[1], in[2], in[3], in[4]};
  for (int64_t i0 = 0; i0 < n; i0 += kTile) {
    if (kTile == 1) {
      const OneBar one{row.bar(i0)};
      for (int f = 0; f < nf; ++f) feature_run(st[f], one, i0, i0 + 1, out + f, nf);
    } else {
      const int64_t i1 = i0 + kTile < n ? i0 + kTile : n;
      for (int f = 0; f < nf; ++f) feature_run(st[f], row, i0, i1, out + f, nf);
    }
  }
}

}  // namespace neurion::ta

// ---- host side (native/ta/features.cpp; compiled into both addons) ---------------------
#if !defined(__CUDACC__)
#include <functional>
#include <string>
namespace Napi {
class Value;
class CallbackInfo;
}  // namespace Napi

namespace neurion::ta {

// Empty when `spec` (len doubles) is a valid feature set for series of `cols` bars; else the
// message naming the feature index, its name and the parameter (the TypeScript validator
// in src/ta/features.ts writes the same messages).
std::string features_spec_error(const double* spec, int64_t len, int64_t cols);

// A validated call. out is double* (f32 false) or float* (f32 true), [rows x cols x nf].
struct FeaturesJob {
  const double* in[5];  // open, high, low, close, volume: [rows x cols] each
  int64_t rows = 0, cols = 0;
  const double* spec = nullptr;
  int nf = 0;
  void* out = nullptr;
  bool f32 = false;
  int threads = 1;
};

// Rows in parallel on `threads` threads, each with its own scratch.
void features_cpu(const FeaturesJob& job);

// taFeatures(inputs[5], rows, cols, spec, out?, threads?) -> out (Float64Array by default,
// or the caller's Float64Array / Float32Array): validates every argument, then calls run.
Napi::Value features_entry(const Napi::CallbackInfo& info, const std::function<void(const FeaturesJob&)>& run);

}  // namespace neurion::ta
#endif
