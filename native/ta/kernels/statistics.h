// Statistics indicators (see native/ta/ta.h for the kernel contract), and the rolling
// building blocks the volatility group (volatility.h) shares:
//
//   vs::rolling_extreme   rolling max/min, van Herk / Gil-Werman blocks (p doubles of scratch), O(1)
//   vs::rolling_sum       rolling sum with non-finite counts (recovers when a NaN leaves)
//   vs::talib_var_from    TA-Lib's INT_VAR running sums, operation for operation
//   vs::talib_var_pairs   the same from bar 0, two (SSE2) or four (AVX) bars' divisions at once
//   vs::RollMoments       rolling mean / variance of a stream from sums of deviations
//                         from an anchor, re-seeded exactly every p pushes (accurate for
//                         big prices and tiny FX moves alike; bounded error growth)
//
// Indicators (TA-Lib name in brackets):
//   rollingMin [MIN], rollingMax [MAX], rollingSum [SUM]   over x, period 30
//   zscore (x - mean) / population std over period 20; 0 when the window is constant
//   correl [CORREL]  Pearson correlation of x and y over period 30 (TA-Lib running sums)
//   beta   [BETA]    slope of the regression of y's 1-bar returns on x's, period 5
//
// Where TA-Lib has the indicator and computes it with running sums of raw values (VAR,
// STDDEV, CORREL, BETA), we reproduce its operation order exactly: its running sums of
// squares lose precision (catastrophic cancellation: on 1-minute BTC, a 5-bar VAR can be off
// by 100% of its value; see tests/ta.volatility.test.ts), so any more accurate algorithm
// would not match TA-Lib to 1e-9. Our own indicators (zscore, the range-based volatility
// estimators) use RollMoments, which is accurate.
#pragma once
#include "ma.h"

