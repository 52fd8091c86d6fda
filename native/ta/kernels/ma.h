// Moving averages: the building blocks (shared by many indicators through ma_row) and the
// SMA / EMA / WMA indicators themselves. TA-Lib definitions:
//   SMA  mean of the last p values.
//   EMA  k = 2/(p+1); seeded with the SMA of the first p values (TA-Lib's default,
//        non-Metastock compatibility), then e = (x - e) * k + e.
//   WMA  weights 1..p (newest heaviest), divided by p(p+1)/2.
// MA types (TA-Lib TA_MAType): 0 SMA, 1 EMA, 2 WMA, 3 DEMA, 4 TEMA, 5 TRIMA, 6 KAMA,
// 7 MAMA (not supported: it takes other parameters), 8 T3 (volume factor 0.7).
#pragma once
#include "../ta.h"
#include "../../common/sma_kernel.h"
#include "simd.h"

namespace neurion::ta {

enum MaType : int { kSma = 0, kEma = 1, kWma = 2, kDema = 3, kTema = 4, kTrima = 5, kKama = 6, kMama = 7, kT3 = 8 };

// ---- building blocks over x[begin..n): outputs defined from begin + lookback ----

// SMA of x[begin..n) into out; out[0 .. begin+p-1) = NaN.
NEURION_HD void sma_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, begin < n ? begin : n);
  if (begin >= n) return;
  sma_row_range(x + begin, out + begin, n - begin, p, 0, n - begin);
}

// EMA with smoothing k of x[begin..n), seeded by the SMA of its first p values.
NEURION_HD void ema_from_k(const double* x, int64_t begin, int64_t n, int64_t p, double k, double* out) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, first < n ? first : n);
  if (first >= n) return;
  double sum = 0.0;
  for (int64_t i = begin; i <= first; ++i) sum += x[i];
  double e = sum / static_cast<double>(p);
  out[first] = e;
  for (int64_t i = first + 1; i < n; ++i) {
    e = ((x[i] - e) * k) + e;
    out[i] = e;
  }
}

NEURION_HD void ema_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  ema_from_k(x, begin, n, p, 2.0 / (static_cast<double>(p) + 1.0), out);
}

// WMA of x[begin..n), TA-Lib's running form: the weighted sum W and the plain sum S of the
// window slide as W' = W + p x_new - S, S' = S + x_new - x_old. A window holding a non-finite
// value is computed directly (IEEE per window, as the reference) and the running sums restart
// once it has left, so a NaN does not poison the rest of the row. With `reseed`, the sums are
// also recomputed every p bars (bounded drift; not TA-Lib's order, used by HMA), and the
// outputs are multiplied by 1/divider instead of divided.
NEURION_HD void wma_from_rs(const double* x, int64_t begin, int64_t n, int64_t p, double* out, bool reseed) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, first < n ? first : n);
  if (first >= n) return;
  const double divider = static_cast<double>(p) * (static_cast<double>(p) + 1.0) / 2.0;
  const double rdiv = 1.0 / divider;
  double wsum = 0.0, sum = 0.0;
  int64_t bad = 0, since = 0;
  bool restart = true;
  for (int64_t i = begin; i < first; ++i) bad += finite(x[i]) ? 0 : 1;
  for (int64_t i = first; i < n; ++i) {
    const int64_t s = i - p + 1;
    bad += finite(x[i]) ? 0 : 1;
    if (s > begin) bad -= finite(x[s - 1]) ? 0 : 1;
    if (bad > 0) {
      double w = 0.0;
      for (int64_t j = 0; j < p; ++j) w += x[s + j] * static_cast<double>(j + 1);
      out[i] = reseed ? w * rdiv : w / divider;
      restart = true;
      continue;
    }
    if (restart || (reseed && since >= p)) {
      wsum = 0.0; sum = 0.0;
      for (int64_t j = s, w = 1; j <= i; ++j, ++w) {
        wsum += x[j] * static_cast<double>(w);
        sum += x[j];
      }
      restart = false;
      since = 1;
    } else {
      wsum += x[i] * static_cast<double>(p) - sum;
      sum += x[i] - x[i - p];
      ++since;
    }
    out[i] = reseed ? wsum * rdiv : wsum / divider;
  }
}

