// Statistics indicators (see native/ta/ta.h for the kernel contract), and the rolling
// building blocks the volatility group (volatility.h) shares:
//
//   vs::rolling_extreme   rolling max/min, monotonic deque in scratch, amortised O(1)
//   vs::rolling_sum       rolling sum with non-finite counts (recovers when a NaN leaves)
//   vs::talib_var_from    TA-Lib's INT_VAR running sums, operation for operation
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

// Rolling max (kMax) or min of x over windows of p, into out (NaN before p-1). `ring` holds p
// doubles: a monotonic deque of indices (exact as doubles below 2^53). Amortised O(1) per bar.
// A NaN in the window makes the output NaN (the fresh-window max/min would); the output
// recovers once it leaves the window.
template <bool kMax>
NEURION_HD void rolling_extreme(const double* x, int64_t n, int64_t p, double* out, double* ring) {
  const double q = nan_value();
  int64_t head = 0, size = 0, last_nan = -p - 1;
  for (int64_t i = 0; i < n; ++i) {
    if (size > 0 && static_cast<int64_t>(ring[head]) <= i - p) {
      head = head + 1 == p ? 0 : head + 1;
      --size;
    }
    const double v = x[i];
    if (v != v) {
      last_nan = i;
    } else {
      while (size > 0) {
        int64_t b = head + size - 1;
        if (b >= p) b -= p;
        const double w = x[static_cast<int64_t>(ring[b])];
        if (kMax ? (w <= v) : (w >= v)) --size; else break;
      }
      int64_t t = head + size;
      if (t >= p) t -= p;
      ring[t] = static_cast<double>(i);
      ++size;
    }
    out[i] = (i < p - 1 || last_nan > i - p) ? q : x[static_cast<int64_t>(ring[head])];
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
  bool dirty;
  NonFiniteCount bad;

  NEURION_HD void init(double* buf, int64_t period) {
    ring = buf;
    p = period;
    head = filled = run = since = 0;
    anchor = s1 = s2 = peak = 0.0;
    last = nan_value();
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
    if (run < p && s2 - s1 * s1 / static_cast<double>(filled) < peak * 0x1p-17) reseed();
  }
  // Mean of the window (full windows only).
  NEURION_HD double mean() const {
    if (bad.total() > 0) return bad.value();
    if (run >= p) return last;
    return anchor + s1 / static_cast<double>(p);
  }
  // newest - mean, without losing the newest value's digits to the anchor's magnitude.
  NEURION_HD double newest_dev() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    return (last - anchor) - s1 / static_cast<double>(p);
  }
  // Population variance (divide by p); clamped at 0.
  NEURION_HD double var_pop() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    const double dp = static_cast<double>(p);
    const double m = s1 / dp;
    const double v = s2 / dp - m * m;
    return v < 0.0 ? 0.0 : v;
  }
  // Sample variance (divide by p - 1; p >= 2); clamped at 0.
  NEURION_HD double var_sample() const {
    if (bad.total() > 0) return nan_value();
    if (run >= p) return 0.0;
    const double dp = static_cast<double>(p);
    const double v = (s2 - s1 * s1 / dp) / (dp - 1.0);
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
NEURION_HD int64_t ta_beta_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_beta(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double* in0 = r.in[0];
  const double* in1 = r.in[1];
  double* out = r.out[0];
  fill_nan(out, 0, vs::lo64(p, n));
  if (p >= n) return;
  double sxx = 0.0, sxy = 0.0, sx = 0.0, sy = 0.0;
  double lx = in0[0], ly = in1[0], tlx = lx, tly = ly;
  int64_t i = 1;
  for (; i < p; ++i) {
    const double x = vs::talib_ret(in0[i], lx);
    lx = in0[i];
    const double y = vs::talib_ret(in1[i], ly);
    ly = in1[i];
    sxx += x * x;
    sxy += x * y;
    sx += x;
    sy += y;
  }
  int64_t trailing = 1;
  const double dn = static_cast<double>(p);
  for (; i < n; ++i) {
    double x = vs::talib_ret(in0[i], lx);
    lx = in0[i];
    double y = vs::talib_ret(in1[i], ly);
    ly = in1[i];
    sxx += x * x;
    sxy += x * y;
    sx += x;
    sy += y;
    x = vs::talib_ret(in0[trailing], tlx);
    tlx = in0[trailing];
    y = vs::talib_ret(in1[trailing], tly);
    tly = in1[trailing];
    ++trailing;
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