namespace neurion::ta {

namespace vs {

// TA-Lib's TA_EPSILON (ta_utility.h): TA_IS_ZERO(v) is -eps < v < eps, TA_IS_ZERO_OR_NEG(v) is v < eps.
constexpr double kTalibEps = 1e-14;

NEURION_HD int64_t lo64(int64_t a, int64_t b) { return a < b ? a : b; }
NEURION_HD int64_t hi64(int64_t a, int64_t b) { return a > b ? a : b; }
NEURION_HD bool talib_is_zero(double v) { return -kTalibEps < v && v < kTalibEps; }

// Rolling max (kMax) or min of x over windows of p, into out (NaN before p-1), by van Herk /
// Gil-Werman blocks: with blocks of p bars aligned at bar 0, the window ending at i is the tail
// of the previous block (its suffix extremes, computed backwards into `ring`, p doubles) plus
// the head of the current block (a running prefix extreme): three loads and two max/min per
// bar, no data-dependent branches (the selects compile to maxsd/minsd); O(1) per bar. max/min
// are exact, so the values equal a fresh scan's. A NaN in the window makes the output NaN (the
// fresh-window max/min would; tracked by the index of the last NaN, so the extremes themselves
// only need to be right for NaN-free ranges); the output recovers once it leaves the window.
template <bool kMax>
NEURION_HD double extreme2(double v, double acc) {
  return (kMax ? (v > acc) : (v < acc)) ? v : acc;
}
template <bool kMax>
NEURION_HD void rolling_extreme(const double* x, int64_t n, int64_t p, double* out, double* ring) {
  fill_nan(out, 0, lo64(p - 1, n));
  if (p - 1 >= n) return;
  const double q = nan_value();
  if (p == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = x[i];
    return;
  }
  // First block [0, p): out[p-1] only (its prefix extreme).
  int64_t last_nan = -p - 1;
  double acc = x[0];
  if (acc != acc) last_nan = 0;
  for (int64_t i = 1; i < p; ++i) {
    const double v = x[i];
    last_nan = v != v ? i : last_nan;
    acc = extreme2<kMax>(v, acc);
  }
  out[p - 1] = last_nan >= 0 ? q : acc;
  for (int64_t b = p; b < n; b += p) {
    // Suffix extremes of the previous block [b-p, b): ring[k] = extreme(x[b-p+k .. b-1]).
    const double* prev = x + (b - p);
    double s = prev[p - 1];
    ring[p - 1] = s;
    for (int64_t k = p - 2; k >= 1; --k) {
      s = extreme2<kMax>(prev[k], s);
      ring[k] = s;
    }
    // Bars b .. b+p-2: window = prev[i-b+1 .. p-1] + x[b .. i]; bar b+p-1: the whole block.
    const int64_t e = lo64(b + p - 1, n);
    double pre = x[b];
    last_nan = pre != pre ? b : last_nan;
    double m = extreme2<kMax>(ring[1], pre);
    out[b] = last_nan > b - p ? q : m;
    for (int64_t i = b + 1; i < e; ++i) {
      const double v = x[i];
      last_nan = v != v ? i : last_nan;
      pre = extreme2<kMax>(v, pre);
      m = extreme2<kMax>(ring[i - b + 1], pre);
      out[i] = last_nan > i - p ? q : m;
    }
    if (e < n) {
      const double v = x[e];
      last_nan = v != v ? e : last_nan;
      m = extreme2<kMax>(v, pre);
      out[e] = last_nan > e - p ? q : m;
    }
  }
}

// Rolling sum over windows of p (NaN before p-1): one running sum, non-finite values
// counted apart so that they affect only the windows holding them (as a fresh sum would).
// Same scheme and operation order as sma_row_range (native/common/sma_kernel.h).
NEURION_HD void rolling_sum(const double* x, int64_t n, int64_t p, double* out) {
  fill_nan(out, 0, lo64(p - 1, n));
  if (p - 1 >= n) return;
  double sum = 0.0;
  NonFiniteCount bad;
  for (int64_t j = 0; j < p; ++j) {
    const double v = x[j];
    if (is_finite(v)) sum += v; else bad.add(v, 1);
  }
  out[p - 1] = bad.total() == 0 ? sum : bad.value();
  for (int64_t i = p; i < n; ++i) {
    const double a = x[i], b = x[i - p];
    const double d = a - b;
    if (is_finite(d)) {
      sum += d;
    } else {
      if (is_finite(a)) sum += a; else bad.add(a, 1);
      if (is_finite(b)) sum -= b; else bad.add(b, -1);
    }
    out[i] = bad.total() == 0 ? sum : bad.value();
  }
}

// TA-Lib INT_VAR (ta_VAR.c), operation for operation: population variance of x over windows
// of p as mean(x^2) - mean(x)^2 from running sums started at `begin` (TA-Lib starts them at
// its startIdx - (p-1)); outputs from begin + p - 1, NaN before. A NaN stays in the sums.
NEURION_HD void talib_var_from(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, lo64(first, n));
  if (first >= n) return;
  const double dp = static_cast<double>(p);
  double t1 = 0.0, t2 = 0.0;
  int64_t i = begin;
  for (; i < first; ++i) {
    double v = x[i];
    t1 += v;
    v *= v;
    t2 += v;
  }
  int64_t trailing = begin;
  for (; i < n; ++i) {
    double v = x[i];
    t1 += v;
    v *= v;
    t2 += v;
    const double m1 = t1 / dp, m2 = t2 / dp;
    double w = x[trailing++];
    t1 -= w;
    w *= w;
    t2 -= w;
    out[i] = m2 - m1 * m1;
  }
}

// TA-Lib STDDEV from a variance: 0 when TA_IS_ZERO_OR_NEG(var), else sqrt(var) * nbDev.
NEURION_HD double talib_std(double var, double nb_dev) { return var < kTalibEps ? 0.0 : sqrt(var) * nb_dev; }

// INT_VAR's running sums two bars per iteration: the serial part (the sums' add chains: add
// the new value, read, drop the oldest) produces both bars' sums, and the rest (divisions,
// squares, sqrt) runs for the pair at once (SSE2 divpd/sqrtpd: IEEE, correctly rounded,
// identical to the scalar operations; scalar elsewhere), overlapping the next pair's chain.
// Every value is computed with the same operations in the same order as talib_var_from.

// Finish of two bars' sums for VAR / STDDEV: out[k] = s2_k/p - (s1_k/p)^2, then (kStd)
// TA-Lib's talib_std(var, nb).
template <bool kStd>
NEURION_HD void var_finish2(double a1, double a2, double b1, double b2, double dp, double nb, double* out) {
#if !defined(__CUDACC__) && defined(__SSE2__)
  const __m128d vdp = _mm_set1_pd(dp);
  const __m128d m1 = _mm_div_pd(_mm_set_pd(b1, a1), vdp);
  const __m128d m2 = _mm_div_pd(_mm_set_pd(b2, a2), vdp);
  __m128d v = _mm_sub_pd(m2, _mm_mul_pd(m1, m1));
  if (kStd) {
    const __m128d lt = _mm_cmplt_pd(v, _mm_set1_pd(kTalibEps));  // var < eps: 0 (false for NaN)
    v = _mm_andnot_pd(lt, _mm_mul_pd(_mm_sqrt_pd(v), _mm_set1_pd(nb)));
  }
  _mm_storeu_pd(out, v);
#else
  const double am1 = a1 / dp, am2 = a2 / dp, bm1 = b1 / dp, bm2 = b2 / dp;
  const double va = am2 - am1 * am1, vb = bm2 - bm1 * bm1;
  out[0] = kStd ? talib_std(va, nb) : va;
  out[1] = kStd ? talib_std(vb, nb) : vb;
#endif
}

// One bar of INT_VAR's running sums: add x[k], read both sums into o1/o2, drop tr[k].
#define NEURION_VS_VAR_STEP(k, o1, o2) \
  do {                                 \
    double v_ = x[k];                  \
    t1 += v_;                          \
    v_ *= v_;                          \
    t2 += v_;                          \
    o1 = t1;                           \
    o2 = t2;                           \
    double w_ = tr[k];                 \
    t1 -= w_;                          \
    w_ *= w_;                          \
    t2 -= w_;                          \
  } while (0)

#if defined(NEURION_TA_AVX_DISPATCH)
// talib_var_pairs' loop, four bars per iteration (AVX); returns where it stopped.
template <bool kStd>
NEURION_TA_AVX inline int64_t talib_var_avx(const double* x, const double* tr, int64_t i, int64_t n, double& t1r,
                                            double& t2r, double dp, double nb, double* out) {
  double t1 = t1r, t2 = t2r;
  const __m256d vdp = _mm256_set1_pd(dp), veps = _mm256_set1_pd(kTalibEps), vnb = _mm256_set1_pd(nb);
  for (; i + 4 <= n; i += 4) {
    double a1, a2, b1, b2, c1, c2, d1, d2;
    NEURION_VS_VAR_STEP(i, a1, a2);
    NEURION_VS_VAR_STEP(i + 1, b1, b2);
    NEURION_VS_VAR_STEP(i + 2, c1, c2);
    NEURION_VS_VAR_STEP(i + 3, d1, d2);
    const __m256d m1 = _mm256_div_pd(_mm256_set_pd(d1, c1, b1, a1), vdp);
    const __m256d m2 = _mm256_div_pd(_mm256_set_pd(d2, c2, b2, a2), vdp);
    __m256d v = _mm256_sub_pd(m2, _mm256_mul_pd(m1, m1));
    if (kStd) {
      const __m256d lt = _mm256_cmp_pd(v, veps, _CMP_LT_OS);  // as cmpltpd
      v = _mm256_andnot_pd(lt, _mm256_mul_pd(_mm256_sqrt_pd(v), vnb));
    }
    _mm256_storeu_pd(out + i, v);
  }
  t1r = t1;
  t2r = t2;
  return i;
}
#endif

// talib_var_from(x, 0, n, p, out) (kStd: then talib_std(., nb)), two bars per iteration.
template <bool kStd>
NEURION_HD void talib_var_pairs(const double* x, int64_t n, int64_t p, double nb, double* out) {
  const int64_t first = p - 1;
  fill_nan(out, 0, lo64(first, n));
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
  const double* tr = x - first;  // tr[i]: the value leaving after bar i
#if defined(NEURION_TA_AVX_DISPATCH)
  if (cpu_has_avx()) i = talib_var_avx<kStd>(x, tr, i, n, t1, t2, dp, nb, out);
#endif
  for (; i + 2 <= n; i += 2) {
    double a1, a2, b1, b2;
    NEURION_VS_VAR_STEP(i, a1, a2);
    NEURION_VS_VAR_STEP(i + 1, b1, b2);
    var_finish2<kStd>(a1, a2, b1, b2, dp, nb, out + i);
  }
  if (i < n) {
    double v = x[i];
    t1 += v;
    v *= v;
    t2 += v;
    const double m1 = t1 / dp, m2 = t2 / dp;
    const double r = m2 - m1 * m1;
    out[i] = kStd ? talib_std(r, nb) : r;
  }
}

// Rolling first and second moments of a pushed stream over its last p values. Sums are of
// deviations from an anchor (the window mean at the last re-seed). A re-seed recomputes them
// exactly from the ring (two passes, O(p)); it happens every p pushes, and also as soon as the
// centred sum of squares falls below 2^-17 of the largest sum of squares seen since the last
// re-seed (the window has moved far from the anchor, or a large value has left it), so the
// cancellation error stays below ~2^17 ulp of the variance. Amortised O(1) per push. Neither
// a large level (BTC at 60000, a split in raw prices) nor a long series erodes precision.
// Non-finite values are counted: while one is in the window the statistics are what a fresh
// two-pass computation gives (NaN, or +-Inf for the mean), and the sums are re-seeded once it
// has left. A constant window (the last p values all equal) gives mean = that value and
// variance exactly 0.
struct RollMoments {
  double* ring;
  int64_t p, head, filled, run, since;
  double anchor, s1, s2, peak, last;
  double rp, rpm1;  // 1/p and 1/(p-1): the per-bar statistics multiply (no division on the bar)
  bool dirty;
  NonFiniteCount bad;

