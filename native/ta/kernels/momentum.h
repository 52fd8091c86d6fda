// Momentum indicators (see native/ta/ta.h for the kernel contract). Every kernel follows the
// TA-Lib C function of the same name (node_modules/talib/src/lib/src/ta_func/ta_<NAME>.c):
// same seeding, same lookback, same operation order (so results agree to rounding), and the
// same special cases where a denominator vanishes (TA-Lib then writes 0, or for DX repeats
// the previous value). The TypeScript twins are in src/ta/indicators/momentum.ts.
//
// NaN semantics (TS reference, kernels and streams agree):
//   - recursive state (Wilder averages in RSI/CMO/ADX family, EMAs in MACD/TRIX, the running
//     sums of ULTOSC/MFI, exactly as TA-Lib keeps them) stays NaN once a NaN enters;
//   - rolling extrema (STOCH/STOCHF/STOCHRSI fast %K, WILLR, AROON, AROONOSC) output NaN while
//     the window holds a NaN high/low and recover after (block-wise van Herk/Gil-Werman
//     extrema: O(1) per bar; TA-Lib rescans the window instead, O(p) per bar worst case);
//   - CCI recomputes its window each bar (as TA-Lib does; the mean deviation has no running
//     form), so it recovers; MOM/ROC*/BOP are per bar.
#pragma once
#include <cstring>
#include "ma.h"
#if !defined(__CUDACC__) && defined(__SSE2__)
#include <emmintrin.h>
#define NEURION_MOM_SSE2 1  // host-only 2-lane paths below; each has the identical scalar form
#endif

namespace neurion::ta {

// TA-Lib's TA_IS_ZERO / TA_IS_ZERO_OR_NEG (ta_utility.h, TA_EPSILON = 1e-14).
NEURION_HD bool mom_is_zero(double v) { return (-1e-14 < v) && (v < 1e-14); }
NEURION_HD bool mom_is_zero_or_neg(double v) { return v < 1e-14; }
NEURION_HD int64_t mom_min(int64_t a, int64_t b) { return a < b ? a : b; }
NEURION_HD int64_t mom_max(int64_t a, int64_t b) { return a > b ? a : b; }
// TA-Lib's MA lookback (period 1 is a plain copy for every MA type).
NEURION_HD int64_t mom_ma_lb(int t, int64_t p) { return p <= 1 ? 0 : ma_lookback(t, p); }
NEURION_HD int64_t mom_ma_scratch(int t, int64_t n, int64_t p) { return p <= 1 ? 0 : ma_scratch(t, n, p); }

// SMA of x[begin..n) in TA-Lib's operation order (TA_INT_SMA): out = (S + x_new) / p, then
// S -= x_old. The composites below (STOCH*, APO, PPO) use it for MA type 0 so that outputs
// that are small differences of large sums (a flat %K, fast MA ~ slow MA) carry TA-Lib's own
// rounding residue; ma.h's SMA keeps finite values apart from non-finite ones instead. A NaN
// stays in S (as in TA-Lib).
NEURION_HD void mom_sma_talib(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, mom_min(first, n));
  if (first >= n) return;
  double s = 0.0;
  for (int64_t i = begin; i < first; ++i) s += x[i];
  const double pd = static_cast<double>(p);
  for (int64_t i = first, tr = begin; i < n; ++i, ++tr) {
    s += x[i];
    const double t = s;
    s -= x[tr];
    out[i] = t / pd;
  }
}
// WMA of x[begin..n) in TA-Lib's operation order (TA_INT_WMA: the weighted sum S and plain
// sum U are updated as U += x_new - x_trailing(previous), S += p x_new, out = S / divider,
// S -= U).
NEURION_HD void mom_wma_talib(const double* x, int64_t begin, int64_t n, int64_t p, double* out) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, mom_min(first, n));
  if (first >= n) return;
  double sum = 0.0, sub = 0.0;
  int64_t w = 1;
  for (int64_t i = begin; i < first; ++i, ++w) {
    const double v = x[i];
    sub += v;
    sum += v * static_cast<double>(w);
  }
  const double pd = static_cast<double>(p), div = static_cast<double>((p * (p + 1)) >> 1);
  double trailing = 0.0;
  for (int64_t i = first, tr = begin; i < n; ++i, ++tr) {
    const double v = x[i];
    sub += v;
    sub -= trailing;
    sum += v * pd;
    trailing = x[tr];
    out[i] = sum / div;
    sum -= sub;
  }
}
// The MA-type dispatcher for this group: SMA and WMA as TA-Lib orders them, every other type
// via ma_row.
NEURION_HD void mom_ma(int t, const double* x, int64_t begin, int64_t n, int64_t p, double* out, double* scratch) {
  if (t == kSma && p > 1) mom_sma_talib(x, begin, n, p, out);
  else if (t == kWma && p > 1) mom_wma_talib(x, begin, n, p, out);
  else ma_row(t, x, begin, n, p, out, scratch);
}

// c ? a : b without a branch: the bits of a or b by mask (exact for NaN, Inf and -0).
NEURION_HD double mom_pick(bool c, double a, double b) {
  uint64_t x, y;
  memcpy(&x, &a, sizeof x);
  memcpy(&y, &b, sizeof y);
  const uint64_t m = 0 - static_cast<uint64_t>(c);
  x = (x & m) | (y & ~m);
  memcpy(&a, &x, sizeof a);
  return a;
}

// Rolling extremum over the window (i - w, i], van Herk / Gil-Werman style: the series is cut
// into blocks of w bars; the window is a suffix of the previous block (precomputed backwards
// when a block starts) plus a prefix of the current one (running), so each bar costs a few
// compares and no data-dependent loop: O(1) per bar, O(w) scratch. It tracks the index too:
// the newest index wins ties (TA-Lib's AROON). Values from a window holding a NaN are
// meaningless; callers output NaN there (they track the last NaN themselves).
// Scratch: mom_ext_scratch(w) doubles (two blocks of values and of indices).
NEURION_HD int64_t mom_ext_scratch(int64_t w) { return 4 * w; }
// Sel: update the running prefix and combine the two halves by selects (mom_pick) instead of
// branches. Exactly the same values; faster where the winner is a coin flip per bar (AROON's
// p+1-bar windows on random data), slower where the branches predict well (STOCH, WILLR,
// rolling extremes keep the branches).
template <bool Max, bool Sel = false>
struct MomExt {
  const double* x;
  double* sv[2];
  int64_t* si[2];  // scratch memory, only ever used as int64 here
  int64_t w, n, bs;
  int cur;
  double pv;
  int64_t pi;
  NEURION_HD static bool newer_wins(double a, double b) { return Max ? a >= b : a <= b; }
  NEURION_HD static bool older_wins(double a, double b) { return Max ? a > b : a < b; }
  NEURION_HD void init(const double* series, int64_t begin, int64_t len, int64_t window, double* scratch) {
    x = series;
    w = window;
    n = len;
    sv[0] = scratch;
    sv[1] = scratch + w;
    si[0] = reinterpret_cast<int64_t*>(scratch + 2 * w);
    si[1] = reinterpret_cast<int64_t*>(scratch + 3 * w);
    bs = begin - w;
    cur = 1;
    pv = 0.0;
    pi = 0;
  }
  // Call for i = begin, begin + 1, ... in order; then (value, index) of the window ending at i
  // (valid once i >= begin + w - 1).
  NEURION_HD void step(int64_t i, double& v, int64_t& at) {
    if (i == bs + w) {  // a new block [i, i + w): its suffix extrema, backwards
      bs = i;
      cur ^= 1;
      double* s = sv[cur];
      int64_t* k = si[cur];
      int64_t e = i + w;
      if (e > n) e = n;
      double bv = x[e - 1];
      int64_t bi = e - 1;
      s[e - 1 - i] = bv;
      k[e - 1 - i] = bi;
      for (int64_t j = e - 2; j >= i; --j) {
        const double xj = x[j];
        if (older_wins(xj, bv)) { bv = xj; bi = j; }  // a branch: rarely taken, well predicted
        s[j - i] = bv;
        k[j - i] = bi;
      }
      pv = x[i];
      pi = i;
    } else {
      const double xi = x[i];
      if (Sel) {
        const bool c = newer_wins(xi, pv);
        pv = mom_pick(c, xi, pv);
        pi = c ? i : pi;
      } else if (newer_wins(xi, pv)) {
        pv = xi;
        pi = i;
      }
    }
    const int64_t j = i - w + 1;
    if (j >= bs) { v = pv; at = pi; return; }
    const int64_t o = j - (bs - w);
    const double q = sv[cur ^ 1][o];
    if (Sel) {
      const int64_t qi = si[cur ^ 1][o];
      const bool c = newer_wins(pv, q);
      v = mom_pick(c, pv, q);
      at = c ? pi : qi;
    } else if (newer_wins(pv, q)) {
      v = pv;
      at = pi;
    } else {
      v = q;
      at = si[cur ^ 1][o];
    }
  }
};

