// trend / overlap indicators (see native/ta/ta.h for the kernel contract).
#pragma once
#include "ma.h"

namespace neurion::ta {

// ---- TA-Lib MA types as indicators of their own (kernels in ma.h) ----

NEURION_HD int64_t ta_dema_lookback(const double* p) { return 2 * (ipar(p, 0) - 1); }
NEURION_HD int64_t ta_dema_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_dema(const TaRow& r) { dema_from_t<true>(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_dema_meta() {
  return {"dema", 1, {"x"}, 1, {"dema"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_tema_lookback(const double* p) { return 3 * (ipar(p, 0) - 1); }
NEURION_HD int64_t ta_tema_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_tema(const TaRow& r) { tema_from_t<true>(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_tema_meta() {
  return {"tema", 1, {"x"}, 1, {"tema"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_trima_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_trima_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_trima(const TaRow& r) { trima_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_trima_meta() {
  return {"trima", 1, {"x"}, 1, {"trima"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_kama_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_kama_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_kama(const TaRow& r) { kama_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_kama_meta() {
  return {"kama", 1, {"x"}, 1, {"kama"}, 1, {{"period", 30, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_t3_lookback(const double* p) { return 6 * (ipar(p, 0) - 1); }
NEURION_HD int64_t ta_t3_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_t3(const TaRow& r) { t3_from(r.in[0], 0, r.n, ipar(r.p, 0), r.p[1], r.out[0]); }
inline TaMeta ta_t3_meta() {
  return {"t3", 1, {"x"}, 1, {"t3"}, 2, {{"period", 5, 2, 1e9, true, true}, {"vFactor", 0.7, 0, 1, false, false}}};
}

// ---- rolling extrema: van Herk / Gil-Werman blocks (O(1) per bar, branch-free) ----
// The row is cut into blocks of p bars; a window of p bars [s, t] spans the tail of s's block
// and the head of t's block, so max = max(suffix max of s's block from s, prefix max of t's
// block up to t). Suffix maxima of the previous block are kept in a ping-pong buffer of 2p.

// Midrange (max(hi) + min(lo)) / 2 over windows of p bars ending at j = t - lag, written to
// out[t]: NaN for t < lag + p - 1, and NaN when the window holds a NaN (IEEE otherwise: +Inf
// and -Inf give NaN). Scratch: 4p doubles.
NEURION_HD int64_t midrange_scratch(int64_t p) { return 4 * p; }

NEURION_HD void midrange_row(const double* hi, const double* lo, int64_t n, int64_t p, int64_t lag, double* out, double* scratch) {
  const int64_t m = n - lag;  // bars j = 0..m-1 feed out[j + lag]
  const int64_t first = lag + p - 1;
  fill_nan(out, 0, first < n ? first : n);
  if (m < p) return;
  double* smax[2] = {scratch, scratch + p};
  double* smin[2] = {scratch + 2 * p, scratch + 3 * p};
  const double q = nan_value();
  int64_t nan = 0;
  for (int64_t base = 0, blk = 0; base < m; base += p, ++blk) {
    const int64_t end = base + p < m ? base + p : m;
    const int cur = static_cast<int>(blk & 1), prev = cur ^ 1;
    double* cx = smax[cur];
    double* cn = smin[cur];
    double mx = hi[end - 1], mn = lo[end - 1];
    cx[end - 1 - base] = mx;
    cn[end - 1 - base] = mn;
    for (int64_t i = end - 2; i >= base; --i) {
      const double h = hi[i], l = lo[i];
      mx = h > mx ? h : mx;
      mn = l < mn ? l : mn;
      cx[i - base] = mx;
      cn[i - base] = mn;
    }
    double px = hi[base], pn = lo[base];
    for (int64_t j = base; j < end; ++j) {
      const double h = hi[j], l = lo[j];
      if (j > base) {
        px = h > px ? h : px;
        pn = l < pn ? l : pn;
      }
      nan += ((h != h) || (l != l)) ? 1 : 0;
      if (j >= p) nan -= ((hi[j - p] != hi[j - p]) || (lo[j - p] != lo[j - p])) ? 1 : 0;
      if (j < p - 1) continue;
      double wx, wn;
      if (j == end - 1 && end - base == p) {  // the window is exactly this block
        wx = cx[0];
        wn = cn[0];
      } else {  // window starts at s = j - p + 1 inside the previous block
        const int64_t k = j - p + 1 - (base - p);
        const double sx = smax[prev][k], sn = smin[prev][k];
        wx = sx > px ? sx : px;
        wn = sn < pn ? sn : pn;
      }
      out[j + lag] = nan > 0 ? q : (wx + wn) / 2.0;
    }
  }
}

// MIDPOINT (TA-Lib): (max + min) / 2 of x over p bars. Lookback p-1.
NEURION_HD int64_t ta_midpoint_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_midpoint_scratch(int64_t, const double* p) { return midrange_scratch(ipar(p, 0)); }
NEURION_HD void ta_midpoint(const TaRow& r) { midrange_row(r.in[0], r.in[0], r.n, ipar(r.p, 0), 0, r.out[0], r.scratch); }
inline TaMeta ta_midpoint_meta() {
  return {"midpoint", 1, {"x"}, 1, {"midpoint"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// MIDPRICE (TA-Lib): (max(high) + min(low)) / 2 over p bars. Lookback p-1.
NEURION_HD int64_t ta_midprice_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_midprice_scratch(int64_t, const double* p) { return midrange_scratch(ipar(p, 0)); }
NEURION_HD void ta_midprice(const TaRow& r) { midrange_row(r.in[0], r.in[1], r.n, ipar(r.p, 0), 0, r.out[0], r.scratch); }
inline TaMeta ta_midprice_meta() {
  return {"midprice", 2, {"high", "low"}, 1, {"midprice"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// Ichimoku Kinko Hyo. tenkan = midrange(high, low, tenkan bars), kijun = midrange(kijun bars);
// no look-ahead: senkouA[t] = (tenkan[t-d] + kijun[t-d]) / 2 and senkouB[t] = midrange over
// senkouB bars ending at t-d (the values a chart plots at t, computed d bars earlier);
// chikou[t] = close[t] (the value a chart plots d bars back). Lookback = first index where
// every output is defined: max(tenkan, kijun, senkouB) - 1 + d; all five outputs are NaN
// before it.
NEURION_HD int64_t ta_ichimoku_lookback(const double* p) {
  int64_t a = ipar(p, 0), b = ipar(p, 1), c = ipar(p, 2);
  const int64_t m = a > b ? (a > c ? a : c) : (b > c ? b : c);
  return m - 1 + ipar(p, 3);
}
NEURION_HD int64_t ta_ichimoku_scratch(int64_t, const double* p) {
  return midrange_scratch(ipar(p, 0)) + midrange_scratch(ipar(p, 1)) + midrange_scratch(ipar(p, 2));
}
NEURION_HD void ta_ichimoku(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  const int64_t n = r.n, pt = ipar(r.p, 0), pk = ipar(r.p, 1), pb = ipar(r.p, 2), d = ipar(r.p, 3);
  double* s = r.scratch;
  midrange_row(h, l, n, pt, 0, r.out[0], s);
  s += midrange_scratch(pt);
  midrange_row(h, l, n, pk, 0, r.out[1], s);
  s += midrange_scratch(pk);
  midrange_row(h, l, n, pb, d, r.out[3], s);
  const double q = nan_value();
  for (int64_t t = 0; t < n; ++t) {
    r.out[2][t] = t >= d ? (r.out[0][t - d] + r.out[1][t - d]) / 2.0 : q;
    r.out[4][t] = c[t];
  }
  // The warm-up contract (ta.h): every output NaN before the lookback, although tenkan, kijun
  // and chikou could be computed earlier.
  const int64_t lb = ta_ichimoku_lookback(r.p) < n ? ta_ichimoku_lookback(r.p) : n;
  for (int k = 0; k < 5; ++k) fill_nan(r.out[k], 0, lb);
}
inline TaMeta ta_ichimoku_meta() {
  return {"ichimoku", 3, {"high", "low", "close"}, 5, {"tenkan", "kijun", "senkouA", "senkouB", "chikou"}, 4,
          {{"tenkan", 9, 1, 1e9, true, true},
           {"kijun", 26, 1, 1e9, true, true},
           {"senkouB", 52, 1, 1e9, true, true},
           {"displacement", 26, 0, 1e9, true, true}}};
}

// ---- linear regression family (TA-Lib LINEARREG, _SLOPE, _INTERCEPT, _ANGLE, TSF) ----
// Least squares over the last p bars with x = bars ago (TA-Lib's form): m = (p Sxy - Sx Sy) /
// (Sx^2 - p Sxx) (the slope per bar in time order), b = (Sy - m Sx) / p (the fitted value at the
// oldest bar of the window). linreg = b + m (p-1) (fitted value now), tsf = b + m p (one bar
// ahead), angle = atan(m) 180/pi.
//
// O(1) per bar: Sy and Sxy slide (Sxy' = Sxy + Sy - p x[t-p], Sy' = Sy + x[t] - x[t-p]). But
// p Sxy - Sx Sy cancels badly when the window is nearly flat relative to its level, and there
// TA-Lib's own result (a fresh sum per window) carries rounding errors well above 1e-9 relative
// (e.g. 3e-8 on BTCUSD-1m): no other summation order can agree with it to 1e-9. So the kernel
// carries a running error bound (from sliding sums of |y| and i|y|) and, wherever the bound
// exceeds 1e-10 of the output (and 1e-13 absolute), recomputes that window with TA-Lib's exact
// loop (bit-identical to TA-Lib); also every p bars (bounding drift) and while a non-finite value
// is in the window. Flat stretches therefore cost O(p) per bar, like TA-Lib; trending ones O(1).
enum TrLinregMode : int { kLrValue = 0, kLrSlope = 1, kLrIntercept = 2, kLrAngle = 3, kLrTsf = 4 };

// TA-Lib's per-window loop for the window ending at t: Sy, Sxy (TA-Lib's order) and Sa = sum |y|.
NEURION_HD void linreg_fresh(const double* x, int64_t t, int64_t p, double& sy, double& sxy, double& sa) {
  sy = 0.0; sxy = 0.0; sa = 0.0;
  for (int64_t i = p; i-- != 0;) {
    const double v = x[t - i];
    sy += v;
    sxy += static_cast<double>(i) * v;
    sa += fabs(v);
  }
}

// TA-Lib's output for `mode` from the sums (its divisions; bit-identical to TA-Lib on fresh sums).
template <int MODE>
NEURION_HD double linreg_exact(double sy, double sxy, double pd, double sx, double div) {
  const double m = (pd * sxy - sx * sy) / div;
  if (MODE == kLrSlope) return m;
  if (MODE == kLrAngle) return atan(m) * (180.0 / 3.14159265358979323846);
  const double b = (sy - m * sx) / pd;
  if (MODE == kLrIntercept) return b;
  return b + m * (MODE == kLrTsf ? pd : pd - 1.0);
}

// atan for LINEARREG_ANGLE: Cephes' atan (S. L. Moshier: x reduced to [0, 0.66] by the
// tan(3pi/8) and pi/4 identities, then x + x z P(z)/Q(z), z = x^2, plus the low bits of pi/2
// and pi/4), written branch-free (one division picks the reduction) so the angle pass
// vectorizes. Its error is within about an ulp of libm's atan, which TA-Lib calls: ~2e-16
// relative, far inside the 1e-9 parity. NaN gives NaN, +-Inf gives +-pi/2, the sign of 0 is kept.
NEURION_HD double atan_cephes(double v) {
  const double x = fabs(v);
  const bool big = x > 2.41421356237309504880, mid = !big && x > 0.66;
  const double num = big ? -1.0 : mid ? x - 1.0 : x;
  const double den = big ? x : mid ? x + 1.0 : 1.0;
  const double y0 = big ? 1.57079632679489661923 : mid ? 0.78539816339744830962 : 0.0;
  const double lo = big ? 6.123233995736765886130e-17 : mid ? 0.5 * 6.123233995736765886130e-17 : 0.0;
  const double r = num / den, z = r * r;
  const double pz = (((-8.750608600031904122785e-1 * z - 1.615753718733365076637e1) * z - 7.500855792314704667340e1) * z -
                     1.228866684490136173410e2) * z - 6.485021904942025371773e1;
  const double qz = ((((z + 2.485846490142306297962e1) * z + 1.650270098316988542046e2) * z + 4.328810604912902668951e2) * z +
                     4.853903996359136964868e2) * z + 1.945506571482613964425e2;
  const double a = y0 + ((r * (z * pz / qz) + r) + lo);
  return copysign(a, v);
}
// out[a..b) = atan(out) * 180/pi, in place (4 lanes under AVX dispatch: the same operations).
NEURION_HD void linreg_angle_pass(double* out, int64_t a, int64_t b) {
  constexpr double kDeg = 180.0 / 3.14159265358979323846;
  for (int64_t i = a; i < b; ++i) out[i] = atan_cephes(out[i]) * kDeg;
}
#if defined(NEURION_TA_AVX_DISPATCH)
// linreg_angle_pass, four values per instruction: atan_cephes' operations lane by lane (the
// selects are blends), so the same values.
NEURION_TA_AVX inline void linreg_angle_pass_avx(double* out, int64_t a, int64_t b) {
  const __m256d sign = _mm256_set1_pd(-0.0), one = _mm256_set1_pd(1.0), zero = _mm256_setzero_pd();
  const __m256d t3p8 = _mm256_set1_pd(2.41421356237309504880), c066 = _mm256_set1_pd(0.66);
  const __m256d pio2 = _mm256_set1_pd(1.57079632679489661923), pio4 = _mm256_set1_pd(0.78539816339744830962);
  const __m256d mb = _mm256_set1_pd(6.123233995736765886130e-17), mb2 = _mm256_set1_pd(0.5 * 6.123233995736765886130e-17);
  const __m256d deg = _mm256_set1_pd(180.0 / 3.14159265358979323846);
  int64_t i = a;
  for (; i + 4 <= b; i += 4) {
    const __m256d v = _mm256_loadu_pd(out + i);
    const __m256d x = _mm256_andnot_pd(sign, v);
    const __m256d big = _mm256_cmp_pd(x, t3p8, _CMP_GT_OQ);
    const __m256d mid = _mm256_andnot_pd(big, _mm256_cmp_pd(x, c066, _CMP_GT_OQ));
    __m256d num = _mm256_blendv_pd(x, _mm256_sub_pd(x, one), mid);
    num = _mm256_blendv_pd(num, _mm256_set1_pd(-1.0), big);
    __m256d den = _mm256_blendv_pd(one, _mm256_add_pd(x, one), mid);
    den = _mm256_blendv_pd(den, x, big);
    const __m256d y0 = _mm256_blendv_pd(_mm256_blendv_pd(zero, pio4, mid), pio2, big);
    const __m256d lo = _mm256_blendv_pd(_mm256_blendv_pd(zero, mb2, mid), mb, big);
    const __m256d r = _mm256_div_pd(num, den), z = _mm256_mul_pd(r, r);
    __m256d pz = _mm256_sub_pd(_mm256_mul_pd(_mm256_set1_pd(-8.750608600031904122785e-1), z), _mm256_set1_pd(1.615753718733365076637e1));
    pz = _mm256_sub_pd(_mm256_mul_pd(pz, z), _mm256_set1_pd(7.500855792314704667340e1));
    pz = _mm256_sub_pd(_mm256_mul_pd(pz, z), _mm256_set1_pd(1.228866684490136173410e2));
    pz = _mm256_sub_pd(_mm256_mul_pd(pz, z), _mm256_set1_pd(6.485021904942025371773e1));
    __m256d qz = _mm256_add_pd(z, _mm256_set1_pd(2.485846490142306297962e1));
    qz = _mm256_add_pd(_mm256_mul_pd(qz, z), _mm256_set1_pd(1.650270098316988542046e2));
    qz = _mm256_add_pd(_mm256_mul_pd(qz, z), _mm256_set1_pd(4.328810604912902668951e2));
    qz = _mm256_add_pd(_mm256_mul_pd(qz, z), _mm256_set1_pd(4.853903996359136964868e2));
    qz = _mm256_add_pd(_mm256_mul_pd(qz, z), _mm256_set1_pd(1.945506571482613964425e2));
    const __m256d q = _mm256_div_pd(_mm256_mul_pd(z, pz), qz);
    const __m256d t = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(r, q), r), lo);
    const __m256d at = _mm256_or_pd(_mm256_add_pd(y0, t), _mm256_and_pd(sign, v));  // copysign (|a| has a clear sign bit)
    _mm256_storeu_pd(out + i, _mm256_mul_pd(at, deg));
  }
  linreg_angle_pass(out, i, b);
}
#endif

// Slope and angle (values near 0 where the trend flattens, so the bound must be tight): the output from the running sums with reciprocals instead of TA-Lib's
// divisions, accepted where the rounding-error bound err = ce Sa is <= 1e-10 |v| (or <= 1e-13);
// ce bounds 4p+4 eps per sum (the reciprocals' roundings included) with i|y| <= (p-1)|y|:
//   me = ke (p (p-1) + Sx) Sa / |div| (slope), be = ke Sa / p + me Sx / p (intercept).
// A non-finite value in the window makes Sa (so err) non-finite: rejected. Rejected windows
// are recomputed with TA-Lib's loop (linreg_fresh), and so is every p-th bar T (bounding drift)
// at no extra cost: the p bars of T's window are exactly the ones the block since the last
// fresh window slid in, so their fresh sums accumulate along (oldest first, i = T - t bars ago:
// TA-Lib's order, bit-identical to linreg_fresh).
template <int MODE>
NEURION_HD void linreg_row_sa(const double* x, int64_t n, int64_t p, double* out) {
  const int64_t start = p - 1;
  fill_nan(out, 0, start < n ? start : n);
  if (start >= n) return;
  const double pd = static_cast<double>(p);
  const double sx = pd * (pd - 1.0) * 0.5;
  const double sxx = pd * (pd - 1.0) * (2.0 * pd - 1.0) / 6.0;
  const double div = sx * sx - pd * sxx;
  const double rdiv = 1.0 / div, rp = 1.0 / pd;
  const double h = MODE == kLrTsf ? pd : pd - 1.0;
  const double ke = (4.0 * pd + 4.0) * 1.1102230246251565e-16;
  const double cm = ke * (pd * (pd - 1.0) + sx) / fabs(div);
  const double cb = ke / pd + cm * sx / pd;
  // The angle runs as the slope (TA-Lib's exact slope where a window is recomputed), then one
  // pass takes atan of every value: the same atan(m) 180/pi TA-Lib computes per bar.
  constexpr int kOut = MODE == kLrAngle ? kLrSlope : MODE;
  const double ce = MODE == kLrSlope ? cm : MODE == kLrAngle ? cm * 57.29577951308232 : MODE == kLrIntercept ? cb : cb + cm * h;
  double sy, sxy, sa;
  int64_t t = start;
  linreg_fresh(x, t, p, sy, sxy, sa);
  out[t] = linreg_exact<kOut>(sy, sxy, pd, sx, div);
  ++t;
  while (t < n) {
    // Bars t .. T-1 slide; T = t + p - 1 is the next fresh window (its sums: fy, fxy, fa).
    const int64_t T = t + p - 1;
    const int64_t end = T < n ? T : n;
    double fy = 0.0, fxy = 0.0, fa = 0.0, fi = pd - 1.0;
    bool rejected = false;
    for (; t < end; ++t) {
      const double old = x[t - p], cur = x[t];
      const double ac = fabs(cur);
      fy += cur;
      fxy += fi * cur;
      fa += ac;
      fi -= 1.0;
      sxy += sy - pd * old;
      sy += cur - old;
      sa += ac - fabs(old);
      const double m = (pd * sxy - sx * sy) * rdiv;
      double v, mag;
      if (MODE == kLrSlope || MODE == kLrAngle) {
        v = m;  // the angle pass turns it into degrees
        // The angle is accepted on a lower bound of its size, 45 min(|m|, 1) <= |atan(m)| 180/pi
        // (atan is concave on [0, 1]), so no atan is needed here (LinregStream: the same test).
        const double am = fabs(m);
        mag = MODE == kLrSlope ? am : 45.0 * (!(am >= 1.0) ? am : 1.0);
      } else {
        const double b = (sy - m * sx) * rp;
        v = MODE == kLrIntercept ? b : b + m * h;
        mag = fabs(v);
      }
      const double err = ce * sa;
      double lim = 1e-10 * mag;
      lim = lim > 1e-13 ? lim : 1e-13;  // NaN v: 1e-13
      lim = lim < 1e299 ? lim : 1e299;  // rejects a non-finite err (finite Sa: err <= ~1e292)
      if (!(err <= lim)) { rejected = true; break; }
      out[t] = v;
    }
    if (t >= n) break;
    if (rejected) {
      linreg_fresh(x, t, p, sy, sxy, sa);
    } else {  // t == T: its last value (i = 0 bars ago)
      const double cur = x[t];
      fy += cur;
      fxy += fi * cur;
      fa += fabs(cur);
      sy = fy; sxy = fxy; sa = fa;
    }
    out[t] = linreg_exact<kOut>(sy, sxy, pd, sx, div);
    ++t;
  }
  if (MODE == kLrAngle) {
#if defined(NEURION_TA_AVX_DISPATCH)
    if (vs::cpu_has_avx()) { linreg_angle_pass_avx(out, start, n); return; }
#endif
    linreg_angle_pass(out, start, n);
  }
}

// Value, intercept and TSF (outputs at the price level, so the bound rarely binds): the output
// is linear in the sums, v = Sy a + Sxy c with a = 1/p - g Sx/div, c = g p/div, g = h - Sx/p
// (h = p-1, 0, p for value, intercept, TSF; a and c within a few ulp), two mul and an add per bar instead of TA-Lib's divisions, accepted where the rounding-error bound err = ce A is <= 1e-10 |v| (or <= 1e-13).
// A is per block, not per bar: the sum of |y| over every bar the sums have touched since the
// block's fresh start (the window before the block plus the block's new bars), an upper bound
// of each window's sum of |y| in the block and of every term the sliding sums added or removed,
// so drift from a level that fell within the block is covered too. ce bounds 8p+16 eps per sum
// (twice the 4p+4 of a fresh window's sums, for the p slides; it also covers the linear form's
// own roundings, <= 6 eps of |a| Sa + |c| (p-1) Sa): err = ke (|a| + |c| (p-1)) A.
// Per bar that leaves one compare, |v| >= thr = 1e10 err (or none when err <= 1e-13). A non-finite
// value among the block's bars makes A (so err) non-finite: those bars are recomputed one by one.
// Rejected windows are recomputed with TA-Lib's loop (linreg_fresh) and a new block starts after
// them; every p-th bar T is fresh too (bounding drift) at no extra cost: the p bars of T's window
// are exactly the ones the block slid in, so their fresh sums accumulate along (oldest first,
// i = T - t bars ago: TA-Lib's order, bit-identical to linreg_fresh).
NEURION_HD double linreg_abs_sum(const double* x, int64_t a, int64_t b) {  // sum |x[a..b)|, 4 lanes
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  int64_t i = a;
  for (; i + 4 <= b; i += 4) {
    s0 += fabs(x[i]);
    s1 += fabs(x[i + 1]);
    s2 += fabs(x[i + 2]);
    s3 += fabs(x[i + 3]);
  }
  for (; i < b; ++i) s0 += fabs(x[i]);
  return (s0 + s1) + (s2 + s3);
}
template <int MODE>
NEURION_HD void linreg_row_lin(const double* x, int64_t n, int64_t p, double* out) {
  const int64_t start = p - 1;
  fill_nan(out, 0, start < n ? start : n);
  if (start >= n) return;
  const double pd = static_cast<double>(p);
  const double sx = pd * (pd - 1.0) * 0.5;
  const double sxx = pd * (pd - 1.0) * (2.0 * pd - 1.0) / 6.0;
  const double div = sx * sx - pd * sxx;
  const double g = (MODE == kLrTsf ? pd : MODE == kLrIntercept ? 0.0 : pd - 1.0) - (pd - 1.0) * 0.5;
  const double ca = 1.0 / pd - (g * sx) / div, cc = (g * pd) / div;  // LinregStream: the same operations
  // 8p+16 eps, and 1 + 2^-20 for the rounding of A's own 4-lane sum (< 2p eps relative)
  const double ke = (8.0 * pd + 16.0) * 1.1102230246251565e-16 * (1.0 + 0x1p-20);
  const double ce = ke * (fabs(ca) + fabs(cc) * (pd - 1.0));
  double sy, sxy, sa;
  int64_t t = start;
  linreg_fresh(x, t, p, sy, sxy, sa);
  out[t] = linreg_exact<MODE>(sy, sxy, pd, sx, div);
  ++t;
  while (t < n) {
    // Bars t .. T-1 slide; T = t + p - 1 is the next fresh window (its sums: fy, fxy).
    const int64_t T = t + p - 1;
    const int64_t end = T < n ? T : n;
    // A: |y| over the window ending at t-1 (sa) plus the block's bars t .. end-1.
    const double blk = linreg_abs_sum(x, t, end);
    const double err = ce * (sa + blk);
    double fy = 0.0, fxy = 0.0, fi = pd - 1.0;
    bool rejected = false;
    if (err <= 1e289) {
      const double thr = err <= 1e-13 ? 0.0 : err * 1e10;
      for (; t < end; ++t) {
        const double old = x[t - p], cur = x[t];
        fy += cur;
        fxy += fi * cur;
        fi -= 1.0;
        sxy += sy - pd * old;
        sy += cur - old;
        const double v = sy * ca + sxy * cc;
        if (!(fabs(v) >= thr)) { rejected = true; break; }  // also NaN v
        out[t] = v;
      }
    } else {
      rejected = true;  // a non-finite A (or a huge one): window by window
    }
    if (t >= n) break;
    if (rejected) {
      linreg_fresh(x, t, p, sy, sxy, sa);
    } else {  // t == T: its last value (i = 0 bars ago)
      const double cur = x[t];
      fy += cur;
      fxy += fi * cur;
      sy = fy; sxy = fxy;
      sa = blk + fabs(cur);  // the window ending at T: the block's bars and T
    }
    out[t] = linreg_exact<MODE>(sy, sxy, pd, sx, div);
    ++t;
  }
}

template <int MODE>
NEURION_HD void linreg_row_t(const double* x, int64_t n, int64_t p, double* out) {
  if (MODE == kLrSlope || MODE == kLrAngle) linreg_row_sa<MODE>(x, n, p, out);
  else linreg_row_lin<MODE>(x, n, p, out);
}

NEURION_HD void linreg_row(const double* x, int64_t n, int64_t p, int mode, double* out) {
  switch (mode) {
    case kLrValue: linreg_row_t<kLrValue>(x, n, p, out); break;
    case kLrSlope: linreg_row_t<kLrSlope>(x, n, p, out); break;
    case kLrIntercept: linreg_row_t<kLrIntercept>(x, n, p, out); break;
    case kLrAngle: linreg_row_t<kLrAngle>(x, n, p, out); break;
    default: linreg_row_t<kLrTsf>(x, n, p, out); break;
  }
}

#define NEURION_TR_LINREG(NAME, MODE)                                                          \
  NEURION_HD int64_t ta_##NAME##_lookback(const double* p) { return ipar(p, 0) - 1; }           \
  NEURION_HD int64_t ta_##NAME##_scratch(int64_t, const double*) { return 0; }                  \
  NEURION_HD void ta_##NAME(const TaRow& r) { linreg_row_t<MODE>(r.in[0], r.n, ipar(r.p, 0), r.out[0]); } \
  inline TaMeta ta_##NAME##_meta() {                                                            \
    return {#NAME, 1, {"x"}, 1, {#NAME}, 1, {{"period", 14, 2, 1e9, true, true}}};              \
  }
NEURION_TR_LINREG(linreg, kLrValue)
NEURION_TR_LINREG(linregSlope, kLrSlope)
NEURION_TR_LINREG(linregIntercept, kLrIntercept)
NEURION_TR_LINREG(linregAngle, kLrAngle)
NEURION_TR_LINREG(tsf, kLrTsf)
#undef NEURION_TR_LINREG

// ---- HMA (Hull): WMA(2 WMA(x, floor(n/2)) - WMA(x, n), floor(sqrt(n))). Lookback n-1 + floor(sqrt n)-1.
// The WMAs restart their running sums every p bars (wma_from_rs), so a series that falls far
// below its earlier level (AIG-1d: 1400 -> 0.4) keeps full relative precision.
NEURION_HD int64_t hma_sqrt(int64_t p) {
  int64_t s = static_cast<int64_t>(sqrt(static_cast<double>(p)));
  while (s * s > p) --s;
  while ((s + 1) * (s + 1) <= p) ++s;
  return s;
}
NEURION_HD int64_t ta_hma_lookback(const double* p) { return ipar(p, 0) - 1 + hma_sqrt(ipar(p, 0)) - 1; }
NEURION_HD int64_t ta_hma_scratch(int64_t n, const double*) { return n; }
// One WMA of the fused HMA loop (finite input): wma_from_rs's (reseed) sums, schedule and
// reciprocal exactly. The fresh sums of each reseed window accumulate along while the bars
// before it slide in (weight = bars since the last fresh window; the fresh loop's order).
struct HmaWma {
  int64_t p, since;
  bool started;
  double pd, rdiv, wsum, sum, fw, fs, fsd;  // fsd: since as a double (no conversion per bar)
  NEURION_HD void init(int64_t period) {
    p = period; since = period; started = false;
    pd = static_cast<double>(period);
    rdiv = 1.0 / (pd * (pd + 1.0) / 2.0);
    wsum = 0.0; sum = 0.0; fw = 0.0; fs = 0.0; fsd = pd;
  }
  // The WMA of the window ending at i (a[i-p+1..i]).
  NEURION_HD double push(const double* a, int64_t i) { return push_x(a, i, a[i]); }
  // The same with a[i] given (the caller just computed it).
  NEURION_HD double push_x(const double* a, int64_t i, double x) {
    if (since >= p) {
      if (started) {
        fw += x * pd;
        fs += x;
        wsum = fw; sum = fs;
      } else {
        wsum = 0.0; sum = 0.0;
        for (int64_t j = i - p + 1, w = 1; j <= i; ++j, ++w) {
          wsum += a[j] * static_cast<double>(w);
          sum += a[j];
        }
        started = true;
      }
      since = 1;
      fsd = 1.0;
      fw = 0.0; fs = 0.0;
    } else {
      fw += x * fsd;
      fs += x;
      wsum += x * pd - sum;
      sum += x - a[i - p];
      ++since;
      fsd += 1.0;
    }
    return wsum * rdiv;
  }
};

NEURION_HD void ta_hma(const TaRow& r) {
  const int64_t p = ipar(r.p, 0), n = r.n, half = p / 2, sq = hma_sqrt(p);
  const double* x = r.in[0];
  double* raw = r.scratch;  // 2 WMA(half) - WMA(p), defined from p-1
  double* out = r.out[0];
  // One fused pass (bit-identical to the three wma_from_rs passes below on finite input); a
  // non-finite value anywhere (v * 0 is 0 only for finite v; checked every 4096 bars) falls
  // back to the three passes, which treat non-finite windows one by one.
  const int64_t first = p - 1 + sq - 1;
  fill_nan(out, 0, first < n ? first : n);
  double chk = 0.0;
  if (p - 1 < n) {
    HmaWma a, b, c;
    a.init(half); b.init(p); c.init(sq);
    for (int64_t i = 0; i < p - 1; ++i) chk += x[i] * 0.0;
    for (int64_t i = half - 1; i < p - 1; ++i) a.push(x, i);
    const int64_t mid = first < n ? first : n;
    for (int64_t i = p - 1; i < mid; ++i) {
      const double rv = 2.0 * a.push(x, i) - b.push(x, i);
      chk += (x[i] + rv) * 0.0;  // NaN when either is non-finite (or their sum overflows)
      raw[i] = rv;
    }
    for (int64_t i = mid; i < n; ++i) {
      const double rv = 2.0 * a.push(x, i) - b.push(x, i);
      chk += (x[i] + rv) * 0.0;
      raw[i] = rv;
      out[i] = c.push_x(raw, i, rv);
      if ((i & 4095) == 0 && chk != 0.0) break;
    }
  }
  if (chk == 0.0) return;
  wma_from_rs(x, 0, n, half, raw, true);
  wma_from_rs(x, 0, n, p, out, true);
  for (int64_t i = p - 1; i < n; ++i) raw[i] = 2.0 * raw[i] - out[i];
  wma_from_rs(raw, p - 1, n, sq, out, true);
}
inline TaMeta ta_hma_meta() {
  return {"hma", 1, {"x"}, 1, {"hma"}, 1, {{"period", 9, 2, 1e9, true, true}}};
}

// ---- volume-weighted averages over a rolling window: sum(price v) / sum(v) ----
// Running sums, recomputed afresh every p bars (bounds drift) and directly while a non-finite
// price or volume is in the window. NaN when every volume in the window is 0 (0/0); volumes are
// expected to be >= 0. price = x (VWMA: close) or the typical price (H+L+C)/3 (rolling VWAP).
NEURION_HD double tr_typical(const double* h, const double* l, const double* c, int64_t i) {
  return (h[i] + l[i] + c[i]) / 3.0;
}

// price(i): the typical price (TP) or close[i].
template <bool TP>
NEURION_HD double vw_price(const double* h, const double* l, const double* c, int64_t i) {
  return TP ? tr_typical(h, l, c, i) : c[i];
}

// True when price*volume and volume are both finite (x * 0 is 0 exactly for finite x).
NEURION_HD bool vw_ok(double pv, double vv) { return (pv * 0.0 + vv * 0.0) == 0.0; }

// Blocks of p bars: the sums afresh at the block's first bar, then slid (spv += pv - po vo,
// sv += v - vo). The fresh sums of the next block's first window are the ones of the bars this
// block slides in (plus its own), so they accumulate along in the fresh loop's order (free
// reseed). The last bar with a non-finite price*volume or volume (last_bad) and the last with
// a non-zero volume (last_nz) replace per-window counters: while last_bad is in the window every
// window is summed afresh (IEEE per window), and an all-zero window is NaN.
template <bool TP>
NEURION_HD void vw_row_t(const double* h, const double* l, const double* c, const double* v, int64_t n, int64_t p, double* out) {
  const int64_t start = p - 1;
  fill_nan(out, 0, start < n ? start : n);
  if (start >= n) return;
  const double q = nan_value();
  int64_t last_bad = -1, last_nz = -1;
  for (int64_t i = 0; i < start; ++i) {
    const double vv = v[i];
    if (!vw_ok(vw_price<TP>(h, l, c, i) * vv, vv)) last_bad = i;
    if (vv != 0.0) last_nz = i;
  }
  int64_t i = start;
  double spv = 0.0, sv = 0.0, fpv = 0.0, fv = 0.0;
  bool have = false;  // fpv, fv hold the fresh sums of the window ending at i, less bar i
  while (i < n) {
    const int64_t s = i - p + 1;
    {
      const double vv = v[i];
      const double pv = vw_price<TP>(h, l, c, i) * vv;
      if (!vw_ok(pv, vv)) last_bad = i;
      if (vv != 0.0) last_nz = i;
      if (have) {
        spv = fpv + pv;
        sv = fv + vv;
      } else {
        spv = 0.0; sv = 0.0;
        for (int64_t j = s; j <= i; ++j) {
          spv += vw_price<TP>(h, l, c, j) * v[j];
          sv += v[j];
        }
      }
    }
    out[i] = (last_nz < s && last_bad < s) ? q : spv / sv;
    ++i;
    have = false;
    if (last_bad >= s) continue;  // a non-finite bar in the window: the next window afresh too
    const int64_t T = i + p - 1;
    const int64_t end = T < n ? T : n;
    fpv = 0.0; fv = 0.0;
    for (; i < end; ++i) {
      const double vv = v[i];
      const double pv = vw_price<TP>(h, l, c, i) * vv;
      if (!vw_ok(pv, vv)) break;  // handled afresh by the outer loop
      fpv += pv;
      fv += vv;
      last_nz = vv != 0.0 ? i : last_nz;
      const double vo = v[i - p];
      spv += pv - vw_price<TP>(h, l, c, i - p) * vo;
      sv += vv - vo;
      out[i] = last_nz < i - p + 1 ? q : spv / sv;
    }
    have = i == T;
  }
}

NEURION_HD void vw_row(const double* h, const double* l, const double* c, const double* v, int64_t n, int64_t p, double* out) {
  if (h) vw_row_t<true>(h, l, c, v, n, p, out);
  else vw_row_t<false>(h, l, c, v, n, p, out);
}

NEURION_HD int64_t ta_vwma_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_vwma_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_vwma(const TaRow& r) { vw_row(nullptr, nullptr, r.in[0], r.in[1], r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_vwma_meta() {
  return {"vwma", 2, {"close", "volume"}, 1, {"vwma"}, 1, {{"period", 20, 1, 1e9, true, true}}};
}

NEURION_HD int64_t ta_vwap_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_vwap_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_vwap(const TaRow& r) { vw_row(r.in[0], r.in[1], r.in[2], r.in[3], r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_vwap_meta() {
  return {"vwap", 4, {"high", "low", "close", "volume"}, 1, {"vwap"}, 1, {{"period", 14, 1, 1e9, true, true}}};
}

// Session VWAP: cumulative sum(tp v) / sum(v) from the first bar of each session, tp = (H+L+C)/3.
// A session is a UTC calendar day shifted by sessionOffsetMinutes: key = floor((time + offset
// 60000) / 86400000) with time in ms since the epoch; a new session starts wherever the key
// differs from the previous bar's (a NaN time starts a session of its own). Lookback 0.
NEURION_HD double session_key(double time, double offset_min) {
  return floor((time + offset_min * 60000.0) / 86400000.0);
}
NEURION_HD int64_t ta_sessionVwap_lookback(const double*) { return 0; }
NEURION_HD int64_t ta_sessionVwap_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_sessionVwap(const TaRow& r) {
  const double *tm = r.in[0], *h = r.in[1], *l = r.in[2], *c = r.in[3], *v = r.in[4];
  const double off = r.p[0];
  double spv = 0.0, sv = 0.0, prev = nan_value();
  for (int64_t i = 0; i < r.n; ++i) {
    const double key = session_key(tm[i], off);
    if (!(key == prev)) { spv = 0.0; sv = 0.0; }
    prev = key;
    spv += tr_typical(h, l, c, i) * v[i];
    sv += v[i];
    r.out[0][i] = spv / sv;
  }
}
inline TaMeta ta_sessionVwap_meta() {
  return {"sessionVwap", 5, {"time", "high", "low", "close", "volume"}, 1, {"sessionVwap"}, 1,
          {{"sessionOffsetMinutes", 0, -1440, 1440, true, false}}};
}

// ---- Parabolic SAR: TA-Lib TA_SAR exactly. Initial direction from the first bar's -DM:
// short when low[0]-low[1] > 0 and > high[1]-high[0], long otherwise; the first SAR is the
// previous bar's low (long) or high (short), the first extreme point today's high / low.
// Lookback 1.
NEURION_HD int64_t ta_sar_lookback(const double*) { return 1; }
NEURION_HD int64_t ta_sar_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_sar(const TaRow& r) {
  const double* __restrict__ hi = r.in[0];
  const double* __restrict__ lo = r.in[1];
  double* __restrict__ out = r.out[0];  // outputs never alias inputs (the binding checks)
  const int64_t n = r.n;
  fill_nan(out, 0, n < 1 ? n : 1);
  if (n < 2) return;
  double acc = r.p[0];
  const double amax = r.p[1];
  double af = acc;
  if (af > amax) af = acc = amax;
  const double diffp = hi[1] - hi[0], diffm = lo[0] - lo[1];
  bool is_long = !((diffm > 0) && (diffp < diffm));
  double new_high = hi[0], new_low = lo[0];
  double ep, sar;
  if (is_long) { ep = hi[1]; sar = new_low; }
  else { ep = lo[1]; sar = new_high; }
  new_low = lo[1];
  new_high = hi[1];
  for (int64_t t = 1; t < n; ++t) {
    const double prev_low = new_low, prev_high = new_high;
    new_low = lo[t];
    new_high = hi[t];
    if (is_long) {
      if (new_low <= sar) {
        is_long = false;
        sar = ep;
        if (sar < prev_high) sar = prev_high;
        if (sar < new_high) sar = new_high;
        out[t] = sar;
        af = acc;
        ep = new_low;
        sar = sar + af * (ep - sar);
        if (sar < prev_high) sar = prev_high;
        if (sar < new_high) sar = new_high;
      } else {
        out[t] = sar;
        if (new_high > ep) {
          ep = new_high;
          af += acc;
          if (af > amax) af = amax;
        }
        sar = sar + af * (ep - sar);
        if (sar > prev_low) sar = prev_low;
        if (sar > new_low) sar = new_low;
      }
    } else {
      if (new_high >= sar) {
        is_long = true;
        sar = ep;
        if (sar > prev_low) sar = prev_low;
        if (sar > new_low) sar = new_low;
        out[t] = sar;
        af = acc;
        ep = new_high;
        sar = sar + af * (ep - sar);
        if (sar > prev_low) sar = prev_low;
        if (sar > new_low) sar = new_low;
      } else {
        out[t] = sar;
        if (new_low < ep) {
          ep = new_low;
          af += acc;
          if (af > amax) af = amax;
        }
        sar = sar + af * (ep - sar);
        if (sar < prev_high) sar = prev_high;
        if (sar < new_high) sar = new_high;
      }
    }
  }
}
inline TaMeta ta_sar_meta() {
  return {"sar", 2, {"high", "low"}, 1, {"sar"}, 2, {{"acceleration", 0.02, 0, 1, false, false}, {"maximum", 0.2, 0, 1, false, false}}};
}

// ---- SuperTrend. ATR = TA-Lib ATR (Wilder; TR from bar 1, first ATR at bar p = mean of TR[1..p]).
// Basic bands hl2 +- m ATR (hl2 = (H+L)/2); final bands ratchet: upper[t] = basicUpper when it
// is below upper[t-1] or close[t-1] > upper[t-1], else upper[t-1]; lower[t] = basicLower when
// it is above lower[t-1] or close[t-1] < lower[t-1], else lower[t-1]. Direction (TradingView
// ta.supertrend, sign flipped to +1 = up): starts -1 (down) at the first bar; while down it turns
// +1 when close > upper[t]; while up it turns -1 when close < lower[t]. supertrend = lower band
// when up, upper band when down. Lookback p.
NEURION_HD double tr_true_range(const double* h, const double* l, const double* c, int64_t t) {
  const double th = h[t], tl = l[t], yc = c[t - 1];
  double g = th - tl;
  const double v2 = fabs(yc - th);
  if (v2 > g) g = v2;
  const double v3 = fabs(yc - tl);
  if (v3 > g) g = v3;
  return g;
}
NEURION_HD int64_t ta_supertrend_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_supertrend_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_supertrend(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double mult = r.p[1], pd = static_cast<double>(p);
  fill_nan(r.out[0], 0, p < n ? p : n);
  fill_nan(r.out[1], 0, p < n ? p : n);
  if (p >= n) return;
  double sum = 0.0;
  for (int64_t t = 1; t <= p; ++t) sum += tr_true_range(h, l, c, t);
  double atr = sum / pd;
  double up = 0.0, dn = 0.0, dir = -1.0;
  for (int64_t t = p; t < n; ++t) {
    if (t > p) {
      atr *= pd - 1.0;
      atr += tr_true_range(h, l, c, t);
      atr /= pd;
    }
    const double hl2 = (h[t] + l[t]) / 2.0;
    const double bu = hl2 + mult * atr, bl = hl2 - mult * atr;
    if (t == p) {
      up = bu; dn = bl;
    } else {
      const double pc = c[t - 1];
      up = (bu < up || pc > up) ? bu : up;
      dn = (bl > dn || pc < dn) ? bl : dn;
      if (dir < 0) dir = c[t] > up ? 1.0 : -1.0;
      else dir = c[t] < dn ? -1.0 : 1.0;
    }
    r.out[0][t] = dir > 0 ? dn : up;
    r.out[1][t] = dir;
  }
}
inline TaMeta ta_supertrend_meta() {
  return {"supertrend", 3, {"high", "low", "close"}, 2, {"supertrend", "direction"}, 2,
          {{"period", 10, 1, 1e9, true, true}, {"multiplier", 3, 0, 100, false, false}}};
}

}  // namespace neurion::ta

#define NEURION_TA_TREND(TA) \
  TA(dema)                   \
  TA(tema)                   \
  TA(trima)                  \
  TA(kama)                   \
  TA(t3)                     \
  TA(hma)                    \
  TA(vwma)                   \
  TA(vwap)                   \
  TA(sessionVwap)            \
  TA(midpoint)               \
  TA(midprice)               \
  TA(sar)                    \
  TA(supertrend)             \
  TA(ichimoku)               \
  TA(linreg)                 \
  TA(linregSlope)            \
  TA(linregIntercept)        \
  TA(linregAngle)            \
  TA(tsf)