// wma_from_rs without reseed (TA-Lib's running form), the same operations: the last
// non-finite index replaces the window's counter of them (one finiteness test per bar). RECIP
// multiplies by 1/divider instead of TA-Lib's division (<= 1 ulp apart; the WMA indicator).
template <bool RECIP>
NEURION_HD void wma_from_t(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, first < n ? first : n);
  if (first >= n) return;
  const double pd = static_cast<double>(p);
  const double divider = pd * (pd + 1.0) / 2.0;
  const double rdiv = 1.0 / divider;
  int64_t last_bad = begin - 1;
  for (int64_t i = begin; i < first; ++i) last_bad = finite(x[i]) ? last_bad : i;
  double wsum = 0.0, sum = 0.0;
  bool restart = true;
  for (int64_t i = first; i < n; ++i) {
    const int64_t s = i - p + 1;
    const double xi = x[i];
    if (!finite(xi)) last_bad = i;
    if (last_bad >= s) {
      double w = 0.0;
      for (int64_t j = 0; j < p; ++j) w += x[s + j] * static_cast<double>(j + 1);
      out[i] = RECIP ? w * rdiv : w / divider;
      restart = true;
      continue;
    }
    if (restart) {
      wsum = 0.0; sum = 0.0;
      for (int64_t j = s, w = 1; j <= i; ++j, ++w) {
        wsum += x[j] * static_cast<double>(w);
        sum += x[j];
      }
      restart = false;
    } else {
      wsum += xi * pd - sum;
      sum += xi - x[i - p];
    }
    out[i] = RECIP ? wsum * rdiv : wsum / divider;
  }
}

NEURION_HD void wma_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  wma_from_t<false>(x, begin, n, p, out);
}

// ---- TA-Lib's other MA types (DEMA, TEMA, TRIMA, KAMA, T3), each in one pass with no
// scratch, in TA-Lib's exact operation order (bit-identical to TA-Lib on finite input; the DEMA
// and TEMA indicators themselves use the shorter-chain EMA step, see ema_step).
// None of them may write out in place of x (out must not alias x).

// One EMA step: TA-Lib's e + (v - e) k (FAST = false; a 9-cycle dependent chain of sub, mul,
// add) or e (1 - k) + v k (FAST = true: mul, add; v k is off the chain). The two differ by
// rounding only, and an EMA damps each step's rounding error by (1 - k): within ~1e-15 of the
// TA-Lib form. FAST is used by the DEMA / TEMA indicators; the MA types of composite
// indicators (ma_row: APO, PPO, ... whose differences of MAs could magnify ulps) keep TA-Lib's.
template <bool FAST>
NEURION_HD double ema_step(double e, double v, double k, double omk) {
  return FAST ? (e * omk) + (v * k) : ((v - e) * k) + e;
}

// DEMA = 2 EMA1 - EMA2, EMA2 = EMA of EMA1 (TA_DEMA). Lookback 2(p-1). The chain of EMA stages
// unrolled into its warm-up phases and a branch-free steady loop with the state in locals.
template <bool FAST>
NEURION_HD void dema_from_t(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const double k = 2.0 / (static_cast<double>(p) + 1.0), omk = 1.0 - k, pd = static_cast<double>(p);
  const int64_t f1 = begin + p - 1, f2 = f1 + p - 1;
  fill_nan(out, 0, f2 < n ? f2 : n);
  if (f2 >= n) return;
  double e1 = 0.0;
  for (int64_t i = begin; i <= f1; ++i) e1 += x[i];
  e1 = e1 / pd;
  double e2 = 0.0 + e1;
  for (int64_t i = f1 + 1; i <= f2; ++i) {
    e1 = ema_step<FAST>(e1, x[i], k, omk);
    e2 += e1;
  }
  e2 = e2 / pd;
  out[f2] = (2.0 * e1) - e2;
  for (int64_t i = f2 + 1; i < n; ++i) {
    e1 = ema_step<FAST>(e1, x[i], k, omk);
    e2 = ema_step<FAST>(e2, e1, k, omk);
    out[i] = (2.0 * e1) - e2;
  }
}