// ---- RSI / CMO: Wilder averages of gains and losses seeded with their plain means ----

// One Wilder step of the gain and loss averages, TA-Lib's A = (A (p-1) + v) / p evaluated as
// A k + v (1/p) with k = (p-1)/p: the division leaves the loop-carried chain (mul + add), and
// the result stays within a few ulp of TA-Lib's (the recursion contracts by k each bar). The
// gain/loss split is branch-free: (d + |d|) (0.5/p) is exactly max(d, 0) / p and (|d| - d)
// (0.5/p) exactly max(-d, 0) / p (scaling by 0.5 is exact), so no mispredicted branch on the
// sign of d. A NaN change makes both averages NaN (TA-Lib: the gain), so the output is NaN from
// then on either way; an infinite change (|d| > ~9e307) also gives NaN (TA-Lib: 0 or NaN).
// The TS reference (rsiCmoRef) and the stream (RsiState) do the same operations.
NEURION_HD void mom_wilder_step(double d, double k, double hr, double& gain, double& loss) {
  const double a = fabs(d);
  gain = gain * k + (d + a) * hr;
  loss = loss * k + (a - d) * hr;
}

// out[i] for i >= p (TA-Lib RSI/CMO, default compatibility, unstable period 0).
// talib_order: TA-Lib's A = (A (p-1) + v) / p with the branch on the sign (StochRSI; see
// mom_stochrsi_sma) instead of mom_wilder_step.
NEURION_HD void mom_rsi_cmo(const double* x, int64_t n, int64_t p, double* out, bool cmo, bool talib_order = false) {
  fill_nan(out, 0, mom_min(p, n));
  if (p >= n) return;
  const double pd = static_cast<double>(p), pm1 = static_cast<double>(p - 1);
  double gain = 0.0, loss = 0.0, prev = x[0];
  for (int64_t i = 1; i <= p; ++i) {
    const double v = x[i], d = v - prev;
    prev = v;
    if (d < 0) loss -= d; else gain += d;
  }
  loss /= pd;
  gain /= pd;
  const double k = pm1 / pd, hr = 0.5 / pd;
  for (int64_t i = p;;) {
    const double s = gain + loss;
    if (!mom_is_zero(s)) out[i] = cmo ? 100.0 * ((gain - loss) / s) : 100.0 * (gain / s);
    else out[i] = 0.0;
    if (++i >= n) break;
    const double v = x[i], d = v - prev;
    prev = v;
    if (talib_order) {
      loss *= pm1;
      gain *= pm1;
      if (d < 0) loss -= d; else gain += d;
      loss /= pd;
      gain /= pd;
    } else {
      mom_wilder_step(d, k, hr, gain, loss);
    }
  }
}

