// Volatility indicators (see native/ta/ta.h for the kernel contract). TA-Lib name in brackets.
//
//   trange  [TRANGE]  max(H - L, |C[t-1] - H|, |C[t-1] - L|) from bar 1 (TA-Lib skips bar 0).
//   atr     [ATR]     Wilder: seed = mean of TR[1..p] at bar p, then a = (a (p-1) + TR) / p.
//   natr    [NATR]    100 ATR / close (0 where TA_IS_ZERO(close), as TA-Lib's first value).
//   bbands  [BBANDS]  middle = MA(maType, p); upper/lower = middle +- nbDev * population std
//                     (TA-Lib's running sums); plus percentB and bandwidth (ours).
//   keltner           middle = EMA(close, p) (TA-Lib seeding); bands = middle +- mult * ATR(atrPeriod).
//   donchian          highest high, lowest low over p bars (current bar included), and their mean.
//   stddev  [STDDEV], var [VAR]  TA-Lib, running sums operation for operation (see statistics.h).
//   volCloseToClose, volParkinson, volGarmanKlass, volRogersSatchell, volYangZhang: range-based
//                     volatility estimators, annualised: sqrt(periodsPerYear * variance per bar).
#pragma once
#include "ma.h"
#include "statistics.h"

namespace neurion::ta {

namespace vs {

constexpr double kLn2 = 0.69314718055994530942;

// TA-Lib TRANGE's comparison order; NaN in any of the three inputs gives NaN.
NEURION_HD double true_range(double h, double l, double cp) {
  double g = h - l;
  const double v2 = fabs(cp - h);
  if (v2 > g) g = v2;
  const double v3 = fabs(cp - l);
  if (v3 > g) g = v3;
  return (v2 != v2 || v3 != v3) ? nan_value() : g;
}

// TA-Lib ATR into out (NaN before p): TR from bar 1, seed = sum(TR[1..p]) / p at bar p,
// then Wilder's recursion in TA-Lib's order. p == 1 is TRANGE (as TA-Lib).
NEURION_HD void atr_row(const double* h, const double* l, const double* c, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, lo64(p, n));
  if (p == 1) {
    for (int64_t i = 1; i < n; ++i) out[i] = true_range(h[i], l[i], c[i - 1]);
    return;
  }
  if (p >= n) return;
  const double dp = static_cast<double>(p), dpm1 = static_cast<double>(p - 1);
  double sum = 0.0;
  for (int64_t i = 1; i <= p; ++i) sum += true_range(h[i], l[i], c[i - 1]);
  double a = sum / dp;
  out[p] = a;
  for (int64_t i = p + 1; i < n; ++i) {
    a *= dpm1;
    a += true_range(h[i], l[i], c[i - 1]);
    a /= dp;
    out[i] = a;
  }
}

// TA-Lib SMA (INT_SMA's running total: add the new value, output, then drop the oldest).
NEURION_HD void talib_sma(const double* x, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, lo64(p - 1, n));
  if (p - 1 >= n) return;
  const double dp = static_cast<double>(p);
  double total = 0.0;
  int64_t i = 0;
  for (; i < p - 1; ++i) total += x[i];
  int64_t trailing = 0;
  for (; i < n; ++i) {
    total += x[i];
    const double t = total;
    total -= x[trailing++];
    out[i] = t / dp;
  }
}

// TA-Lib INT_stddev_using_precalc_ma (BBANDS with an SMA middle): running sum of squares
// minus the squared SMA; std = 0 when that is TA_IS_ZERO_OR_NEG. Outputs from p-1.
NEURION_HD void talib_std_precalc_ma(const double* x, const double* ma, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, lo64(p - 1, n));
  if (p - 1 >= n) return;
  const double dp = static_cast<double>(p);
  double total2 = 0.0;
  int64_t start = 0, end = p - 1;
  for (int64_t i = start; i < end; ++i) {
    double t = x[i];
    t *= t;
    total2 += t;
  }
  for (; end < n; ++start, ++end) {
    double t = x[end];
    t *= t;
    total2 += t;
    double m2 = total2 / dp;
    t = x[start];
    t *= t;
    total2 -= t;
    t = ma[end];
    t *= t;
    m2 -= t;
    out[end] = !(m2 < kTalibEps) ? sqrt(m2) : 0.0;
  }
}

// Windowed annualised volatility from RollMoments: sqrt(periodsPerYear * variance).
NEURION_HD double annualise(double ppy, double var) {
  const double v = var < 0.0 ? 0.0 : var;  // NaN stays NaN
  return sqrt(ppy * v);
}

}  // namespace vs