// TEMA = 3 EMA1 - 3 EMA2 + EMA3 (TA_TEMA: e3 + ((3 e1) - (3 e2))). Lookback 3(p-1). Unrolled
// like dema_from.
template <bool FAST>
NEURION_HD void tema_from_t(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const double k = 2.0 / (static_cast<double>(p) + 1.0), omk = 1.0 - k, pd = static_cast<double>(p);
  const int64_t f1 = begin + p - 1, f2 = f1 + p - 1, f3 = f2 + p - 1;
  fill_nan(out, 0, f3 < n ? f3 : n);
  if (f3 >= n) return;
  double e1 = 0.0;
  for (int64_t i = begin; i <= f1; ++i) e1 += x[i];
  e1 = e1 / pd;
  double e2 = 0.0 + e1;
  for (int64_t i = f1 + 1; i <= f2; ++i) {
    e1 = ema_step<FAST>(e1, x[i], k, omk);
    e2 += e1;
  }
  e2 = e2 / pd;
  double e3 = 0.0 + e2;
  for (int64_t i = f2 + 1; i <= f3; ++i) {
    e1 = ema_step<FAST>(e1, x[i], k, omk);
    e2 = ema_step<FAST>(e2, e1, k, omk);
    e3 += e2;
  }
  e3 = e3 / pd;
  out[f3] = e3 + ((3.0 * e1) - (3.0 * e2));
  for (int64_t i = f3 + 1; i < n; ++i) {
    e1 = ema_step<FAST>(e1, x[i], k, omk);
    e2 = ema_step<FAST>(e2, e1, k, omk);
    e3 = ema_step<FAST>(e3, e2, k, omk);
    out[i] = e3 + ((3.0 * e1) - (3.0 * e2));
  }
}

// TA-Lib's operation order (bit-identical to TA_DEMA / TA_TEMA on finite input).
NEURION_HD void dema_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) { dema_from_t<false>(x, begin, n, p, out); }
NEURION_HD void tema_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) { tema_from_t<false>(x, begin, n, p, out); }

// TRIMA: triangular weights 1,2,..,2,1 (odd p = 2h+1: peak h+1, weights sum (h+1)^2; even
// p = 2h: the two middle weights h, sum h(h+1)) = SMA of an SMA. TA_TRIMA's running numerator:
// numeratorSub sums the older half [s, s+p-h), numeratorAdd the newer half [s+p-h, s+p).
// Lookback p-1. Unlike TA-Lib (whose running sums keep a NaN forever), a window holding a
// non-finite value is computed directly and the running sums restart once it has left, so
// the result equals the SMA-of-SMA reference (IEEE semantics per window).
NEURION_HD double trima_weight(int64_t j, int64_t p) { return static_cast<double>(j + 1 < p - j ? j + 1 : p - j); }