  NEURION_HD void init(double* buf, int64_t period) {
    ring = buf;
    p = period;
    head = filled = run = since = 0;
    anchor = s1 = s2 = peak = 0.0;
    last = nan_value();
    rp = 1.0 / static_cast<double>(period);
    rpm1 = period > 1 ? 1.0 / static_cast<double>(period - 1) : nan_value();
    dirty = true;
    bad = NonFiniteCount{};
  }
  NEURION_HD bool full() const { return filled == p; }
  NEURION_HD void reseed() {
    const int64_t j0 = filled == p ? head : 0;
    double sum = 0.0;
    for (int64_t k = 0, j = j0; k < filled; ++k) {
      sum += ring[j];
      j = j + 1 == p ? 0 : j + 1;
    }
    anchor = sum / static_cast<double>(filled);
    s1 = s2 = 0.0;
    for (int64_t k = 0, j = j0; k < filled; ++k) {
      const double d = ring[j] - anchor;
      s1 += d;
      s2 += d * d;
      j = j + 1 == p ? 0 : j + 1;
    }
    peak = s2;
    since = 0;
    dirty = false;
  }
  NEURION_HD void push(double v) {
    const bool has_old = filled == p;
    const double old = has_old ? ring[head] : 0.0;
    ring[head] = v;
    head = head + 1 == p ? 0 : head + 1;
    if (!has_old) ++filled;
    run = v == last ? run + 1 : 1;
    last = v;
    if (!is_finite(v)) bad.add(v, 1);
    if (has_old && !is_finite(old)) bad.add(old, -1);
    ++since;
    if (bad.total() > 0) {
      dirty = true;
      return;
    }
    if (dirty || since >= p) {
      reseed();
      return;
    }
    const double d = v - anchor;
    s1 += d;
    s2 += d * d;
    if (has_old) {
      const double e = old - anchor;
      s1 -= e;
      s2 -= e * e;
    }
    if (s2 > peak) peak = s2;
    const double rf = has_old ? rp : 1.0 / static_cast<double>(filled);
    if (run < p && s2 - s1 * s1 * rf < peak * 0x1p-17) reseed();
  }
  // Mean of the window (full windows only).
  NEURION_HD double mean() const {
    if (bad.total() > 0) return bad.value();
    if (run >= p) return last;
    return anchor + s1 * rp;
  }
  // newest - mean, without losing the newest value's digits to the anchor's magnitude.
  NEURION_HD double newest_dev() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    return (last - anchor) - s1 * rp;
  }
  // Population variance (divide by p); clamped at 0.
  NEURION_HD double var_pop() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    const double m = s1 * rp;
    const double v = s2 * rp - m * m;
    return v < 0.0 ? 0.0 : v;
  }
  // Sample variance (divide by p - 1; p >= 2); clamped at 0.
  NEURION_HD double var_sample() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    const double v = (s2 - s1 * s1 * rp) * rpm1;
    return v < 0.0 ? 0.0 : v;
  }
};