// ---- trange / atr / natr ----

NEURION_HD int64_t ta_trange_lookback(const double*) { return 1; }
NEURION_HD int64_t ta_trange_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_trange(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  double* out = r.out[0];
  if (r.n > 0) out[0] = nan_value();
  for (int64_t i = 1; i < r.n; ++i) out[i] = vs::true_range(h[i], l[i], c[i - 1]);
}
inline TaMeta ta_trange_meta() { return {"trange", 3, {"high", "low", "close"}, 1, {"trange"}, 0, {}}; }

NEURION_HD int64_t ta_atr_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_atr_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_atr(const TaRow& r) { vs::atr_row(r.in[0], r.in[1], r.in[2], r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_atr_meta() {
  return {"atr", 3, {"high", "low", "close"}, 1, {"atr"}, 1, {{"period", 14, 1, 1e9, true, true}}};
}

NEURION_HD int64_t ta_natr_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_natr_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_natr(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double* c = r.in[2];
  double* out = r.out[0];
  vs::atr_row(r.in[0], r.in[1], c, n, p, out);
  for (int64_t i = p; i < n; ++i) out[i] = vs::talib_is_zero(c[i]) ? 0.0 : (out[i] / c[i]) * 100.0;
}
inline TaMeta ta_natr_meta() {
  return {"natr", 3, {"high", "low", "close"}, 1, {"natr"}, 1, {{"period", 14, 1, 1e9, true, true}}};
}

// ---- bbands ----
// TA-Lib BBANDS: maType 0 (SMA) uses TA-Lib's SMA and INT_stddev_using_precalc_ma; other types
// the MA from ma_row and TA-Lib STDDEV(p, 1) started where the MA starts. Then
//   upper = middle + nbDevUp * std, lower = middle - nbDevDn * std        (TA-Lib)
//   percentB  = (x - lower) / (upper - lower); 0.5 when upper == lower    (ours)
//   bandwidth = (upper - lower) / middle;      NaN when middle == 0       (ours)

NEURION_HD int64_t ta_bbands_lookback(const double* p) { return ma_lookback(static_cast<int>(ipar(p, 3)), ipar(p, 0)); }
NEURION_HD int64_t ta_bbands_scratch(int64_t n, const double* p) {
  return ma_scratch(static_cast<int>(ipar(p, 3)), n, ipar(p, 0));
}
NEURION_HD void ta_bbands(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double up = r.p[1], dn = r.p[2];
  const int type = static_cast<int>(ipar(r.p, 3));
  const double* x = r.in[0];
  double *upper = r.out[0], *mid = r.out[1], *lower = r.out[2], *pb = r.out[3], *bw = r.out[4];
  const int64_t lb = ma_lookback(type, p);
  if (type == kSma) {
    vs::talib_sma(x, n, p, mid);
    vs::talib_std_precalc_ma(x, mid, n, p, lower);
  } else {
    ma_row(type, x, 0, n, p, mid, r.scratch);
    vs::talib_var_from(x, lb - (p - 1), n, p, lower);
    for (int64_t i = lb; i < n; ++i) lower[i] = vs::talib_std(lower[i], 1.0);
  }
  const int64_t first = vs::lo64(lb, n);
  fill_nan(upper, 0, first);
  fill_nan(mid, 0, first);
  fill_nan(lower, 0, first);
  fill_nan(pb, 0, first);
  fill_nan(bw, 0, first);
  for (int64_t i = lb; i < n; ++i) {
    const double s = lower[i], m = mid[i];
    const double u = m + (s * up), l = m - (s * dn);
    upper[i] = u;
    lower[i] = l;
    const double w = u - l;
    pb[i] = w == 0.0 ? 0.5 : (x[i] - l) / w;
    bw[i] = m == 0.0 ? nan_value() : w / m;
  }
}
inline TaMeta ta_bbands_meta() {
  return {"bbands", 1, {"x"}, 5, {"upper", "middle", "lower", "percentB", "bandwidth"}, 4,
          {{"period", 20, 2, 1e9, true, true},
           {"nbDevUp", 2, -3e37, 3e37, false, false},
           {"nbDevDn", 2, -3e37, 3e37, false, false},
           {"maType", 0, 0, 8, true, false}}};
}

// ---- keltner: EMA(close, period) +- multiplier * ATR(atrPeriod) ----

NEURION_HD int64_t ta_keltner_lookback(const double* p) { return vs::hi64(ipar(p, 0) - 1, ipar(p, 1)); }
NEURION_HD int64_t ta_keltner_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_keltner(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0), ap = ipar(r.p, 1);
  const double mult = r.p[2];
  double *upper = r.out[0], *mid = r.out[1], *lower = r.out[2];
  ema_from(r.in[2], 0, n, p, mid);
  vs::atr_row(r.in[0], r.in[1], r.in[2], n, ap, lower);  // ATR, parked in `lower`
  const int64_t lb = vs::hi64(p - 1, ap), first = vs::lo64(lb, n);
  fill_nan(upper, 0, first);
  fill_nan(mid, 0, first);
  fill_nan(lower, 0, first);
  for (int64_t i = lb; i < n; ++i) {
    const double m = mid[i], d = mult * lower[i];
    upper[i] = m + d;
    lower[i] = m - d;
  }
}
inline TaMeta ta_keltner_meta() {
  return {"keltner", 3, {"high", "low", "close"}, 3, {"upper", "middle", "lower"}, 3,
          {{"period", 20, 2, 1e9, true, true}, {"atrPeriod", 10, 1, 1e9, true, true}, {"multiplier", 2, 0, 1e9, false, false}}};
}

// ---- donchian: upper = max(high), lower = min(low) over p bars, middle = (upper + lower) / 2 ----

NEURION_HD int64_t ta_donchian_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_donchian_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_donchian(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  double *upper = r.out[0], *mid = r.out[1], *lower = r.out[2];
  vs::rolling_extreme<true>(r.in[0], n, p, upper, r.scratch);
  vs::rolling_extreme<false>(r.in[1], n, p, lower, r.scratch);
  for (int64_t i = 0; i < n; ++i) mid[i] = (upper[i] + lower[i]) * 0.5;
}
inline TaMeta ta_donchian_meta() {
  return {"donchian", 2, {"high", "low"}, 3, {"upper", "middle", "lower"}, 1, {{"period", 20, 1, 1e9, true, true}}};
}

// ---- stddev / var (TA-Lib STDDEV, VAR; VAR ignores nbDev, as TA-Lib does) ----

NEURION_HD int64_t ta_stddev_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_stddev_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_stddev(const TaRow& r) {
  const int64_t p = ipar(r.p, 0);
  double* out = r.out[0];
  vs::talib_var_from(r.in[0], 0, r.n, p, out);
  for (int64_t i = p - 1; i < r.n; ++i) out[i] = vs::talib_std(out[i], r.p[1]);
}
inline TaMeta ta_stddev_meta() {
  return {"stddev", 1, {"x"}, 1, {"stddev"}, 2, {{"period", 5, 2, 1e9, true, true}, {"nbDev", 1, -3e37, 3e37, false, false}}};
}

NEURION_HD int64_t ta_var_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_var_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_var(const TaRow& r) { vs::talib_var_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_var_meta() {
  return {"var", 1, {"x"}, 1, {"var"}, 2, {{"period", 5, 1, 1e9, true, true}, {"nbDev", 1, -3e37, 3e37, false, false}}};
}

// ---- range-based volatility estimators (annualised) ----
// Per-bar terms (o = open, h = high, l = low, c = close, c' = previous close):
//   close-to-close     r = ln(c / c')                       sample variance (n - 1) of r over p bars
//   Parkinson (1980)   ln(h/l)^2 / (4 ln 2)                 mean over p bars
//   Garman-Klass (1980) 0.5 ln(h/l)^2 - (2 ln 2 - 1) ln(c/o)^2   mean over p bars
//   Rogers-Satchell (1991) ln(h/c) ln(h/o) + ln(l/c) ln(l/o)    mean over p bars
//   Yang-Zhang (2000)  var(ln(o/c')) + k var(ln(c/o)) + (1-k) RS, k = 0.34 / (1.34 + (p+1)/(p-1)),
//                      variances sample (n - 1) over p bars
// vol = sqrt(periodsPerYear * variance), a negative variance (inconsistent bars) clamped to 0.

#define NEURION_VS_META(nm, minp)                                                                              \
  inline TaMeta ta_##nm##_meta() {                                                                             \
    return {#nm, 4, {"open", "high", "low", "close"}, 1, {"vol"}, 2,                                           \
            {{"period", 20, minp, 1e9, true, true}, {"periodsPerYear", 252, 0, 1e9, false, false}}};           \
  }

NEURION_HD int64_t ta_volCloseToClose_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_volCloseToClose_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_volCloseToClose(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1];
  const double* c = r.in[3];
  double* out = r.out[0];
  vs::RollMoments m;
  m.init(r.scratch, p);
  if (n > 0) out[0] = nan_value();
  for (int64_t i = 1; i < n; ++i) {
    m.push(log(c[i] / c[i - 1]));
    out[i] = i < p ? nan_value() : vs::annualise(ppy, m.var_sample());
  }
}
NEURION_VS_META(volCloseToClose, 2)

