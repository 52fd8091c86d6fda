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

// TA-Lib NATR's scaling of one ATR value.
NEURION_HD double natr_of(double a, double c) { return talib_is_zero(c) ? 0.0 : (a / c) * 100.0; }

// TA-Lib ATR into out (NaN before p): TR from bar 1, seed = sum(TR[1..p]) / p at bar p,
// then Wilder's recursion a = (a (p-1) + TR) / p, evaluated as a * ((p-1)/p) + TR * (1/p):
// the loop-carried chain is one multiply and one add instead of multiply, add and divide
// (3x shorter latency). It differs from TA-Lib's rounding by a few ulp per step, and the
// recursion contracts (factor (p-1)/p), so the difference stays ~p ulp (rel ~1e-15, far
// inside the 1e-9 TA-Lib tolerance); atrRow and AtrStream (volatility.ts) use the same
// expression, so batch, stream and reference agree exactly. p == 1 is TRANGE (as TA-Lib).
// kNatr: write NATR (100 ATR / close, 0 where TA_IS_ZERO(close)) in the same pass.
template <bool kNatr>
NEURION_HD void atr_row_t(const double* h, const double* l, const double* c, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, lo64(p, n));
  if (p == 1) {
    for (int64_t i = 1; i < n; ++i) {
      const double tr = true_range(h[i], l[i], c[i - 1]);
      out[i] = kNatr ? natr_of(tr, c[i]) : tr;
    }
    return;
  }
  if (p >= n) return;
  const double dp = static_cast<double>(p);
  const double k = static_cast<double>(p - 1) / dp, r = 1.0 / dp;
  double sum = 0.0;
  for (int64_t i = 1; i <= p; ++i) sum += true_range(h[i], l[i], c[i - 1]);
  double a = sum / dp;
  out[p] = kNatr ? natr_of(a, c[p]) : a;
  double cp = c[p];
  for (int64_t i = p + 1; i < n; ++i) {
    const double ci = c[i];
    a = a * k + true_range(h[i], l[i], cp) * r;
    cp = ci;
    out[i] = kNatr ? natr_of(a, ci) : a;
  }
}
NEURION_HD void atr_row(const double* h, const double* l, const double* c, int64_t n, int64_t p, double* out) {
  atr_row_t<false>(h, l, c, n, p, out);
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

// BBANDS with an SMA middle in one pass over x, two bars per iteration like talib_var_pairs
// (statistics.h): TA-Lib's SMA total and INT_stddev_using_precalc_ma's sum of squares are the
// same running sums as INT_VAR's (add the new value, read, drop the oldest), so the serial part
// keeps both, and the rest runs for the pair at once (SSE2; scalar elsewhere) with exactly
// talib_sma's and talib_std_precalc_ma's operations, then the band outputs:
//   mid = t1 / p; m2 = t2 / p - mid^2; s = m2 < eps ? 0 : sqrt(m2)
//   upper = mid + s up; lower = mid - s dn; percentB; bandwidth          (as ta_bbands)
NEURION_HD void bb_finish1(double s1, double s2, double x, double dp, double up, double dn, double* const* o, int64_t i) {
  const double md = s1 / dp;
  double m2 = s2 / dp;
  m2 -= md * md;
  const double sd = !(m2 < kTalibEps) ? sqrt(m2) : 0.0;
  const double u = md + (sd * up), l = md - (sd * dn);
  o[0][i] = u;
  o[1][i] = md;
  o[2][i] = l;
  const double w = u - l;
  o[3][i] = w == 0.0 ? 0.5 : (x - l) / w;
  o[4][i] = md == 0.0 ? nan_value() : w / md;
}
NEURION_HD void bb_finish2(double a1, double a2, double b1, double b2, const double* x, double dp, double up, double dn,
                           double* const* o, int64_t i) {
#if !defined(__CUDACC__) && defined(__SSE2__)
  const __m128d vdp = _mm_set1_pd(dp), zero = _mm_setzero_pd();
  const __m128d md = _mm_div_pd(_mm_set_pd(b1, a1), vdp);
  __m128d m2 = _mm_div_pd(_mm_set_pd(b2, a2), vdp);
  m2 = _mm_sub_pd(m2, _mm_mul_pd(md, md));
  const __m128d sd = _mm_andnot_pd(_mm_cmplt_pd(m2, _mm_set1_pd(kTalibEps)), _mm_sqrt_pd(m2));
  const __m128d u = _mm_add_pd(md, _mm_mul_pd(sd, _mm_set1_pd(up)));
  const __m128d l = _mm_sub_pd(md, _mm_mul_pd(sd, _mm_set1_pd(dn)));
  const __m128d w = _mm_sub_pd(u, l);
  const __m128d weq = _mm_cmpeq_pd(w, zero), meq = _mm_cmpeq_pd(md, zero);
  const __m128d b = _mm_div_pd(_mm_sub_pd(_mm_loadu_pd(x), l), w);
  const __m128d bwv = _mm_div_pd(w, md);
  _mm_storeu_pd(o[0] + i, u);
  _mm_storeu_pd(o[1] + i, md);
  _mm_storeu_pd(o[2] + i, l);
  _mm_storeu_pd(o[3] + i, _mm_or_pd(_mm_and_pd(weq, _mm_set1_pd(0.5)), _mm_andnot_pd(weq, b)));
  _mm_storeu_pd(o[4] + i, _mm_or_pd(_mm_and_pd(meq, _mm_set1_pd(nan_value())), _mm_andnot_pd(meq, bwv)));
#else
  bb_finish1(a1, a2, x[0], dp, up, dn, o, i);
  bb_finish1(b1, b2, x[1], dp, up, dn, o, i + 1);
#endif
}

#if defined(NEURION_TA_AVX_DISPATCH)
// bbands_sma's loop, four bars per iteration (AVX); returns where it stopped.
NEURION_TA_AVX inline int64_t bbands_sma_avx(const double* x, const double* tr, int64_t i, int64_t n, double& t1r,
                                             double& t2r, double dp, double up, double dn, double* const* o) {
  double t1 = t1r, t2 = t2r;
  const __m256d vdp = _mm256_set1_pd(dp), zero = _mm256_setzero_pd(), veps = _mm256_set1_pd(kTalibEps),
                vup = _mm256_set1_pd(up), vdn = _mm256_set1_pd(dn), half = _mm256_set1_pd(0.5),
                qnan = _mm256_set1_pd(nan_value());
  for (; i + 4 <= n; i += 4) {
    double a1, a2, b1, b2, c1, c2, d1, d2;
    NEURION_VS_VAR_STEP(i, a1, a2);
    NEURION_VS_VAR_STEP(i + 1, b1, b2);
    NEURION_VS_VAR_STEP(i + 2, c1, c2);
    NEURION_VS_VAR_STEP(i + 3, d1, d2);
    const __m256d md = _mm256_div_pd(_mm256_set_pd(d1, c1, b1, a1), vdp);
    __m256d m2 = _mm256_div_pd(_mm256_set_pd(d2, c2, b2, a2), vdp);
    m2 = _mm256_sub_pd(m2, _mm256_mul_pd(md, md));
    const __m256d sd = _mm256_andnot_pd(_mm256_cmp_pd(m2, veps, _CMP_LT_OS), _mm256_sqrt_pd(m2));
    const __m256d u = _mm256_add_pd(md, _mm256_mul_pd(sd, vup));
    const __m256d l = _mm256_sub_pd(md, _mm256_mul_pd(sd, vdn));
    const __m256d w = _mm256_sub_pd(u, l);
    const __m256d weq = _mm256_cmp_pd(w, zero, _CMP_EQ_OQ), meq = _mm256_cmp_pd(md, zero, _CMP_EQ_OQ);
    const __m256d b = _mm256_div_pd(_mm256_sub_pd(_mm256_loadu_pd(x + i), l), w);
    const __m256d bwv = _mm256_div_pd(w, md);
    _mm256_storeu_pd(o[0] + i, u);
    _mm256_storeu_pd(o[1] + i, md);
    _mm256_storeu_pd(o[2] + i, l);
    _mm256_storeu_pd(o[3] + i, _mm256_or_pd(_mm256_and_pd(weq, half), _mm256_andnot_pd(weq, b)));
    _mm256_storeu_pd(o[4] + i, _mm256_or_pd(_mm256_and_pd(meq, qnan), _mm256_andnot_pd(meq, bwv)));
  }
  t1r = t1;
  t2r = t2;
  return i;
}
#endif

NEURION_HD void bbands_sma(const double* x, int64_t n, int64_t p, double up, double dn, double* const* o) {
  const int64_t first = p - 1;
  for (int k = 0; k < 5; ++k) fill_nan(o[k], 0, lo64(first, n));
  if (first >= n) return;
  const double dp = static_cast<double>(p);
  double t1 = 0.0, t2 = 0.0;
  int64_t i = 0;
  for (; i < first; ++i) {
    double v = x[i];
    t1 += v;
    v *= v;
    t2 += v;
  }
  const double* tr = x - first;
#if defined(NEURION_TA_AVX_DISPATCH)
  if (cpu_has_avx()) i = bbands_sma_avx(x, tr, i, n, t1, t2, dp, up, dn, o);
#endif
  for (; i + 2 <= n; i += 2) {
    double a1, a2, b1, b2;
    NEURION_VS_VAR_STEP(i, a1, a2);
    NEURION_VS_VAR_STEP(i + 1, b1, b2);
    bb_finish2(a1, a2, b1, b2, x + i, dp, up, dn, o, i);
  }
  if (i < n) {
    const double v = x[i];
    t1 += v;
    t2 += v * v;
    bb_finish1(t1, t2, v, dp, up, dn, o, i);
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
  const double* c = r.in[2];
  double* out = r.out[0];
  vs::atr_row_t<true>(r.in[0], r.in[1], c, r.n, ipar(r.p, 0), out);
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
  const int type = static_cast<int>(ipar(p, 3));
  return type == kSma ? 0 : ma_scratch(type, n, ipar(p, 0));
}
NEURION_HD void ta_bbands(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double up = r.p[1], dn = r.p[2];
  const int type = static_cast<int>(ipar(r.p, 3));
  const double* x = r.in[0];
  double *upper = r.out[0], *mid = r.out[1], *lower = r.out[2], *pb = r.out[3], *bw = r.out[4];
  if (type == kSma) {
    vs::bbands_sma(x, n, p, up, dn, r.out);
    return;
  }
  const int64_t lb = ma_lookback(type, p);
  ma_row(type, x, 0, n, p, mid, r.scratch);
  vs::talib_var_from(x, lb - (p - 1), n, p, lower);
  for (int64_t i = lb; i < n; ++i) lower[i] = vs::talib_std(lower[i], 1.0);
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
  vs::talib_var_pairs<true>(r.in[0], r.n, ipar(r.p, 0), r.p[1], r.out[0]);
}
inline TaMeta ta_stddev_meta() {
  return {"stddev", 1, {"x"}, 1, {"stddev"}, 2, {{"period", 5, 2, 1e9, true, true}, {"nbDev", 1, -3e37, 3e37, false, false}}};
}

NEURION_HD int64_t ta_var_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_var_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_var(const TaRow& r) { vs::talib_var_pairs<false>(r.in[0], r.n, ipar(r.p, 0), 1.0, r.out[0]); }
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

namespace vs {
// ln(q) for q = c / c' (the rounded quotient, as the TS twins take Math.log(c / c')). Near 1
// (|q - 1| <= 1/32, a move under ~3%: nearly every bar) the series ln(1 + u) = u - u^2/2 + ...
// through u^11 (truncation < 3e-18 of the result), u = q - 1 exact (Sterbenz): u + u^2 P(u),
// within about an ulp, no division and no call; elsewhere (and for NaN/Inf/0) libm's log. The
// batch and the stream (Math.log) then differ by an ulp or two per return, ~1e-16 relative in
// the variance.
NEURION_HD double log_ratio(double q) {
  const double u = q - 1.0;
  if (!(fabs(u) <= 0.03125)) return log(q);
  const double u2 = u * u;
  // P(u) = -1/2 + u/3 - u^2/4 + ... + u^9/11, Estrin in u^2 pairs
  const double a0 = -0.5 + u * 0.33333333333333333333, a1 = -0.25 + u * 0.2;
  const double a2 = -0.16666666666666666667 + u * 0.14285714285714285714, a3 = -0.125 + u * 0.11111111111111111111;
  const double a4 = -0.1 + u * 0.09090909090909090909;
  const double u4 = u2 * u2;
  const double pp = (a0 + u2 * a1) + u4 * ((a2 + u2 * a3) + u4 * a4);
  return u + u2 * pp;
}
// out[i] = log_ratio(c[i] / c[i-1]) for i in [a, b) (a >= 1).
NEURION_HD void log_returns(const double* c, int64_t a, int64_t b, double* out) {
  for (int64_t i = a; i < b; ++i) out[i] = log_ratio(c[i] / c[i - 1]);
}
#if defined(NEURION_TA_AVX_DISPATCH)
// log_returns, four bars per instruction: log_ratio's series with the same operations lane by
// lane (so the same values); a group with a lane outside |u| <= 1/32 (or NaN) takes the scalar
// log_ratio for all four.
NEURION_TA_AVX inline void log_returns_avx(const double* c, int64_t a, int64_t b, double* out) {
  const __m256d one = _mm256_set1_pd(1.0), lim = _mm256_set1_pd(0.03125), sign = _mm256_set1_pd(-0.0);
  int64_t i = a;
  for (; i + 4 <= b; i += 4) {
    const __m256d q = _mm256_div_pd(_mm256_loadu_pd(c + i), _mm256_loadu_pd(c + i - 1));
    const __m256d u = _mm256_sub_pd(q, one);
    if (_mm256_movemask_pd(_mm256_cmp_pd(_mm256_andnot_pd(sign, u), lim, _CMP_LE_OQ)) != 0xF) {
      for (int k = 0; k < 4; ++k) out[i + k] = log_ratio(c[i + k] / c[i + k - 1]);
      continue;
    }
    const __m256d u2 = _mm256_mul_pd(u, u);
    const __m256d a0 = _mm256_add_pd(_mm256_set1_pd(-0.5), _mm256_mul_pd(u, _mm256_set1_pd(0.33333333333333333333)));
    const __m256d a1 = _mm256_add_pd(_mm256_set1_pd(-0.25), _mm256_mul_pd(u, _mm256_set1_pd(0.2)));
    const __m256d a2 = _mm256_add_pd(_mm256_set1_pd(-0.16666666666666666667), _mm256_mul_pd(u, _mm256_set1_pd(0.14285714285714285714)));
    const __m256d a3 = _mm256_add_pd(_mm256_set1_pd(-0.125), _mm256_mul_pd(u, _mm256_set1_pd(0.11111111111111111111)));
    const __m256d a4 = _mm256_add_pd(_mm256_set1_pd(-0.1), _mm256_mul_pd(u, _mm256_set1_pd(0.09090909090909090909)));
    const __m256d u4 = _mm256_mul_pd(u2, u2);
    const __m256d pp = _mm256_add_pd(_mm256_add_pd(a0, _mm256_mul_pd(u2, a1)),
                                     _mm256_mul_pd(u4, _mm256_add_pd(_mm256_add_pd(a2, _mm256_mul_pd(u2, a3)), _mm256_mul_pd(u4, a4))));
    _mm256_storeu_pd(out + i, _mm256_add_pd(u, _mm256_mul_pd(u2, pp)));
  }
  log_returns(c, i, b, out);
}
#endif
}  // namespace vs

NEURION_HD int64_t ta_volCloseToClose_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_volCloseToClose_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_volCloseToClose(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double ppy = r.p[1];
  const double* c = r.in[3];
  double* out = r.out[0];
  // Pass 1: the log returns into out (independent per bar, so they overlap in the pipeline);
  // pass 2 reads each before overwriting it with the volatility.
#if defined(NEURION_TA_AVX_DISPATCH)
  if (vs::cpu_has_avx()) vs::log_returns_avx(c, 1, n, out);
  else vs::log_returns(c, 1, n, out);
#else
  vs::log_returns(c, 1, n, out);
#endif
  vs::RollMoments m;
  m.init(r.scratch, p);
  if (n > 0) out[0] = nan_value();
  for (int64_t i = 1; i < n; ++i) {
    m.push(out[i]);
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
