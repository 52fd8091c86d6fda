// The fused feature kernel (`ta.features`): OHLCV [rows x cols] -> a [rows x cols x F]
// feature tensor, one pass over each row computing every selected feature while the row
// is hot in cache. Shared by the CPU core (native/ta/features.cpp) and the CUDA addon
// (kernels/features.cu): the per-row work is NEURION_HD and compiled by both g++ and nvcc.
//
// Feature set encoding (the native form of src/ta/features.ts's FeatureEntry[]): a float64
// array of F * kFeatureStride values, [id, p0, p1, p2] per feature (unused params ignored).
// The menu (ids, params, ranges) is feature_menu() below, the TypeScript twin is
// FEATURE_MENU in src/ta/features.ts (a test checks they agree).
//
// Implementation: each feature calls the existing indicator kernels (native/ta/kernels/*.h,
// the functions `ta` runs) on the row into per-row scratch buffers, then applies its
// transform and stores into the interleaved output (stride F). So every fused value is, by
// construction, the value the separate `ta` call plus the transform gives. One function,
// feature_eval, is the single source for a feature's lookback (max of its kernels'
// lookbacks), scratch size and computation (the FeatureStep mode selects which).
//
// Layout: output [rows x cols x F] row-major (feature fastest): a row's [cols x F] block is
// exactly nn's [batch, T, F] input layout, so a window of bars is one contiguous slice.
// Output element type T is double or float (computed in float64, rounded once at the store).
#pragma once
#include <cstdint>
#include "list.h"