NEURION_HD int64_t ta_volParkinson_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_volParkinson_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_volParkinson(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1];
  const double *h = r.in[1], *l = r.in[2];
  double* out = r.out[0];
  vs::RollMoments m;
  m.init(r.scratch, p);
  for (int64_t i = 0; i < n; ++i) {
    const double hl = log(h[i] / l[i]);
    m.push(hl * hl);
    out[i] = i < p - 1 ? nan_value() : vs::annualise(ppy, m.mean() / (4.0 * vs::kLn2));
  }
}
NEURION_VS_META(volParkinson, 1)

NEURION_HD double gk_term(double o, double h, double l, double c) {
  const double hl = log(h / l), co = log(c / o);
  return 0.5 * (hl * hl) - (2.0 * vs::kLn2 - 1.0) * (co * co);
}
NEURION_HD double rs_term(double o, double h, double l, double c) {
  return log(h / c) * log(h / o) + log(l / c) * log(l / o);
}

NEURION_HD int64_t ta_volGarmanKlass_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_volGarmanKlass_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_volGarmanKlass(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1];
  double* out = r.out[0];
  vs::RollMoments m;
  m.init(r.scratch, p);
  for (int64_t i = 0; i < n; ++i) {
    m.push(gk_term(r.in[0][i], r.in[1][i], r.in[2][i], r.in[3][i]));
    out[i] = i < p - 1 ? nan_value() : vs::annualise(ppy, m.mean());
  }
}
NEURION_VS_META(volGarmanKlass, 1)