NEURION_HD void trima_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t start = begin + p - 1;
  fill_nan(out, 0, start < n ? start : n);
  if (start >= n) return;
  const int64_t h = p >> 1, split = p - h;
  const bool odd = (p % 2) == 1;
  const double factor = 1.0 / (odd ? static_cast<double>((h + 1) * (h + 1)) : static_cast<double>(h * (h + 1)));
  double num = 0.0, sub = 0.0, add = 0.0;
  int64_t bad = 0;
  bool restart = true;
  for (int64_t i = begin; i < start; ++i) bad += finite(x[i]) ? 0 : 1;
  for (int64_t i = start; i < n; ++i) {
    const int64_t s = i - p + 1;  // window [s, i]
    bad += finite(x[i]) ? 0 : 1;
    if (s > begin) bad -= finite(x[s - 1]) ? 0 : 1;
    if (bad > 0) {
      double w = 0.0;
      for (int64_t j = 0; j < p; ++j) w += trima_weight(j, p) * x[s + j];
      out[i] = w * factor;
      restart = true;
      continue;
    }
    if (restart) {  // TA-Lib's initialisation (older half backwards, then the newer half)
      num = 0.0; sub = 0.0; add = 0.0;
      for (int64_t j = s + split - 1; j >= s; --j) { sub += x[j]; num += sub; }
      for (int64_t j = s + split; j <= i; ++j) { add += x[j]; num += add; }
      restart = false;
    } else {  // slide from [s-1, i-1]: TA-Lib's steps (1)-(3)
      const double xm = x[s - 1 + split];
      num -= sub;
      sub -= x[s - 1];
      sub += xm;
      if (odd) { num += add; add -= xm; }
      else { add -= xm; num += add; }
      add += x[i];
      num += x[i];
    }
    out[i] = num * factor;
  }
}

// KAMA (Kaufman), TA_KAMA with TA-Lib's fixed fast 2 / slow 30: ER = |x[t]-x[t-p]| / sum of
// |1-bar changes| over the same p changes (1 when that sum <= the signed change or |sum| < 1e-14),
// sc = (ER (2/3 - 2/31) + 2/31)^2, kama = (x - kama) sc + kama, seeded with x[begin+p-1].
// Lookback p.
constexpr double kKamaConstMax = 2.0 / (30.0 + 1.0);
constexpr double kKamaConstDiff = 2.0 / (2.0 + 1.0) - kKamaConstMax;

NEURION_HD double kama_sc(double sum_roc1, double period_roc) {
  double t;
  if ((sum_roc1 <= period_roc) || ((-0.00000000000001 < sum_roc1) && (sum_roc1 < 0.00000000000001))) t = 1.0;
  else t = fabs(period_roc / sum_roc1);
  t = (t * kKamaConstDiff) + kKamaConstMax;
  return t * t;
}

NEURION_HD void kama_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t start = begin + p;
  fill_nan(out, 0, start < n ? start : n);
  if (start >= n) return;
  double sum = 0.0;
  for (int64_t j = begin; j < start; ++j) {
    double t = x[j];
    t -= x[j + 1];
    sum += fabs(t);
  }
  double kama = x[start - 1];
  kama = ((x[start] - kama) * kama_sc(sum, x[start] - x[begin])) + kama;
  out[start] = kama;
  for (int64_t i = start + 1; i < n; ++i) {
    const double cur = x[i], trail = x[i - p];
    const double roc = cur - trail;
    sum -= fabs(x[i - p - 1] - trail);
    sum += fabs(cur - x[i - 1]);
    kama = ((cur - kama) * kama_sc(sum, roc)) + kama;
    out[i] = kama;
  }
}

// T3 (Tillson), TA_T3: six chained EMAs in the form e = k v + (1-k) e, each seeded with the
// mean of its first p inputs; T3 = c1 e6 + c2 e5 + c3 e4 + c4 e3 with a = vFactor,
// c1 = -a^3, c2 = 3(a^2 - c1), c3 = -6a^2 - 3(a - c1), c4 = 1 + 3a - c1 + 3a^2. Lookback 6(p-1).
struct T3Stage {
  int64_t p, cnt;
  double e;
  NEURION_HD void init(int64_t period) { p = period; cnt = 0; e = 0.0; }
  NEURION_HD bool push(double v, double k, double omk) {
    if (cnt < p) {
      e += v;
      if (++cnt < p) return false;
      e = e / static_cast<double>(p);
      return true;
    }
    e = (k * v) + (omk * e);
    return true;
  }
};

struct T3Coef {
  double c1, c2, c3, c4;
};