namespace neurion::ta {

constexpr int kFeatureParams = 3;
constexpr int kFeatureStride = 1 + kFeatureParams;  // [id, p0, p1, p2]
constexpr int kMaxFeatures = 64;
// Kernel output buffers of n doubles each a feature may use (bbands has 5 outputs).
constexpr int kFeatureBuffers = 5;

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

// What feature_eval does: accumulate lookback and scratch only (in/out may be null), or run.
struct FeatureStep {
  bool run;
  int64_t n;
  double* buf;       // kFeatureBuffers * n doubles, then the kernels' scratch (run only)
  int64_t lookback;  // max over the feature's kernel calls
  int64_t scratch;   // max over the feature's kernel calls (doubles, beyond the buffers)
};

NEURION_HD int64_t feat_max(int64_t a, int64_t b) { return a > b ? a : b; }

// Calls ta_<name> with params q on inputs (...) into buffers ob, ob+1, ... of st.buf.
#define NEURION_FEAT_CALL(name, q, ob, ...)                                                   \
  do {                                                                                         \
    st.lookback = feat_max(st.lookback, ta_##name##_lookback(q));                              \
    st.scratch = feat_max(st.scratch, ta_##name##_scratch(st.n, q));                           \
    if (st.run) {                                                                              \
      const double* ins_[] = {__VA_ARGS__};                                                    \
      TaRow row_{};                                                                            \
      for (int k_ = 0; k_ < static_cast<int>(sizeof(ins_) / sizeof(ins_[0])); ++k_) row_.in[k_] = ins_[k_]; \
      for (int k_ = 0; k_ < kFeatureBuffers; ++k_) row_.out[k_] = ob + k_ < kFeatureBuffers ? st.buf + (ob + k_) * st.n : nullptr; \
      row_.n = st.n;                                                                           \
      row_.p = q;                                                                              \
      row_.scratch = st.buf + kFeatureBuffers * st.n;                                          \
      ta_##name(row_);                                                                         \
    }                                                                                          \
  } while (0)

// out[i * stride] = NaN for i < lb, else f(i), rounded once to T.
template <typename T, typename F>
NEURION_HD void feat_store(T* out, int64_t stride, int64_t n, int64_t lb, F f) {
  const double q = nan_value();
  for (int64_t i = 0; i < n; ++i) out[i * stride] = static_cast<T>(i < lb ? q : f(i));
}

// One feature over one row. `in` = {open, high, low, close, volume} of the row (run only);
// out = the row's first value of this feature, stride = F. Parameters p already validated.
template <typename T>
NEURION_HD void feature_eval(FeatureStep& st, int id, const double* p, const double* const* in, T* out, int64_t stride) {
  const double* o = in ? in[0] : nullptr;
  const double* h = in ? in[1] : nullptr;
  const double* l = in ? in[2] : nullptr;
  const double* c = in ? in[3] : nullptr;
  const double* v = in ? in[4] : nullptr;
  const int64_t n = st.n;
  double* b0 = st.buf;
  double* b1 = st.buf + n;
  double* b2 = st.buf + 2 * n;
  double* b3 = st.buf + 3 * n;
  double* b4 = st.buf + 4 * n;
  (void)b2;
  switch (id) {
    case kFeatLogReturn: {  // ln(close[t] / close[t-p]) = ln(ROCR(close, p))
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(rocr, q, 0, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return log(b0[i]); });
      break;
    }
    case kFeatRsi: {  // RSI(p) / 100
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(rsi, q, 0, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    case kFeatAtrRatio: {  // ATR(p) / close
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(atr, q, 0, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / c[i]; });
      break;
    }
    case kFeatBbPercentB:
    case kFeatBbWidth: {  // BBANDS(p, nbDev, nbDev, SMA) percentB / bandwidth
      const double q[] = {p[0], p[1], p[1], 0.0};
      NEURION_FEAT_CALL(bbands, q, 0, c);
      const double* src = id == kFeatBbPercentB ? b3 : b4;
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return src[i]; });
      break;
    }
    case kFeatMacdHist: {  // MACD(fast, slow, signal) hist / close
      const double q[] = {p[0], p[1], p[2]};
      NEURION_FEAT_CALL(macd, q, 0, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b2[i] / c[i]; });
      break;
    }
    case kFeatAdx: {  // ADX(p) / 100
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(adx, q, 0, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    case kFeatDiSpread: {  // (PLUS_DI(p) - MINUS_DI(p)) / 100
      const double q[] = {p[0]};
      // ta_plusDi and ta_minusDi each run mom_dmi for one output; one pass fills both (the
      // same arithmetic per output, so the same values) at half the cost.
      st.lookback = feat_max(st.lookback, feat_max(ta_plusDi_lookback(q), ta_minusDi_lookback(q)));
      if (st.run) mom_dmi<false>(h, l, c, n, ipar(q, 0), b0, b1, nullptr, nullptr);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return (b0[i] - b1[i]) / 100.0; });
      break;
    }
    case kFeatStochK: {  // STOCH(fastK, slowK, SMA, slowD 1, SMA) slowK / 100
      const double q[] = {p[0], p[1], 0.0, 1.0, 0.0};
      NEURION_FEAT_CALL(stoch, q, 0, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    case kFeatWillr: {  // WILLR(p) / 100, in [-1, 0]
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(willr, q, 0, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    case kFeatCci: {  // CCI(p) / 100
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(cci, q, 0, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    case kFeatObvSlope: {  // LINEARREG_SLOPE(OBV, p) / SMA(volume, p)
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(obv, q, 0, c, v);
      NEURION_FEAT_CALL(linregSlope, q, 1, b0);
      NEURION_FEAT_CALL(volumeSma, q, 2, v);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b1[i] / b2[i]; });
      break;
    }
    case kFeatVolumeZ:
    case kFeatCloseZ: {  // ZSCORE(volume | close, p)
      const double q[] = {p[0]};
      const double* x = id == kFeatVolumeZ ? v : c;
      NEURION_FEAT_CALL(zscore, q, 0, x);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i]; });
      break;
    }
    case kFeatVolCloseToClose: {  // per-bar (periodsPerYear = 1) volatility estimators
      const double q[] = {p[0], 1.0};
      NEURION_FEAT_CALL(volCloseToClose, q, 0, o, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i]; });
      break;
    }
    case kFeatVolParkinson: {
      const double q[] = {p[0], 1.0};
      NEURION_FEAT_CALL(volParkinson, q, 0, o, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i]; });
      break;
    }
    case kFeatVolGarmanKlass: {
      const double q[] = {p[0], 1.0};
      NEURION_FEAT_CALL(volGarmanKlass, q, 0, o, h, l, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i]; });
      break;
    }
    case kFeatDonchianPos: {  // (close - lower) / (upper - lower) of DONCHIAN(p); 0.5 when upper == lower
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(donchian, q, 0, h, l);
      if (st.run)
        feat_store(out, stride, n, st.lookback, [&](int64_t i) {
          const double w = b0[i] - b2[i];
          return w == 0.0 ? 0.5 : (c[i] - b2[i]) / w;
        });
      break;
    }
    case kFeatSmaRatio: {  // close / SMA(close, p) - 1
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(sma, q, 0, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return c[i] / b0[i] - 1.0; });
      break;
    }
    case kFeatSmaCross: {  // SMA(close, fast) / SMA(close, slow) - 1
      const double qf[] = {p[0]};
      const double qs[] = {p[1]};
      NEURION_FEAT_CALL(sma, qf, 0, c);
      NEURION_FEAT_CALL(sma, qs, 1, c);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / b1[i] - 1.0; });
      break;
    }
    case kFeatMfi: {  // MFI(p) / 100
      const double q[] = {p[0]};
      NEURION_FEAT_CALL(mfi, q, 0, h, l, c, v);
      if (st.run) feat_store(out, stride, n, st.lookback, [&](int64_t i) { return b0[i] / 100.0; });
      break;
    }
    default:
      break;
  }
  (void)b3;
  (void)b4;
}

// Lookback (first defined index) of one feature.
NEURION_HD int64_t feature_lookback(int id, const double* p) {
  FeatureStep st{false, 1, nullptr, 0, 0};
  feature_eval<double>(st, id, p, nullptr, nullptr, 1);
  return st.lookback;
}

// Doubles of per-row scratch the whole set needs for rows of n bars: the kernel output
// buffers plus the largest kernel scratch of any feature.
NEURION_HD int64_t features_scratch(const double* spec, int nf, int64_t n) {
  int64_t s = 0;
  for (int f = 0; f < nf; ++f) {
    FeatureStep st{false, n, nullptr, 0, 0};
    feature_eval<double>(st, static_cast<int>(spec[f * kFeatureStride]), spec + f * kFeatureStride + 1, nullptr,
                         static_cast<double*>(nullptr), 1);
    s = feat_max(s, st.scratch);
  }
  return kFeatureBuffers * n + s;
}

// All features of one row: in = the row's {open, high, low, close, volume} (n bars each),
// out = the row's [n x nf] block, buf = features_scratch(spec, nf, n) doubles.
template <typename T>
NEURION_HD void features_row(const double* spec, int nf, const double* const* in, int64_t n, double* buf, T* out) {
  for (int f = 0; f < nf; ++f) {
    FeatureStep st{true, n, buf, 0, 0};
    feature_eval<T>(st, static_cast<int>(spec[f * kFeatureStride]), spec + f * kFeatureStride + 1, in, out + f, nf);
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