NEURION_HD int64_t ta_volRogersSatchell_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_volRogersSatchell_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_volRogersSatchell(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1];
  double* out = r.out[0];
  vs::RollMoments m;
  m.init(r.scratch, p);
  for (int64_t i = 0; i < n; ++i) {
    m.push(rs_term(r.in[0][i], r.in[1][i], r.in[2][i], r.in[3][i]));
    out[i] = i < p - 1 ? nan_value() : vs::annualise(ppy, m.mean());
  }
}
NEURION_VS_META(volRogersSatchell, 1)

NEURION_HD double yz_k(int64_t p) {
  const double dp = static_cast<double>(p);
  return 0.34 / (1.34 + (dp + 1.0) / (dp - 1.0));
}

NEURION_HD int64_t ta_volYangZhang_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_volYangZhang_scratch(int64_t, const double* p) { return 3 * ipar(p, 0); }
NEURION_HD void ta_volYangZhang(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1], k = yz_k(p);
  const double *o = r.in[0], *h = r.in[1], *l = r.in[2], *c = r.in[3];
  double* out = r.out[0];
  vs::RollMoments mo, mc, mrs;
  mo.init(r.scratch, p);
  mc.init(r.scratch + p, p);
  mrs.init(r.scratch + 2 * p, p);
  if (n > 0) out[0] = nan_value();
  for (int64_t i = 1; i < n; ++i) {
    mo.push(log(o[i] / c[i - 1]));
    mc.push(log(c[i] / o[i]));
    mrs.push(rs_term(o[i], h[i], l[i], c[i]));
    if (i < p) { out[i] = nan_value(); continue; }
    const double v = mo.var_sample() + k * mc.var_sample() + (1.0 - k) * mrs.mean();
    out[i] = vs::annualise(ppy, v);
  }
}
NEURION_VS_META(volYangZhang, 2)

#undef NEURION_VS_META

}  // namespace neurion::ta

#define NEURION_TA_VOLATILITY(TA) \
  TA(trange)                      \
  TA(atr)                         \
  TA(natr)                        \
  TA(bbands)                      \
  TA(keltner)                     \
  TA(donchian)                    \
  TA(stddev)                      \
  TA(var)                         \
  TA(volCloseToClose)             \
  TA(volParkinson)                \
  TA(volGarmanKlass)              \
  TA(volRogersSatchell)           \
  TA(volYangZhang)