// TA-Lib BETA's one-bar return: (v - last) / last, or 0 when TA_IS_ZERO(last).
NEURION_HD double talib_ret(double v, double last) { return talib_is_zero(last) ? 0.0 : (v - last) / last; }

}  // namespace vs

// ---- rollingMin / rollingMax / rollingSum (TA-Lib MIN, MAX, SUM) ----

NEURION_HD int64_t ta_rollingMin_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_rollingMin_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_rollingMin(const TaRow& r) { vs::rolling_extreme<false>(r.in[0], r.n, ipar(r.p, 0), r.out[0], r.scratch); }
inline TaMeta ta_rollingMin_meta() {
  return {"rollingMin", 1, {"x"}, 1, {"min"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_rollingMax_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_rollingMax_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_rollingMax(const TaRow& r) { vs::rolling_extreme<true>(r.in[0], r.n, ipar(r.p, 0), r.out[0], r.scratch); }
inline TaMeta ta_rollingMax_meta() {
  return {"rollingMax", 1, {"x"}, 1, {"max"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_rollingSum_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_rollingSum_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_rollingSum(const TaRow& r) { vs::rolling_sum(r.in[0], r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_rollingSum_meta() {
  return {"rollingSum", 1, {"x"}, 1, {"sum"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

// ---- zscore: (x - mean) / population std over the last p values; 0 for a constant window ----

NEURION_HD int64_t ta_zscore_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_zscore_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_zscore(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double* x = r.in[0];
  double* out = r.out[0];
  vs::RollMoments m;
  m.init(r.scratch, p);
  for (int64_t i = 0; i < n; ++i) {
    m.push(x[i]);
    if (i < p - 1) { out[i] = nan_value(); continue; }
    const double s = sqrt(m.var_pop());
    const double d = m.newest_dev();
    out[i] = s == 0.0 ? d * 0.0 : d / s;  // d * 0: 0, or NaN when the window holds a NaN
  }
}
inline TaMeta ta_zscore_meta() {
  return {"zscore", 1, {"x"}, 1, {"zscore"}, 1, {{"period", 20, 2, 1e9, true, true}}};
}

// ---- correl (TA-Lib CORREL, its running sums operation for operation) ----

NEURION_HD int64_t ta_correl_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_correl_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_correl(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double* x0 = r.in[0];
  const double* x1 = r.in[1];
  double* out = r.out[0];
  fill_nan(out, 0, vs::lo64(p - 1, n));
  if (p - 1 >= n) return;
  const double dp = static_cast<double>(p);
  double sxy = 0.0, sx = 0.0, sy = 0.0, sx2 = 0.0, sy2 = 0.0;
  int64_t today = 0;
  for (; today <= p - 1; ++today) {
    const double x = x0[today], y = x1[today];
    sx += x;
    sx2 += x * x;
    sxy += x * y;
    sy += y;
    sy2 += y * y;
  }
  int64_t trailing = 0;
  double tx = x0[trailing], ty = x1[trailing];
  ++trailing;
  double t = (sx2 - ((sx * sx) / dp)) * (sy2 - ((sy * sy) / dp));
  out[p - 1] = !(t < vs::kTalibEps) ? (sxy - ((sx * sy) / dp)) / sqrt(t) : 0.0;
  for (; today < n; ++today) {
    sx -= tx;
    sx2 -= tx * tx;
    sxy -= tx * ty;
    sy -= ty;
    sy2 -= ty * ty;
    const double x = x0[today], y = x1[today];
    sx += x;
    sx2 += x * x;
    sxy += x * y;
    sy += y;
    sy2 += y * y;
    tx = x0[trailing];
    ty = x1[trailing];
    ++trailing;
    t = (sx2 - ((sx * sx) / dp)) * (sy2 - ((sy * sy) / dp));
    out[today] = !(t < vs::kTalibEps) ? (sxy - ((sx * sy) / dp)) / sqrt(t) : 0.0;
  }
}
inline TaMeta ta_correl_meta() {
  return {"correl", 2, {"x", "y"}, 1, {"correl"}, 1, {{"period", 30, 1, 1e9, true, true}}};
}

// ---- beta (TA-Lib BETA, operation for operation) ----
// x_t = (x[t] - x[t-1]) / x[t-1] (0 when TA_IS_ZERO(x[t-1])), likewise y_t; over the last p
// return pairs, beta = (p Sxy - Sx Sy) / (p Sxx - Sx^2), 0 when the denominator is TA_IS_ZERO.
// That is the least-squares slope of y's returns on x's returns (TA-Lib's inReal0 = x).

NEURION_HD int64_t ta_beta_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_beta_scratch(int64_t, const double* p) { return 2 * ipar(p, 0); }

// Both series' one-bar returns at once: talib_ret(v0, l0) into *r0, talib_ret(v1, l1) into *r1
// (one SSE2 divpd; same IEEE operations and zero test as talib_ret; scalar elsewhere).
NEURION_HD void talib_ret2(double v0, double l0, double v1, double l1, double* r0, double* r1) {
#if !defined(__CUDACC__) && defined(__SSE2__)
  const __m128d l = _mm_set_pd(l1, l0);
  const __m128d q = _mm_div_pd(_mm_sub_pd(_mm_set_pd(v1, v0), l), l);
  const __m128d z = _mm_and_pd(_mm_cmplt_pd(_mm_set1_pd(-vs::kTalibEps), l), _mm_cmplt_pd(l, _mm_set1_pd(vs::kTalibEps)));
  const __m128d rr = _mm_andnot_pd(z, q);
  *r0 = _mm_cvtsd_f64(rr);
  *r1 = _mm_cvtsd_f64(_mm_unpackhi_pd(rr, rr));
#else
  *r0 = vs::talib_ret(v0, l0);
  *r1 = vs::talib_ret(v1, l1);
#endif
}

// TA-Lib recomputes each return when it leaves the window; it is the same value (the same
// operation on the same two inputs) as when it entered, so the returns are kept in a ring of
// p pairs (scratch) and read back: the leaving return costs a load instead of two divisions.
NEURION_HD void ta_beta(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double* in0 = r.in[0];
  const double* in1 = r.in[1];
  double* out = r.out[0];
  fill_nan(out, 0, vs::lo64(p, n));
  if (p >= n) return;
  double* rx = r.scratch;
  double* ry = r.scratch + p;
  double sxx = 0.0, sxy = 0.0, sx = 0.0, sy = 0.0;
  int64_t slot = 1 % p;  // bar i's return lives in slot i mod p
  int64_t i = 1;
  for (; i < p; ++i) {
    double x, y;
    talib_ret2(in0[i], in0[i - 1], in1[i], in1[i - 1], &x, &y);
    rx[slot] = x;
    ry[slot] = y;
    slot = slot + 1 == p ? 0 : slot + 1;
    sxx += x * x;
    sxy += x * y;
    sx += x;
    sy += y;
  }
  // Now slot == p mod p == 0 (bar p's slot); the trailing bar i - p + 1 lives in slot + 1.
  const double dn = static_cast<double>(p);
  for (; i < n; ++i) {
    double x, y;
    talib_ret2(in0[i], in0[i - 1], in1[i], in1[i - 1], &x, &y);
    rx[slot] = x;
    ry[slot] = y;
    slot = slot + 1 == p ? 0 : slot + 1;
    sxx += x * x;
    sxy += x * y;
    sx += x;
    sy += y;
    x = rx[slot];  // bar i - p + 1 (p == 1: bar i itself, just stored)
    y = ry[slot];
    const double den = (dn * sxx) - (sx * sx);
    out[i] = !vs::talib_is_zero(den) ? ((dn * sxy) - (sx * sy)) / den : 0.0;
    sxx -= x * x;
    sxy -= x * y;
    sx -= x;
    sy -= y;
  }
}
inline TaMeta ta_beta_meta() {
  return {"beta", 2, {"x", "y"}, 1, {"beta"}, 1, {{"period", 5, 1, 1e9, true, true}}};
}

}  // namespace neurion::ta

#define NEURION_TA_STATISTICS(TA) \
  TA(rollingMin)                  \
  TA(rollingMax)                  \
  TA(rollingSum)                  \
  TA(zscore)                      \
  TA(correl)                      \
  TA(beta)