NEURION_HD int64_t ta_rsi_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_rsi_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_rsi(const TaRow& r) { mom_rsi_cmo(r.in[0], r.n, ipar(r.p, 0), r.out[0], false); }
inline TaMeta ta_rsi_meta() {
  return {"rsi", 1, {"x"}, 1, {"rsi"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

NEURION_HD int64_t ta_cmo_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_cmo_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_cmo(const TaRow& r) { mom_rsi_cmo(r.in[0], r.n, ipar(r.p, 0), r.out[0], true); }
inline TaMeta ta_cmo_meta() {
  return {"cmo", 1, {"x"}, 1, {"cmo"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// ---- rolling high/low oscillators: fast %K (STOCH/STOCHF/STOCHRSI) and Williams %R ----

// out[i] for i in [begin + p - 1, n) over the window (i-p, i]; NaN before and while the
// window holds a NaN high or low. scratch: mom_hl_scratch(p) doubles. TA-Lib's formulas:
//   %K   diff = (hh - ll) / 100;   diff != 0 ? (c - ll) / diff : 0
//   %R   diff = (hh - ll) / -100;  diff != 0 ? (hh - c) / diff : 0
NEURION_HD int64_t mom_hl_scratch(int64_t p) { return 2 * mom_ext_scratch(p); }
NEURION_HD void mom_hl_osc(const double* h, const double* l, const double* c, int64_t begin, int64_t n, int64_t p, double* out, double* scratch, bool willr) {
  const int64_t first = begin + p - 1;
  fill_nan(out, 0, mom_min(first, n));
  if (first >= n) return;
  MomExt<true> dh;
  MomExt<false> dl;
  dh.init(h, begin, n, p, scratch);
  dl.init(l, begin, n, p, scratch + mom_ext_scratch(p));
  int64_t last_nan = -1;
  for (int64_t i = begin; i < n; ++i) {
    double hh, ll;
    int64_t hi, li;
    dh.step(i, hh, hi);
    dl.step(i, ll, li);
    if (h[i] != h[i] || l[i] != l[i]) last_nan = i;
    if (i < first) continue;
    if (last_nan > i - p) { out[i] = nan_value(); continue; }
    if (willr) {
      const double diff = (hh - ll) / (-100.0);
      out[i] = diff != 0.0 ? (hh - c[i]) / diff : 0.0;
    } else {
      const double diff = (hh - ll) / 100.0;
      out[i] = diff != 0.0 ? (c[i] - ll) / diff : 0.0;
    }
  }
}

NEURION_HD int64_t ta_willr_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_willr_scratch(int64_t, const double* p) { return mom_hl_scratch(ipar(p, 0)); }
NEURION_HD void ta_willr(const TaRow& r) { mom_hl_osc(r.in[0], r.in[1], r.in[2], 0, r.n, ipar(r.p, 0), r.out[0], r.scratch, true); }
inline TaMeta ta_willr_meta() {
  return {"willr", 3, {"high", "low", "close"}, 1, {"willr"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// STOCHF: fastK (raw %K), fastD = MA(fastK).
NEURION_HD int64_t ta_stochF_lookback(const double* p) { return ipar(p, 0) - 1 + mom_ma_lb(static_cast<int>(p[2]), ipar(p, 1)); }
NEURION_HD int64_t ta_stochF_scratch(int64_t n, const double* p) { return mom_hl_scratch(ipar(p, 0)) + mom_ma_scratch(static_cast<int>(p[2]), n, ipar(p, 1)); }
NEURION_HD void ta_stochF(const TaRow& r) {
  const int64_t n = r.n, fk = ipar(r.p, 0), fd = ipar(r.p, 1);
  const int t = static_cast<int>(r.p[2]);
  const int64_t total = ta_stochF_lookback(r.p);
  if (total >= n) { fill_nan(r.out[0], 0, n); fill_nan(r.out[1], 0, n); return; }
  mom_hl_osc(r.in[0], r.in[1], r.in[2], 0, n, fk, r.out[0], r.scratch, false);
  mom_ma(t, r.out[0], fk - 1, n, fd, r.out[1], r.scratch + mom_hl_scratch(fk));
  fill_nan(r.out[0], 0, total);
}
inline TaMeta ta_stochF_meta() {
  return {"stochF", 3, {"high", "low", "close"}, 2, {"fastK", "fastD"}, 3,
          {{"fastKPeriod", 5, 1, 1e9, true, true}, {"fastDPeriod", 3, 1, 1e9, true, true}, {"fastDMaType", 0, 0, 8, true, false}}};
}

// STOCH: slowK = MA(fast %K), slowD = MA(slowK).
NEURION_HD int64_t ta_stoch_lookback(const double* p) {
  return ipar(p, 0) - 1 + mom_ma_lb(static_cast<int>(p[2]), ipar(p, 1)) + mom_ma_lb(static_cast<int>(p[4]), ipar(p, 3));
}
NEURION_HD int64_t ta_stoch_scratch(int64_t n, const double* p) {
  const int64_t a = mom_hl_scratch(ipar(p, 0)), b = mom_ma_scratch(static_cast<int>(p[2]), n, ipar(p, 1)), c = mom_ma_scratch(static_cast<int>(p[4]), n, ipar(p, 3));
  return n + mom_max(a, mom_max(b, c));
}
NEURION_HD void ta_stoch(const TaRow& r) {
  const int64_t n = r.n, fk = ipar(r.p, 0), sk = ipar(r.p, 1), sd = ipar(r.p, 3);
  const int tk = static_cast<int>(r.p[2]), td = static_cast<int>(r.p[4]);
  const int64_t total = ta_stoch_lookback(r.p);
  if (total >= n) { fill_nan(r.out[0], 0, n); fill_nan(r.out[1], 0, n); return; }
  double* k = r.scratch;
  mom_hl_osc(r.in[0], r.in[1], r.in[2], 0, n, fk, k, r.scratch + n, false);
  mom_ma(tk, k, fk - 1, n, sk, r.out[0], r.scratch + n);
  mom_ma(td, r.out[0], fk - 1 + mom_ma_lb(tk, sk), n, sd, r.out[1], r.scratch + n);
  fill_nan(r.out[0], 0, total);
}
inline TaMeta ta_stoch_meta() {
  return {"stoch", 3, {"high", "low", "close"}, 2, {"slowK", "slowD"}, 5,
          {{"fastKPeriod", 5, 1, 1e9, true, true}, {"slowKPeriod", 3, 1, 1e9, true, true}, {"slowKMaType", 0, 0, 8, true, false},
           {"slowDPeriod", 3, 1, 1e9, true, true}, {"slowDMaType", 0, 0, 8, true, false}}};
}

// STOCHRSI: STOCHF over the RSI (high = low = close = RSI).
NEURION_HD int64_t ta_stochRsi_lookback(const double* p) { return ipar(p, 0) + ipar(p, 1) - 1 + mom_ma_lb(static_cast<int>(p[3]), ipar(p, 2)); }
// The RSI goes into the fastD output (overwritten by fastD once %K is done), so the scratch
// is only that of the extrema and of the MA.
NEURION_HD int64_t ta_stochRsi_scratch(int64_t n, const double* p) {
  return mom_max(mom_hl_scratch(ipar(p, 1)), mom_ma_scratch(static_cast<int>(p[3]), n, ipar(p, 2)));
}
// STOCHRSI with an SMA %D (the default), fused: the RSI loop is bound by its Wilder chain's
// latency, so the %K window extrema and the %D SMA run in the same loop, fk - 1 bars behind
// (the extrema read the window ahead at each block start). The RSI lands in the fastD output
// and each bar's RSI is read (for the last time) before fastD overwrites it. Same operations
// as mom_rsi_cmo + mom_hl_osc + mom_sma_talib, in the same order.
struct MomStochRsiTail {
  MomExt<true> dh;
  MomExt<false> dl;
  const double* rsi;
  double *k, *d;
  int64_t fk, fd, first, first2, last_nan;
  double s, fdd;
  NEURION_HD void step(int64_t j) {
    double hh, ll;
    int64_t hi, li;
    dh.step(j, hh, hi);
    dl.step(j, ll, li);
    const double x = rsi[j];
    if (x != x) last_nan = j;
    if (j < first) { d[j] = nan_value(); return; }
    double kv;
    if (last_nan > j - fk) kv = nan_value();
    else {
      const double diff = (hh - ll) / 100.0;
      kv = diff != 0.0 ? (x - ll) / diff : 0.0;
    }
    k[j] = kv;
    s += kv;
    if (j < first2) { d[j] = nan_value(); return; }
    const double t = s;
    s -= k[j - fd + 1];
    d[j] = t / fdd;
  }
};
NEURION_HD void mom_stochrsi_sma(const double* x, int64_t n, int64_t rp, int64_t fk, int64_t fd, double* out0, double* out1, double* scratch) {
  double* rsi = out1;
  fill_nan(rsi, 0, rp);
  MomStochRsiTail tl;
  tl.dh.init(rsi, rp, n, fk, scratch);
  tl.dl.init(rsi, rp, n, fk, scratch + mom_ext_scratch(fk));
  tl.rsi = rsi;
  tl.k = out0;
  tl.d = out1;
  tl.fk = fk;
  tl.fd = fd;
  tl.first = rp + fk - 1;
  tl.first2 = tl.first + fd - 1;
  tl.last_nan = -1;
  tl.s = 0.0;
  tl.fdd = static_cast<double>(fd);
  // mom_rsi_cmo (RSI), with the tail stepped fk - 1 bars behind
  const double pd = static_cast<double>(rp), pm1 = static_cast<double>(rp - 1);
  double gain = 0.0, loss = 0.0, prev = x[0];
  for (int64_t i = 1; i <= rp; ++i) {
    const double v = x[i], dd = v - prev;
    prev = v;
    if (dd < 0) loss -= dd; else gain += dd;
  }
  loss /= pd;
  gain /= pd;
  const int64_t lag = fk - 1;
  for (int64_t i = rp;;) {
    const double sm = gain + loss;
    if (!mom_is_zero(sm)) rsi[i] = 100.0 * (gain / sm);
    else rsi[i] = 0.0;
    if (i - lag >= rp) tl.step(i - lag);
    if (++i >= n) break;
    const double v = x[i], dd = v - prev;
    prev = v;
    // TA-Lib's own order here (not mom_wilder_step): %K = (rsi - min) / (max - min) magnifies
    // an ulp of the RSI when the window's RSI range is narrow, and %D's running SMA carries
    // that residue, so StochRSI keeps TA-Lib's rounding exactly.
    loss *= pm1;
    gain *= pm1;
    if (dd < 0) loss -= dd; else gain += dd;
    loss /= pd;
    gain /= pd;
  }
  for (int64_t j = mom_max(rp, n - lag); j < n; ++j) tl.step(j);
  fill_nan(out0, 0, tl.first2);
}
NEURION_HD void ta_stochRsi(const TaRow& r) {
  const int64_t n = r.n, rp = ipar(r.p, 0), fk = ipar(r.p, 1), fd = ipar(r.p, 2);
  const int t = static_cast<int>(r.p[3]);
  const int64_t total = ta_stochRsi_lookback(r.p);
  if (total >= n) { fill_nan(r.out[0], 0, n); fill_nan(r.out[1], 0, n); return; }
  if (t == kSma && fd > 1) { mom_stochrsi_sma(r.in[0], n, rp, fk, fd, r.out[0], r.out[1], r.scratch); return; }
  double* rsi = r.out[1];
  mom_rsi_cmo(r.in[0], n, rp, rsi, false, true);
  mom_hl_osc(rsi, rsi, rsi, rp, n, fk, r.out[0], r.scratch, false);
  mom_ma(t, r.out[0], rp + fk - 1, n, fd, r.out[1], r.scratch);
  fill_nan(r.out[0], 0, total);
}
inline TaMeta ta_stochRsi_meta() {
  return {"stochRsi", 1, {"x"}, 2, {"fastK", "fastD"}, 4,
          {{"period", 14, 2, 1e9, true, true}, {"fastKPeriod", 5, 1, 1e9, true, true}, {"fastDPeriod", 3, 1, 1e9, true, true},
           {"fastDMaType", 0, 0, 8, true, false}}};
}

// ---- CCI: (tp - mean(tp)) / (0.015 * mean |tp - mean(tp)|) over p bars, tp = (h+l+c)/3 ----
// O(p) per bar like TA-Lib (the mean deviation has no running form). Window values sit in a
// ring at slot i % p and are summed in slot order, exactly as TA-Lib's circular buffer.
NEURION_HD void mom_cci_at(const double* ring, int64_t p, double last, double* out) {
  double avg = 0.0;
  for (int64_t j = 0; j < p; ++j) avg += ring[j];
  avg /= static_cast<double>(p);
  double md = 0.0;
  for (int64_t j = 0; j < p; ++j) md += fabs(ring[j] - avg);
  const double d = last - avg;
  *out = (d != 0.0 && md != 0.0) ? d / (0.015 * (md / static_cast<double>(p))) : 0.0;
}
NEURION_HD int64_t ta_cci_lookback(const double* p) { return ipar(p, 0) - 1; }
// Four bars at a time: four copies of the ring, copy k holding the window of the k-th bar of
// the group, so the four slot-order sums (and mean deviations) are independent chains that run
// side by side; each is the same sum in the same order as the one-bar form. scratch: 4p.
NEURION_HD int64_t ta_cci_scratch(int64_t, const double* p) { return 4 * ipar(p, 0); }
NEURION_HD void ta_cci(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  double* out = r.out[0];
  double *R0 = r.scratch, *R1 = R0 + p, *R2 = R1 + p, *R3 = R2 + p;
  fill_nan(out, 0, mom_min(p - 1, n));
  const double pd = static_cast<double>(p);
  int64_t slot = 0, i = 0;
  for (; i < n && i < p - 1; ++i) {
    const double tp = (h[i] + l[i] + c[i]) / 3;
    R0[slot] = tp; R1[slot] = tp; R2[slot] = tp; R3[slot] = tp;
    if (++slot == p) slot = 0;
  }
  for (; i + 4 <= n; i += 4) {
    double tp[4];
    int64_t sl[4];
    for (int k = 0; k < 4; ++k) {
      tp[k] = (h[i + k] + l[i + k] + c[i + k]) / 3;
      sl[k] = slot;
      if (++slot == p) slot = 0;
    }
    // copy k sees bars up to i + k (later writes to the same slot win, so any p >= 1 works)
    R0[sl[0]] = tp[0];
    R1[sl[0]] = tp[0]; R1[sl[1]] = tp[1];
    R2[sl[0]] = tp[0]; R2[sl[1]] = tp[1]; R2[sl[2]] = tp[2];
    R3[sl[0]] = tp[0]; R3[sl[1]] = tp[1]; R3[sl[2]] = tp[2]; R3[sl[3]] = tp[3];
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    for (int64_t j = 0; j < p; ++j) {
      a0 += R0[j]; a1 += R1[j]; a2 += R2[j]; a3 += R3[j];
    }
    a0 /= pd; a1 /= pd; a2 /= pd; a3 /= pd;
    double m0 = 0.0, m1 = 0.0, m2 = 0.0, m3 = 0.0;
    for (int64_t j = 0; j < p; ++j) {
      m0 += fabs(R0[j] - a0); m1 += fabs(R1[j] - a1); m2 += fabs(R2[j] - a2); m3 += fabs(R3[j] - a3);
    }
    const double av[4] = {a0, a1, a2, a3}, md[4] = {m0, m1, m2, m3};
    for (int k = 0; k < 4; ++k) {
      const double d = tp[k] - av[k];
      out[i + k] = (d != 0.0 && md[k] != 0.0) ? d / (0.015 * (md[k] / pd)) : 0.0;
    }
    // bring every copy to the state after bar i + 3
    R0[sl[1]] = tp[1]; R0[sl[2]] = tp[2]; R0[sl[3]] = tp[3];
    R1[sl[2]] = tp[2]; R1[sl[3]] = tp[3];
    R2[sl[3]] = tp[3];
  }
  for (; i < n; ++i) {
    const double tp = (h[i] + l[i] + c[i]) / 3;
    R0[slot] = tp;
    if (++slot == p) slot = 0;
    mom_cci_at(R0, p, tp, out + i);
  }
}
inline TaMeta ta_cci_meta() {
  return {"cci", 3, {"high", "low", "close"}, 1, {"cci"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// ---- MACD: EMA(fast) - EMA(slow), the fast EMA started so both are first defined at slow-1 ----
// signalPeriod >= 2: TA-Lib accepts 1 but then reads its buffer at index -1 (its EMA lookback
// of period 1 is -1), returning a misaligned signal and a garbage first value.
NEURION_HD int64_t ta_macd_lookback(const double* p) {
  const int64_t a = ipar(p, 0), b = ipar(p, 1);
  return mom_max(a, b) - 1 + ipar(p, 2) - 1;
}
NEURION_HD int64_t ta_macd_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_macd(const TaRow& r) {
  const int64_t n = r.n, sig = ipar(r.p, 2);
  int64_t fast = ipar(r.p, 0), slow = ipar(r.p, 1);
  if (slow < fast) { const int64_t t = slow; slow = fast; fast = t; }
  const double* x = r.in[0];
  double *m = r.out[0], *s = r.out[1], *h = r.out[2];
  const int64_t total = slow - 1 + sig - 1;
  if (total >= n) { fill_nan(m, 0, n); fill_nan(s, 0, n); fill_nan(h, 0, n); return; }
  const double ks = 2.0 / static_cast<double>(slow + 1), kf = 2.0 / static_cast<double>(fast + 1);
  double es = 0.0, ef = 0.0;
  for (int64_t i = 0; i < slow; ++i) es += x[i];
  es /= static_cast<double>(slow);
  for (int64_t i = slow - fast; i < slow; ++i) ef += x[i];
  ef /= static_cast<double>(fast);
  // One fused pass (MACD, signal EMA seeded with the mean of the first sig MACD values, hist):
  // the same operations in the same order as the three separate passes.
  fill_nan(m, 0, total);
  fill_nan(s, 0, total);
  fill_nan(h, 0, total);
  double sum = 0.0;  // the signal's seed sum over MACD[slow-1 .. total], left to right
  sum += ef - es;
  for (int64_t i = slow; i <= total; ++i) {
    const double v = x[i];
    es = ((v - es) * ks) + es;
    ef = ((v - ef) * kf) + ef;
    sum += ef - es;
  }
  const double kg = 2.0 / static_cast<double>(sig + 1);
  double e = sum / static_cast<double>(sig);
  {
    const double mv = ef - es;
    m[total] = mv;
    s[total] = e;
    h[total] = mv - e;
  }
  for (int64_t i = total + 1; i < n; ++i) {
    const double v = x[i];
    es = ((v - es) * ks) + es;
    ef = ((v - ef) * kf) + ef;
    const double mv = ef - es;
    e = ((mv - e) * kg) + e;
    m[i] = mv;
    s[i] = e;
    h[i] = mv - e;
  }
}
inline TaMeta ta_macd_meta() {
  return {"macd", 1, {"x"}, 3, {"macd", "signal", "hist"}, 3,
          {{"fastPeriod", 12, 2, 1e9, true, true}, {"slowPeriod", 26, 2, 1e9, true, true}, {"signalPeriod", 9, 2, 1e9, true, true}}};
}

// ---- APO / PPO: MA(fast) - MA(slow), and 100 (fast - slow) / slow (TA-Lib INT_PO) ----
NEURION_HD int64_t mom_po_lookback(const double* p) { return mom_ma_lb(static_cast<int>(p[2]), mom_max(ipar(p, 0), ipar(p, 1))); }
NEURION_HD int64_t mom_po_scratch(int64_t n, const double* p) {
  const int t = static_cast<int>(p[2]);
  if (t == kSma && mom_min(ipar(p, 0), ipar(p, 1)) > 1) return 0;  // mom_po_sma: no scratch
  return n + mom_max(mom_ma_scratch(t, n, ipar(p, 0)), mom_ma_scratch(t, n, ipar(p, 1)));
}
// APO / PPO with SMAs (MA type 0, 2 <= fast <= slow) in one pass: both running sums in
// mom_sma_talib's order (S += x_new; t = S; S -= x_old; ma = t / p), no scratch. The bars are
// done in blocks: a serial pass keeps the sums and stores each bar's two window sums, then a
// branch-free pass does the divisions (which vectorise). Same operations, same values.
NEURION_HD void mom_po_sma(const double* __restrict__ x, int64_t n, int64_t fast, int64_t slow, double* __restrict__ out, bool percent) {
  const int64_t total = slow - 1;
  fill_nan(out, 0, total);
  const double fd = static_cast<double>(fast), sd = static_cast<double>(slow);
  double sf = 0.0, ss = 0.0;
  for (int64_t i = 0; i < total; ++i) ss += x[i];
  // The fast sum slides from bar 0 (as mom_sma_talib does), so it carries the same rounding.
  for (int64_t i = 0; i < fast - 1; ++i) sf += x[i];
  for (int64_t i = fast - 1; i < total; ++i) {
    sf += x[i];
    sf -= x[i - fast + 1];
  }
  constexpr int64_t kBlock = 16;  // small: the core overlaps a block's divisions with the next block's sums
  double tf[kBlock], ts[kBlock];
  for (int64_t b = total; b < n; b += kBlock) {
    const int64_t m = mom_min(kBlock, n - b);
    for (int64_t j = 0; j < m; ++j) {
      const int64_t i = b + j;
      const double v = x[i];
      sf += v;
      ss += v;
      tf[j] = sf;
      ts[j] = ss;
      sf -= x[i - fast + 1];
      ss -= x[i - slow + 1];
    }
    double* o = out + b;
    if (percent) {
      int64_t j = 0;
#if defined(NEURION_MOM_SSE2)
      const __m128d vfd = _mm_set1_pd(fd), vsd = _mm_set1_pd(sd), lo = _mm_set1_pd(-1e-14), hi = _mm_set1_pd(1e-14);
      const __m128d one = _mm_set1_pd(1.0), hundred = _mm_set1_pd(100.0);
      for (; j + 2 <= m; j += 2) {
        const __m128d f = _mm_div_pd(_mm_loadu_pd(tf + j), vfd), sl = _mm_div_pd(_mm_loadu_pd(ts + j), vsd);
        const __m128d z = _mm_and_pd(_mm_cmplt_pd(lo, sl), _mm_cmplt_pd(sl, hi));
        const __m128d den = _mm_or_pd(_mm_and_pd(z, one), _mm_andnot_pd(z, sl));
        const __m128d q = _mm_mul_pd(_mm_div_pd(_mm_sub_pd(f, sl), den), hundred);
        _mm_storeu_pd(o + j, _mm_andnot_pd(z, q));
      }
#endif
      for (; j < m; ++j) {
        const double f = tf[j] / fd, sl = ts[j] / sd;
        const bool z = (-1e-14 < sl) & (sl < 1e-14);
        const double q = ((f - sl) / (z ? 1.0 : sl)) * 100.0;
        o[j] = z ? 0.0 : q;
      }
    } else {
      for (int64_t j = 0; j < m; ++j) o[j] = (tf[j] / fd) - (ts[j] / sd);
    }
  }
}
NEURION_HD void mom_po(const TaRow& r, bool percent) {
  const int64_t n = r.n;
  int64_t fast = ipar(r.p, 0), slow = ipar(r.p, 1);
  if (slow < fast) { const int64_t t = slow; slow = fast; fast = t; }
  const int t = static_cast<int>(r.p[2]);
  const int64_t total = mom_ma_lb(t, slow);
  double* out = r.out[0];
  if (total >= n) { fill_nan(out, 0, n); return; }
  if (t == kSma && fast > 1) { mom_po_sma(r.in[0], n, fast, slow, out, percent); return; }
  double* f = r.scratch;
  mom_ma(t, r.in[0], 0, n, fast, f, r.scratch + n);
  mom_ma(t, r.in[0], 0, n, slow, out, r.scratch + n);
  fill_nan(out, 0, total);
  if (percent) {
    for (int64_t i = total; i < n; ++i) {
      const double s = out[i];
      out[i] = !mom_is_zero(s) ? ((f[i] - s) / s) * 100.0 : 0.0;
    }
  } else {
    for (int64_t i = total; i < n; ++i) out[i] = f[i] - out[i];
  }
}
NEURION_HD int64_t ta_apo_lookback(const double* p) { return mom_po_lookback(p); }
NEURION_HD int64_t ta_apo_scratch(int64_t n, const double* p) { return mom_po_scratch(n, p); }
NEURION_HD void ta_apo(const TaRow& r) { mom_po(r, false); }
inline TaMeta ta_apo_meta() {
  return {"apo", 1, {"x"}, 1, {"apo"}, 3,
          {{"fastPeriod", 12, 2, 1e9, true, true}, {"slowPeriod", 26, 2, 1e9, true, true}, {"maType", 0, 0, 8, true, false}}};
}
NEURION_HD int64_t ta_ppo_lookback(const double* p) { return mom_po_lookback(p); }
NEURION_HD int64_t ta_ppo_scratch(int64_t n, const double* p) { return mom_po_scratch(n, p); }
NEURION_HD void ta_ppo(const TaRow& r) { mom_po(r, true); }
inline TaMeta ta_ppo_meta() {
  return {"ppo", 1, {"x"}, 1, {"ppo"}, 3,
          {{"fastPeriod", 12, 2, 1e9, true, true}, {"slowPeriod", 26, 2, 1e9, true, true}, {"maType", 0, 0, 8, true, false}}};
}

// ---- MOM / ROC / ROCP / ROCR: x[t] against x[t-p] ----
// kind 0 MOM x - x0; 1 ROC ((x/x0) - 1) * 100; 2 ROCP (x - x0)/x0; 3 ROCR x/x0 (0 where x0 == 0).
// Templated on the kind (no per-bar switch); the division is taken against 1 where x0 == 0 and
// its result then discarded, so the loop has no branch and vectorises (same values: where
// x0 != 0 the operations are the original ones).
template <int kKind>
NEURION_HD void mom_change_k(const double* __restrict__ x, int64_t n, int64_t p, double* __restrict__ out) {
  fill_nan(out, 0, mom_min(p, n));
  int64_t i = p;
#if defined(NEURION_MOM_SSE2)
  if (kKind != 0) {
    const __m128d zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0), hundred = _mm_set1_pd(100.0);
    for (; i + 2 <= n; i += 2) {
      const __m128d v = _mm_loadu_pd(x + i), o = _mm_loadu_pd(x + i - p);
      const __m128d nz = _mm_cmpneq_pd(o, zero);  // unordered-or-not-equal, as C's o != 0.0
      const __m128d od = _mm_or_pd(_mm_and_pd(nz, o), _mm_andnot_pd(nz, one));
      __m128d r;
      if (kKind == 1) r = _mm_mul_pd(_mm_sub_pd(_mm_div_pd(v, od), one), hundred);
      else if (kKind == 2) r = _mm_div_pd(_mm_sub_pd(v, o), od);
      else r = _mm_div_pd(v, od);
      _mm_storeu_pd(out + i, _mm_and_pd(nz, r));
    }
  }
#endif
  for (; i < n; ++i) {
    const double v = x[i], o = x[i - p];
    if (kKind == 0) {
      out[i] = v - o;
    } else {
      const bool nz = o != 0.0;
      const double od = nz ? o : 1.0;
      double r;
      if (kKind == 1) r = ((v / od) - 1.0) * 100.0;
      else if (kKind == 2) r = (v - o) / od;
      else r = v / od;
      out[i] = nz ? r : 0.0;
    }
  }
}
NEURION_HD void mom_change(const double* x, int64_t n, int64_t p, double* out, int kind) {
  switch (kind) {
    case 0: mom_change_k<0>(x, n, p, out); break;
    case 1: mom_change_k<1>(x, n, p, out); break;
    case 2: mom_change_k<2>(x, n, p, out); break;
    default: mom_change_k<3>(x, n, p, out); break;
  }
}
NEURION_HD int64_t ta_mom_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_mom_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_mom(const TaRow& r) { mom_change(r.in[0], r.n, ipar(r.p, 0), r.out[0], 0); }
inline TaMeta ta_mom_meta() { return {"mom", 1, {"x"}, 1, {"mom"}, 1, {{"period", 10, 1, 1e9, true, true}}}; }
NEURION_HD int64_t ta_roc_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_roc_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_roc(const TaRow& r) { mom_change(r.in[0], r.n, ipar(r.p, 0), r.out[0], 1); }
inline TaMeta ta_roc_meta() { return {"roc", 1, {"x"}, 1, {"roc"}, 1, {{"period", 10, 1, 1e9, true, true}}}; }
NEURION_HD int64_t ta_rocp_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_rocp_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_rocp(const TaRow& r) { mom_change(r.in[0], r.n, ipar(r.p, 0), r.out[0], 2); }
inline TaMeta ta_rocp_meta() { return {"rocp", 1, {"x"}, 1, {"rocp"}, 1, {{"period", 10, 1, 1e9, true, true}}}; }
NEURION_HD int64_t ta_rocr_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_rocr_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_rocr(const TaRow& r) { mom_change(r.in[0], r.n, ipar(r.p, 0), r.out[0], 3); }
inline TaMeta ta_rocr_meta() { return {"rocr", 1, {"x"}, 1, {"rocr"}, 1, {{"period", 10, 1, 1e9, true, true}}}; }

// ---- TRIX: 1-bar ROC (percent) of a triple EMA (each EMA SMA-seeded on the previous one) ----
NEURION_HD int64_t ta_trix_lookback(const double* p) { return 3 * (ipar(p, 0) - 1) + 1; }
NEURION_HD int64_t ta_trix_scratch(int64_t, const double*) { return 0; }
// One fused pass over the three EMAs (each seeded with the mean of the first p values of the
// previous one, summed left to right, as ema_from_k does) and the 1-bar ROC: the same
// operations in the same order as the separate passes, no scratch.
NEURION_HD void ta_trix(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0), total = ta_trix_lookback(r.p);
  const double* x = r.in[0];
  double* out = r.out[0];
  if (total >= n) { fill_nan(out, 0, n); return; }
  fill_nan(out, 0, total);
  const double k = 2.0 / static_cast<double>(p + 1), pd = static_cast<double>(p);
  // e1 first defined at p-1, e2 at 2(p-1), e3 at 3(p-1) = total - 1.
  const int64_t f1 = p - 1, f2 = 2 * (p - 1), f3 = 3 * (p - 1);
  double s1 = 0.0;
  for (int64_t i = 0; i <= f1; ++i) s1 += x[i];
  double e1 = s1 / pd;
  double s2 = 0.0;
  s2 += e1;
  for (int64_t i = f1 + 1; i <= f2; ++i) {
    e1 = ((x[i] - e1) * k) + e1;
    s2 += e1;
  }
  double e2 = s2 / pd;
  double s3 = 0.0;
  s3 += e2;
  for (int64_t i = f2 + 1; i <= f3; ++i) {
    e1 = ((x[i] - e1) * k) + e1;
    e2 = ((e1 - e2) * k) + e2;
    s3 += e2;
  }
  double e3 = s3 / pd;
  for (int64_t i = f3 + 1; i < n; ++i) {
    e1 = ((x[i] - e1) * k) + e1;
    e2 = ((e1 - e2) * k) + e2;
    const double o = e3;
    e3 = ((e2 - e3) * k) + e3;
    out[i] = o != 0.0 ? ((e3 / o) - 1.0) * 100.0 : 0.0;
  }
}
// period >= 2: TA-Lib accepts 1 but its EMA lookback of period 1 is -1 (output from bar 0, reading
// before its buffer).
inline TaMeta ta_trix_meta() { return {"trix", 1, {"x"}, 1, {"trix"}, 1, {{"period", 30, 2, 1e9, true, true}}}; }

// ---- ULTOSC: 100 (4 A1/B1 + 2 A2/B2 + A3/B3) / 7 over the sorted periods (TA-Lib sorts) ----
// A = sum(close - min(low, prev close)), B = sum(true range), as TA-Lib's running sums.
struct MomUltTerms { double a, b; };
NEURION_HD MomUltTerms mom_ult_terms(const double* h, const double* l, const double* c, int64_t d) {
  const double lt = l[d], ht = h[d], cy = c[d - 1];
  const double tl = lt < cy ? lt : cy;  // TA-Lib min(): (a < b) ? a : b
  MomUltTerms t;
  t.a = c[d] - tl;
  double tr = ht - lt, q = fabs(cy - ht);
  if (q > tr) tr = q;
  q = fabs(cy - lt);
  if (q > tr) tr = q;
  t.b = tr;
  return t;
}
NEURION_HD void mom_sort3(const double* p, int64_t* s) {  // s[0] <= s[1] <= s[2]
  int64_t a = ipar(p, 0), b = ipar(p, 1), c = ipar(p, 2), t;
  if (a > b) { t = a; a = b; b = t; }
  if (b > c) { t = b; b = c; c = t; }
  if (a > b) { t = a; a = b; b = t; }
  s[0] = a; s[1] = b; s[2] = c;
}
NEURION_HD int64_t ta_ultosc_lookback(const double* p) {
  int64_t s[3];
  mom_sort3(p, s);
  return s[2];
}
// scratch: a ring of the last s[2] bars' terms (each bar's terms are computed once; the
// trailing ones are read back, the same values TA-Lib recomputes).
NEURION_HD int64_t ta_ultosc_scratch(int64_t, const double* p) {
  int64_t s[3];
  mom_sort3(p, s);
  return 2 * s[2];
}
// The three (A_k, B_k) pairs of bars [b, b + m) -> out (TA-Lib's formula; a zero B_k skips
// its term, which here adds +0.0 to a sum that is never -0: the same value).
NEURION_HD void mom_ult_out(const double* a0, const double* a1, const double* a2, const double* b0, const double* b1, const double* b2, int64_t m, double* out) {
  int64_t j = 0;
#if defined(NEURION_MOM_SSE2)
  const __m128d lo = _mm_set1_pd(-1e-14), hi = _mm_set1_pd(1e-14), one = _mm_set1_pd(1.0);
  const __m128d four = _mm_set1_pd(4.0), two = _mm_set1_pd(2.0), seven = _mm_set1_pd(7.0), hundred = _mm_set1_pd(100.0);
  for (; j + 2 <= m; j += 2) {
    const __m128d B0 = _mm_loadu_pd(b0 + j), B1 = _mm_loadu_pd(b1 + j), B2 = _mm_loadu_pd(b2 + j);
    const __m128d z0 = _mm_and_pd(_mm_cmplt_pd(lo, B0), _mm_cmplt_pd(B0, hi));
    const __m128d z1 = _mm_and_pd(_mm_cmplt_pd(lo, B1), _mm_cmplt_pd(B1, hi));
    const __m128d z2 = _mm_and_pd(_mm_cmplt_pd(lo, B2), _mm_cmplt_pd(B2, hi));
    const __m128d q0 = _mm_div_pd(_mm_loadu_pd(a0 + j), _mm_or_pd(_mm_and_pd(z0, one), _mm_andnot_pd(z0, B0)));
    const __m128d q1 = _mm_div_pd(_mm_loadu_pd(a1 + j), _mm_or_pd(_mm_and_pd(z1, one), _mm_andnot_pd(z1, B1)));
    const __m128d q2 = _mm_div_pd(_mm_loadu_pd(a2 + j), _mm_or_pd(_mm_and_pd(z2, one), _mm_andnot_pd(z2, B2)));
    __m128d o = _mm_add_pd(_mm_setzero_pd(), _mm_andnot_pd(z0, _mm_mul_pd(four, q0)));
    o = _mm_add_pd(o, _mm_andnot_pd(z1, _mm_mul_pd(two, q1)));
    o = _mm_add_pd(o, _mm_andnot_pd(z2, q2));
    _mm_storeu_pd(out + j, _mm_mul_pd(hundred, _mm_div_pd(o, seven)));
  }
#endif
  for (; j < m; ++j) {
    double o = 0.0;
    if (!mom_is_zero(b0[j])) o += 4.0 * (a0[j] / b0[j]);
    if (!mom_is_zero(b1[j])) o += 2.0 * (a1[j] / b1[j]);
    if (!mom_is_zero(b2[j])) o += a2[j] / b2[j];
    out[j] = 100.0 * (o / 7.0);
  }
}
NEURION_HD void ta_ultosc(const TaRow& r) {
  const int64_t n = r.n;
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  double* out = r.out[0];
  int64_t s[3];
  mom_sort3(r.p, s);
  const int64_t start = s[2], P = s[2];
  if (start >= n) { fill_nan(out, 0, n); return; }
  fill_nan(out, 0, start);
  double *ra = r.scratch, *rb = r.scratch + P;
  // Bar d (>= 1) sits at ring slot (d - 1) % P.
  double a0 = 0.0, a1 = 0.0, a2 = 0.0, b0 = 0.0, b1 = 0.0, b2 = 0.0;
  const int64_t f0 = start - s[0] + 1, f1 = start - s[1] + 1, f2 = start - s[2] + 1;
  for (int64_t d = 1; d < start; ++d) {
    const MomUltTerms t = mom_ult_terms(h, l, c, d);
    ra[d - 1] = t.a;
    rb[d - 1] = t.b;
    if (d >= f0) { a0 += t.a; b0 += t.b; }
    if (d >= f1) { a1 += t.a; b1 += t.b; }
    if (d >= f2) { a2 += t.a; b2 += t.b; }
  }
  int64_t w = P - 1, t0 = (P - s[0]) % P, t1 = (P - s[1]) % P, t2 = 0;  // slots of bar i and of i - s[k] + 1
  constexpr int64_t kBlock = 64;
  double A0[kBlock], A1[kBlock], A2[kBlock], B0[kBlock], B1[kBlock], B2[kBlock];
  for (int64_t bb = start; bb < n; bb += kBlock) {
    const int64_t m = mom_min(kBlock, n - bb);
    for (int64_t j = 0; j < m; ++j) {
      const MomUltTerms t = mom_ult_terms(h, l, c, bb + j);
      ra[w] = t.a;
      rb[w] = t.b;
      a0 += t.a; a1 += t.a; a2 += t.a;
      b0 += t.b; b1 += t.b; b2 += t.b;
      A0[j] = a0; A1[j] = a1; A2[j] = a2;
      B0[j] = b0; B1[j] = b1; B2[j] = b2;
      a0 -= ra[t0]; b0 -= rb[t0];
      a1 -= ra[t1]; b1 -= rb[t1];
      a2 -= ra[t2]; b2 -= rb[t2];
      if (++w == P) w = 0;
      if (++t0 == P) t0 = 0;
      if (++t1 == P) t1 = 0;
      if (++t2 == P) t2 = 0;
    }
    mom_ult_out(A0, A1, A2, B0, B1, B2, m, out + bb);
  }
}
inline TaMeta ta_ultosc_meta() {
  return {"ultosc", 3, {"high", "low", "close"}, 1, {"ultosc"}, 3,
          {{"period1", 7, 1, 1e9, true, true}, {"period2", 14, 1, 1e9, true, true}, {"period3", 28, 1, 1e9, true, true}}};
}

// c ? v : +0.0 without a branch (gcc turns the plain ternary into a jump, mispredicted on
// random data): the bits of v masked, so NaN/Inf/-0 select exactly as the ternary does.
NEURION_HD double mom_select(bool c, double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  b &= 0 - static_cast<uint64_t>(c);
  memcpy(&v, &b, sizeof v);
  return v;
}

// ---- directional movement: +DI, -DI, DX, ADX, ADXR (Wilder sums seeded with plain sums) ----
struct MomDmi {
  double ph, pl, pc, pdm, mdm, tr;
  // One bar: diffs against the previous bar, true range against the previous close.
  NEURION_HD void terms(double h, double l, double& dp, double& dm, double& t) {
    dp = h - ph;
    dm = pl - l;
    t = h - l;
    double q = fabs(h - pc);
    t = q > t ? q : t;  // TA-Lib's order as selects (maxsd), not branches
    q = fabs(l - pc);
    t = q > t ? q : t;
  }
  NEURION_HD void seed_step(double h, double l, double c) {
    double dp, dm, t;
    terms(h, l, dp, dm, t);
    if ((dm > 0) && (dp < dm)) mdm += dm;
    else if ((dp > 0) && (dp > dm)) pdm += dp;
    tr += t;
    ph = h; pl = l; pc = c;
  }
  // TA-Lib's S - S/p + v evaluated as S k + v, k = (p-1)/p: the division leaves the
  // loop-carried chains (within ulps of TA-Lib; the recursion contracts by k), and the +DM/-DM
  // choice is a select (adding +0.0 is exact), not a branch mispredicted on about half the bars.
  // DmiState in momentum.ts does the same operations.
  NEURION_HD void wilder_step(double h, double l, double c, double k) {
    double dp, dm, t;
    terms(h, l, dp, dm, t);
    const double mv = mom_select((dm > 0) & (dp < dm), dm);
    const double pv = mom_select((dp > 0) & (dp > dm), dp);
    mdm = mdm * k + mv;
    pdm = pdm * k + pv;
    tr = tr * k + t;
    ph = h; pl = l; pc = c;
  }
};

// Fills any non-null output: +DI, -DI (from p), DX (from p), ADX (from 2p - 1). Templated on
// whether DX/ADX are wanted, so +DI/-DI alone skip that work.
template <bool kDx>
NEURION_HD void mom_dmi(const double* h, const double* l, const double* c, int64_t n, int64_t p, double* pdi, double* mdi, double* dx, double* adx) {
  const double pd = static_cast<double>(p);
  const int64_t f = mom_min(p, n);
  if (pdi) fill_nan(pdi, 0, f);
  if (mdi) fill_nan(mdi, 0, f);
  if (dx) fill_nan(dx, 0, f);
  if (adx) fill_nan(adx, 0, mom_min(2 * p - 1, n));
  if (p >= n) return;
  MomDmi s{h[0], l[0], c[0], 0.0, 0.0, 0.0};
  for (int64_t i = 1; i < p; ++i) s.seed_step(h[i], l[i], c[i]);
  double last_dx = 0.0, sum_dx = 0.0, a = 0.0;
  const double k = (pd - 1.0) / pd, r = 1.0 / pd;
  for (int64_t i = p; i < n; ++i) {
    s.wilder_step(h[i], l[i], c[i], k);
    const bool trz = mom_is_zero(s.tr);
    const double rt = 100.0 / s.tr;  // DI = 100 DM / TR as DM (100 / TR): one division for both
    const double q = s.pdm * rt, m = s.mdm * rt;
    if (pdi) pdi[i] = !trz ? q : 0.0;
    if (mdi) mdi[i] = !trz ? m : 0.0;
    if (!kDx) continue;
    bool have = false;
    double v = 0.0;
    if (!trz) {
      const double sum = m + q;
      if (!mom_is_zero(sum)) { v = 100.0 * (fabs(m - q) / sum); have = true; }
    }
    if (dx) {
      if (have) last_dx = v;
      else if (i == p) last_dx = 0.0;
      dx[i] = last_dx;
    }
    if (adx) {
      if (i < 2 * p - 1) {
        if (have) sum_dx += v;
      } else if (i == 2 * p - 1) {
        if (have) sum_dx += v;
        a = sum_dx / pd;
        adx[i] = a;
      } else {
        if (have) a = a * k + v * r;  // TA-Lib (a (p-1) + v) / p, within ulps
        adx[i] = a;
      }
    }
  }
}

NEURION_HD int64_t ta_plusDi_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_plusDi_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_plusDi(const TaRow& r) { mom_dmi<false>(r.in[0], r.in[1], r.in[2], r.n, ipar(r.p, 0), r.out[0], nullptr, nullptr, nullptr); }
inline TaMeta ta_plusDi_meta() {
  return {"plusDi", 3, {"high", "low", "close"}, 1, {"plusDi"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}
NEURION_HD int64_t ta_minusDi_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_minusDi_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_minusDi(const TaRow& r) { mom_dmi<false>(r.in[0], r.in[1], r.in[2], r.n, ipar(r.p, 0), nullptr, r.out[0], nullptr, nullptr); }
inline TaMeta ta_minusDi_meta() {
  return {"minusDi", 3, {"high", "low", "close"}, 1, {"minusDi"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}
NEURION_HD int64_t ta_dx_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_dx_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_dx(const TaRow& r) { mom_dmi<true>(r.in[0], r.in[1], r.in[2], r.n, ipar(r.p, 0), nullptr, nullptr, r.out[0], nullptr); }
inline TaMeta ta_dx_meta() {
  return {"dx", 3, {"high", "low", "close"}, 1, {"dx"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}
NEURION_HD int64_t ta_adx_lookback(const double* p) { return 2 * ipar(p, 0) - 1; }
NEURION_HD int64_t ta_adx_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_adx(const TaRow& r) { mom_dmi<true>(r.in[0], r.in[1], r.in[2], r.n, ipar(r.p, 0), nullptr, nullptr, nullptr, r.out[0]); }
inline TaMeta ta_adx_meta() {
  return {"adx", 3, {"high", "low", "close"}, 1, {"adx"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}
// ADXR = (ADX[t] + ADX[t - (p-1)]) / 2.
NEURION_HD int64_t ta_adxr_lookback(const double* p) { return 3 * ipar(p, 0) - 2; }
NEURION_HD int64_t ta_adxr_scratch(int64_t n, const double*) { return n; }
NEURION_HD void ta_adxr(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0), total = 3 * p - 2;
  double* out = r.out[0];
  if (total >= n) { fill_nan(out, 0, n); return; }
  double* a = r.scratch;
  mom_dmi<true>(r.in[0], r.in[1], r.in[2], n, p, nullptr, nullptr, nullptr, a);
  fill_nan(out, 0, total);
  for (int64_t i = total; i < n; ++i) out[i] = (a[i] + a[i - (p - 1)]) / 2.0;
}
inline TaMeta ta_adxr_meta() {
  return {"adxr", 3, {"high", "low", "close"}, 1, {"adxr"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// ---- AROON / AROONOSC over the p+1 bars (t-p .. t); the newest extreme wins ties (TA-Lib) ----
template <bool kOsc>
NEURION_HD void mom_aroon(const double* h, const double* l, int64_t n, int64_t p, double* down, double* up, double* osc, double* scratch) {
  const int64_t f = mom_min(p, n);
  if (down) fill_nan(down, 0, f);
  if (up) fill_nan(up, 0, f);
  if (osc) fill_nan(osc, 0, f);
  if (p >= n) return;
  const double factor = 100.0 / static_cast<double>(p);
  const int64_t w = p + 1;
  MomExt<true, true> dh;
  MomExt<false, true> dl;
  dh.init(h, 0, n, w, scratch);
  dl.init(l, 0, n, w, scratch + mom_ext_scratch(w));
  int64_t last_nan = -1;
  for (int64_t i = 0; i < n; ++i) {
    double hv, lv;
    int64_t hi, lo;
    dh.step(i, hv, hi);
    dl.step(i, lv, lo);
    if (h[i] != h[i] || l[i] != l[i]) last_nan = i;
    if (i < p) continue;
    if (last_nan > i - w) {
      if (kOsc) osc[i] = nan_value();
      else { down[i] = nan_value(); up[i] = nan_value(); }
      continue;
    }
    if (kOsc) {
      osc[i] = factor * static_cast<double>(hi - lo);
    } else {
      down[i] = factor * static_cast<double>(p - (i - lo));
      up[i] = factor * static_cast<double>(p - (i - hi));
    }
  }
}
NEURION_HD int64_t ta_aroon_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_aroon_scratch(int64_t, const double* p) { return mom_hl_scratch(ipar(p, 0) + 1); }
NEURION_HD void ta_aroon(const TaRow& r) { mom_aroon<false>(r.in[0], r.in[1], r.n, ipar(r.p, 0), r.out[0], r.out[1], nullptr, r.scratch); }
inline TaMeta ta_aroon_meta() {
  return {"aroon", 2, {"high", "low"}, 2, {"aroonDown", "aroonUp"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}
NEURION_HD int64_t ta_aroonOsc_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_aroonOsc_scratch(int64_t, const double* p) { return mom_hl_scratch(ipar(p, 0) + 1); }
NEURION_HD void ta_aroonOsc(const TaRow& r) { mom_aroon<true>(r.in[0], r.in[1], r.n, ipar(r.p, 0), nullptr, nullptr, r.out[0], r.scratch); }
inline TaMeta ta_aroonOsc_meta() {
  return {"aroonOsc", 2, {"high", "low"}, 1, {"aroonOsc"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// ---- MFI: 100 * positive money flow / total money flow over p bars (TA-Lib running sums) ----
// Flow = typical price * volume, positive when the typical price rose, negative when it fell,
// neither when unchanged; a total below 1 gives 0 (TA-Lib). scratch: 2p (ring of flows).
NEURION_HD int64_t ta_mfi_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_mfi_scratch(int64_t, const double* p) { return 2 * ipar(p, 0); }
NEURION_HD void ta_mfi(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2], *v = r.in[3];
  double* out = r.out[0];
  fill_nan(out, 0, mom_min(p, n));
  if (p >= n) return;
  double *pos = r.scratch, *neg = r.scratch + p;
  double ps = 0.0, ns = 0.0, prev = (h[0] + l[0] + c[0]) / 3.0;
  int64_t slot = 0;
  for (int64_t i = 1; i < n; ++i) {
    if (i > p) { ps -= pos[slot]; ns -= neg[slot]; }
    double tp = (h[i] + l[i] + c[i]) / 3.0;
    const double d = tp - prev;
    prev = tp;
    tp *= v[i];
    // Branch-free (the sign of d is a coin flip on real data): the side that does not get the
    // flow adds +0.0, which leaves its sum's value unchanged.
    const double pf = d > 0 ? tp : 0.0, nf = d < 0 ? tp : 0.0;
    pos[slot] = pf;
    neg[slot] = nf;
    ps += pf;
    ns += nf;
    if (i >= p) {
      const double t = ps + ns;
      out[i] = t < 1.0 ? 0.0 : 100.0 * (ps / t);
    }
    if (++slot == p) slot = 0;
  }
}
inline TaMeta ta_mfi_meta() {
  return {"mfi", 4, {"high", "low", "close", "volume"}, 1, {"mfi"}, 1, {{"period", 14, 2, 1e9, true, true}}};
}

// ---- BOP: (close - open) / (high - low); 0 where high - low < 1e-14 (TA-Lib) ----
NEURION_HD int64_t ta_bop_lookback(const double*) { return 0; }
NEURION_HD int64_t ta_bop_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_bop(const TaRow& r) {
  const double *o = r.in[0], *h = r.in[1], *l = r.in[2], *c = r.in[3];
  double* out = r.out[0];
  for (int64_t i = 0; i < r.n; ++i) {
    const double d = h[i] - l[i];
    out[i] = mom_is_zero_or_neg(d) ? 0.0 : (c[i] - o[i]) / d;
  }
}
inline TaMeta ta_bop_meta() { return {"bop", 4, {"open", "high", "low", "close"}, 1, {"bop"}, 0, {}}; }

}  // namespace neurion::ta

#define NEURION_TA_MOMENTUM(TA) \
  TA(rsi)                       \
  TA(stochRsi)                  \
  TA(stoch)                     \
  TA(stochF)                    \
  TA(willr)                     \
  TA(cci)                       \
  TA(macd)                      \
  TA(ppo)                       \
  TA(apo)                       \
  TA(mom)                       \
  TA(roc)                       \
  TA(rocp)                      \
  TA(rocr)                      \
  TA(trix)                      \
  TA(ultosc)                    \
  TA(adx)                       \
  TA(adxr)                      \
  TA(plusDi)                    \
  TA(minusDi)                   \
  TA(dx)                        \
  TA(aroon)                     \
  TA(aroonOsc)                  \
  TA(mfi)                       \
  TA(cmo)                       \
  TA(bop)
