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
#include "ma.h"

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

// Rolling extremum over the window (i - w, i], van Herk / Gil-Werman style: the series is cut
// into blocks of w bars; the window is a suffix of the previous block (precomputed backwards
// when a block starts) plus a prefix of the current one (running), so each bar costs a few
// compares and no data-dependent loop: O(1) per bar, O(w) scratch. It tracks the index too:
// the newest index wins ties (TA-Lib's AROON). Values from a window holding a NaN are
// meaningless; callers output NaN there (they track the last NaN themselves).
// Scratch: mom_ext_scratch(w) doubles (two blocks of values and of indices).
NEURION_HD int64_t mom_ext_scratch(int64_t w) { return 4 * w; }
template <bool Max>
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
        if (older_wins(xj, bv)) { bv = xj; bi = j; }
        s[j - i] = bv;
        k[j - i] = bi;
      }
      pv = x[i];
      pi = i;
    } else {
      const double xi = x[i];
      if (newer_wins(xi, pv)) { pv = xi; pi = i; }
    }
    const int64_t j = i - w + 1;
    if (j >= bs) { v = pv; at = pi; return; }
    const int64_t o = j - (bs - w);
    const double q = sv[cur ^ 1][o];
    if (newer_wins(pv, q)) { v = pv; at = pi; }
    else { v = q; at = si[cur ^ 1][o]; }
  }
};

// ---- RSI / CMO: Wilder averages of gains and losses seeded with their plain means ----