NEURION_HD T3Coef t3_coef(double v) {
  const double t = v * v;
  T3Coef c;
  c.c1 = -(t * v);
  c.c2 = 3.0 * (t - c.c1);
  c.c3 = -6.0 * t - 3.0 * (v - c.c1);
  c.c4 = 1.0 + 3.0 * v - c.c1 + 3.0 * t;
  return c;
}

NEURION_HD void t3_from(const double* x, int64_t begin, int64_t n, int64_t p, double vfactor, double* out) {
  const double k = 2.0 / (static_cast<double>(p) + 1.0), omk = 1.0 - k;
  const T3Coef c = t3_coef(vfactor);
  T3Stage s[6];
  for (int j = 0; j < 6; ++j) s[j].init(p);
  const double q = nan_value();
  for (int64_t i = 0; i < begin && i < n; ++i) out[i] = q;
  for (int64_t i = begin; i < n; ++i) {
    double v = x[i];
    bool ok = true;
    for (int j = 0; j < 6 && ok; ++j) {
      ok = s[j].push(v, k, omk);
      v = s[j].e;
    }
    out[i] = ok ? c.c1 * s[5].e + c.c2 * s[4].e + c.c3 * s[3].e + c.c4 * s[2].e : q;
  }
}

// ---- indicators ----

NEURION_HD int64_t ta_sma_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_sma_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_sma(const TaRow& r) { sma_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_sma_meta() {
  return {"sma", 1, {"x"}, 1, {"sma"}, 1, {{"period", 30, 1, 1e9, true, true}}};
}

NEURION_HD int64_t ta_ema_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_ema_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_ema(const TaRow& r) { ema_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_ema_meta() {
  return {"ema", 1, {"x"}, 1, {"ema"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_wma_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_wma_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_wma(const TaRow& r) { wma_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_wma_meta() {
  return {"wma", 1, {"x"}, 1, {"wma"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

// ---- the MA-type dispatcher used by composite indicators (BBANDS, STOCH, APO, PPO, ...) ----

// Lookback of an MA of type t and period p (TA-Lib's TA_MA_Lookback: 0 for period 1).
NEURION_HD int64_t ma_lookback(int t, int64_t p) {
  if (p <= 1) return 0;
  switch (t) {
    case kSma: case kEma: case kWma: case kTrima: return p - 1;
    case kDema: return 2 * (p - 1);
    case kTema: return 3 * (p - 1);
    case kKama: return p;
    case kT3: return 6 * (p - 1);
    default: return p - 1;  // MAMA: unsupported (ma_row writes NaN)
  }
}

// Scratch doubles ma_row needs for type t over n values (none: every type runs in one pass).
NEURION_HD int64_t ma_scratch(int t, int64_t n, int64_t p) {
  (void)t; (void)n; (void)p;
  return 0;
}

// MA of type t over x[begin..n) into out (out[0 .. begin + ma_lookback) = NaN); out must not
// alias x. Period 1 returns the input unchanged for every type, as TA-Lib does. T3 uses
// vFactor 0.7 and KAMA fast 2 / slow 30, as TA_MA. MAMA (7) is not supported: all NaN.
NEURION_HD void ma_row(int t, const double* x, int64_t begin, int64_t n, int64_t p, double* out, double* scratch) {
  (void)scratch;
  if (p == 1) {
    fill_nan(out, 0, begin < n ? begin : n);
    for (int64_t i = begin; i < n; ++i) out[i] = x[i];
    return;
  }
  switch (t) {
    case kSma: sma_from(x, begin, n, p, out); break;
    case kEma: ema_from(x, begin, n, p, out); break;
    case kWma: wma_from(x, begin, n, p, out); break;
    case kDema: dema_from(x, begin, n, p, out); break;
    case kTema: tema_from(x, begin, n, p, out); break;
    case kTrima: trima_from(x, begin, n, p, out); break;
    case kKama: kama_from(x, begin, n, p, out); break;
    case kT3: t3_from(x, begin, n, p, 0.7, out); break;
    default: fill_nan(out, 0, n); break;
  }
}

}  // namespace neurion::ta