// out[i] for i >= p (TA-Lib RSI/CMO, default compatibility, unstable period 0).
NEURION_HD void mom_rsi_cmo(const double* x, int64_t n, int64_t p, double* out, bool cmo) {
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
  for (int64_t i = p;;) {
    const double s = gain + loss;
    if (!mom_is_zero(s)) out[i] = cmo ? 100.0 * ((gain - loss) / s) : 100.0 * (gain / s);
    else out[i] = 0.0;
    if (++i >= n) break;
    const double v = x[i], d = v - prev;
    prev = v;
    loss *= pm1;
    gain *= pm1;
    if (d < 0) loss -= d; else gain += d;
    loss /= pd;
    gain /= pd;
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
NEURION_HD int64_t ta_stochRsi_scratch(int64_t n, const double* p) {
  return n + mom_max(mom_hl_scratch(ipar(p, 1)), mom_ma_scratch(static_cast<int>(p[3]), n, ipar(p, 2)));
}
NEURION_HD void ta_stochRsi(const TaRow& r) {
  const int64_t n = r.n, rp = ipar(r.p, 0), fk = ipar(r.p, 1), fd = ipar(r.p, 2);
  const int t = static_cast<int>(r.p[3]);
  const int64_t total = ta_stochRsi_lookback(r.p);
  if (total >= n) { fill_nan(r.out[0], 0, n); fill_nan(r.out[1], 0, n); return; }
  double* rsi = r.scratch;
  mom_rsi_cmo(r.in[0], n, rp, rsi, false);
  mom_hl_osc(rsi, rsi, rsi, rp, n, fk, r.out[0], r.scratch + n, false);
  mom_ma(t, r.out[0], rp + fk - 1, n, fd, r.out[1], r.scratch + n);
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
NEURION_HD int64_t ta_cci_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_cci(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  double* out = r.out[0];
  double* ring = r.scratch;
  fill_nan(out, 0, mom_min(p - 1, n));
  int64_t slot = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double tp = (h[i] + l[i] + c[i]) / 3;
    ring[slot] = tp;
    if (++slot == p) slot = 0;
    if (i >= p - 1) mom_cci_at(ring, p, tp, out + i);
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
  fill_nan(m, 0, slow - 1);
  m[slow - 1] = ef - es;
  for (int64_t i = slow; i < n; ++i) {
    const double v = x[i];
    es = ((v - es) * ks) + es;
    ef = ((v - ef) * kf) + ef;
    m[i] = ef - es;
  }
  ema_from_k(m, slow - 1, n, sig, 2.0 / static_cast<double>(sig + 1), s);
  fill_nan(h, 0, total);
  for (int64_t i = total; i < n; ++i) h[i] = m[i] - s[i];
  fill_nan(m, 0, total);
}
inline TaMeta ta_macd_meta() {
  return {"macd", 1, {"x"}, 3, {"macd", "signal", "hist"}, 3,
          {{"fastPeriod", 12, 2, 1e9, true, true}, {"slowPeriod", 26, 2, 1e9, true, true}, {"signalPeriod", 9, 2, 1e9, true, true}}};
}

// ---- APO / PPO: MA(fast) - MA(slow), and 100 (fast - slow) / slow (TA-Lib INT_PO) ----
NEURION_HD int64_t mom_po_lookback(const double* p) { return mom_ma_lb(static_cast<int>(p[2]), mom_max(ipar(p, 0), ipar(p, 1))); }
NEURION_HD int64_t mom_po_scratch(int64_t n, const double* p) {
  const int t = static_cast<int>(p[2]);
  return n + mom_max(mom_ma_scratch(t, n, ipar(p, 0)), mom_ma_scratch(t, n, ipar(p, 1)));
}
NEURION_HD void mom_po(const TaRow& r, bool percent) {
  const int64_t n = r.n;
  int64_t fast = ipar(r.p, 0), slow = ipar(r.p, 1);
  if (slow < fast) { const int64_t t = slow; slow = fast; fast = t; }
  const int t = static_cast<int>(r.p[2]);
  const int64_t total = mom_ma_lb(t, slow);
  double* out = r.out[0];
  if (total >= n) { fill_nan(out, 0, n); return; }
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
NEURION_HD void mom_change(const double* x, int64_t n, int64_t p, double* out, int kind) {
  fill_nan(out, 0, mom_min(p, n));
  for (int64_t i = p; i < n; ++i) {
    const double v = x[i], o = x[i - p];
    switch (kind) {
      case 0: out[i] = v - o; break;
      case 1: out[i] = o != 0.0 ? ((v / o) - 1.0) * 100.0 : 0.0; break;
      case 2: out[i] = o != 0.0 ? (v - o) / o : 0.0; break;
      default: out[i] = o != 0.0 ? (v / o) : 0.0; break;
    }
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
NEURION_HD int64_t ta_trix_scratch(int64_t n, const double*) { return n; }
NEURION_HD void ta_trix(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0), total = ta_trix_lookback(r.p);
  double *out = r.out[0], *a = r.scratch;
  if (total >= n) { fill_nan(out, 0, n); return; }
  const double k = 2.0 / static_cast<double>(p + 1);
  ema_from_k(r.in[0], 0, n, p, k, a);
  ema_from_k(a, p - 1, n, p, k, out);
  ema_from_k(out, 2 * (p - 1), n, p, k, a);
  fill_nan(out, 0, total);
  for (int64_t i = total; i < n; ++i) {
    const double o = a[i - 1];
    out[i] = o != 0.0 ? ((a[i] / o) - 1.0) * 100.0 : 0.0;
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
NEURION_HD int64_t ta_ultosc_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_ultosc(const TaRow& r) {
  const int64_t n = r.n;
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2];
  double* out = r.out[0];
  int64_t s[3];
  mom_sort3(r.p, s);
  const int64_t start = s[2];
  if (start >= n) { fill_nan(out, 0, n); return; }
  fill_nan(out, 0, start);
  double a[3], b[3];
  for (int k = 0; k < 3; ++k) {
    a[k] = 0.0; b[k] = 0.0;
    for (int64_t i = start - s[k] + 1; i < start; ++i) {
      const MomUltTerms t = mom_ult_terms(h, l, c, i);
      a[k] += t.a;
      b[k] += t.b;
    }
  }
  for (int64_t i = start; i < n; ++i) {
    const MomUltTerms t = mom_ult_terms(h, l, c, i);
    a[0] += t.a; a[1] += t.a; a[2] += t.a;
    b[0] += t.b; b[1] += t.b; b[2] += t.b;
    double o = 0.0;
    if (!mom_is_zero(b[0])) o += 4.0 * (a[0] / b[0]);
    if (!mom_is_zero(b[1])) o += 2.0 * (a[1] / b[1]);
    if (!mom_is_zero(b[2])) o += a[2] / b[2];
    for (int k = 0; k < 3; ++k) {
      const MomUltTerms u = mom_ult_terms(h, l, c, i - s[k] + 1);
      a[k] -= u.a;
      b[k] -= u.b;
    }
    out[i] = 100.0 * (o / 7.0);
  }
}
inline TaMeta ta_ultosc_meta() {
  return {"ultosc", 3, {"high", "low", "close"}, 1, {"ultosc"}, 3,
          {{"period1", 7, 1, 1e9, true, true}, {"period2", 14, 1, 1e9, true, true}, {"period3", 28, 1, 1e9, true, true}}};
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
    if (q > t) t = q;
    q = fabs(l - pc);
    if (q > t) t = q;
  }
  NEURION_HD void seed_step(double h, double l, double c) {
    double dp, dm, t;
    terms(h, l, dp, dm, t);
    if ((dm > 0) && (dp < dm)) mdm += dm;
    else if ((dp > 0) && (dp > dm)) pdm += dp;
    tr += t;
    ph = h; pl = l; pc = c;
  }
  NEURION_HD void wilder_step(double h, double l, double c, double p) {
    double dp, dm, t;
    terms(h, l, dp, dm, t);
    mdm -= mdm / p;
    pdm -= pdm / p;
    if ((dm > 0) && (dp < dm)) mdm += dm;
    else if ((dp > 0) && (dp > dm)) pdm += dp;
    tr = tr - (tr / p) + t;
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
  for (int64_t i = p; i < n; ++i) {
    s.wilder_step(h[i], l[i], c[i], pd);
    const bool trz = mom_is_zero(s.tr);
    if (pdi) pdi[i] = !trz ? 100.0 * (s.pdm / s.tr) : 0.0;
    if (mdi) mdi[i] = !trz ? 100.0 * (s.mdm / s.tr) : 0.0;
    if (!kDx) continue;
    bool have = false;
    double v = 0.0;
    if (!trz) {
      const double m = 100.0 * (s.mdm / s.tr), q = 100.0 * (s.pdm / s.tr), sum = m + q;
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
        if (have) a = ((a * (pd - 1)) + v) / pd;
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
  MomExt<true> dh;
  MomExt<false> dl;
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
    if (d < 0) { neg[slot] = tp; ns += tp; pos[slot] = 0.0; }
    else if (d > 0) { pos[slot] = tp; ps += tp; neg[slot] = 0.0; }
    else { pos[slot] = 0.0; neg[slot] = 0.0; }
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
