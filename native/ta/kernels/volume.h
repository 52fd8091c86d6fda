// Volume indicators (see native/ta/ta.h for the kernel contract). TypeScript twins (reference,
// streaming, formulas) in src/ta/indicators/volume.ts.
//
//   obv         On-Balance Volume (TA-Lib OBV: starts at the first bar's volume)
//   ad          Chaikin Accumulation/Distribution line (TA-Lib AD)
//   adosc       Chaikin A/D oscillator, EMA(fast) - EMA(slow) of AD, both seeded with AD[0] (TA-Lib ADOSC)
//   cmf         Chaikin Money Flow: sum(MFV) / sum(volume) over `period` bars
//   volumeSma   SMA of volume
//   vroc        volume rate of change, ((V[t] / V[t-p]) - 1) * 100 (TA-Lib ROC's op order and its 0 on a zero base)
//   forceIndex  Elder's force index: EMA(p) of (C[t] - C[t-1]) V[t], EMA seeded with the SMA of the first p values
//   eom         Ease of Movement: emv = distance moved / box ratio, eom = SMA(p) of emv
//
// NaN policy (TS reference and kernels agree; the conformance fuzz checks it):
//   - cumulative / recursive lines (obv, ad, adosc, forceIndex) stay NaN from the first bar whose
//     contribution is NaN. TA-Lib's AD skips a bar whose high-low is NaN (its `if (tmp > 0)` is
//     false); we make the line NaN instead so a missing bar is never silently read as "no flow".
//     Likewise OBV turns NaN at a NaN close (TA-Lib's comparisons are false and it holds the line
//     flat). On finite data both are exactly TA-Lib.
//   - windowed ones (cmf, eom) are NaN while a non-finite term is inside the window and recover when
//     it leaves (running sums keep the non-finite terms out and count them); volumeSma is ma.h's SMA
//     (one infinity of a single sign gives that infinity, as a fresh sum would).
//
// Running window sums (cmf, eom) are TwoSum-compensated (WinSum below) and re-summed fresh, oldest
// to newest, every `period` bars (at bars i with (i + 1) % period == 0): O(1) amortised per bar, and
// rounding cannot build up over long series (this matters for sums that cancel, like sum(MFV), and
// for a huge emv spike leaving a window of near-zero values). The streaming classes follow the same
// arithmetic and schedule, so they give the kernel's values bit for bit.
#pragma once
#include <cstring>
#include "ma.h"

namespace neurion::ta {

// Money-flow volume of one bar, TA-Lib AD's expression and operation order:
//   (((C - L) - (H - C)) / (H - L)) * V  when H - L > 0,
//   0                                     when H - L <= 0 (a flat bar carries no flow; H < L is bad data),
//   NaN                                   when H - L is NaN.
NEURION_HD double money_flow_volume(double h, double l, double c, double v) {
  const double range = h - l;
  if (range > 0.0) return (((c - l) - (h - c)) / range) * v;
  return range == range ? 0.0 : nan_value();
}

// A window sum with the non-finite terms counted apart (the sum holds the finite ones only).
// Compensated: each add's rounding error is recovered exactly by Knuth's branch-free TwoSum and
// accumulated in comp, and value() = sum + comp; so a large term entering and later leaving the
// window leaves no visible residue (one huge emv spike followed by a window of exact zeros reads 0,
// as a fresh sum would, to ~eps^2 of the spike).
struct WinSum {
  double sum;
  double comp;
  int64_t bad;
  NEURION_HD void add(double x) {
    const double t = sum + x;
    const double bp = t - sum;
    comp += (sum - (t - bp)) + (x - bp);
    sum = t;
  }
  // Adds xn and, when `drop`, removes xo (the value leaving the window).
  NEURION_HD void step(double xn, bool drop, double xo) {
    if (finite(xn)) add(xn); else ++bad;
    if (drop) {
      if (finite(xo)) add(-xo); else --bad;
    }
  }
  NEURION_HD void reset() { sum = 0.0; comp = 0.0; }
  // Re-summation: reset(), then add() the window's finite values oldest first.
  NEURION_HD void add_if_finite(double x) { if (finite(x)) add(x); }
  NEURION_HD double value() const { return sum + comp; }
};

// c ? v : +0.0 without a branch (the bits of v masked; exact for NaN/Inf too).
NEURION_HD double vol_select(bool c, double v) {
  uint64_t b;
  memcpy(&b, &v, sizeof b);
  b &= 0 - static_cast<uint64_t>(c);
  memcpy(&v, &b, sizeof v);
  return v;
}

// ---- obv ----
// obv[0] = V[0]; obv[t] = obv[t-1] + V[t] if x[t] > x[t-1], - V[t] if x[t] < x[t-1], unchanged if equal,
// NaN (and NaN from then on) if x[t] or x[t-1] is NaN.

NEURION_HD int64_t ta_obv_lookback(const double*) { return 0; }
NEURION_HD int64_t ta_obv_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_obv(const TaRow& r) {
  const double* x = r.in[0];
  const double* v = r.in[1];
  double* o = r.out[0];
  const int64_t n = r.n;
  if (n <= 0) return;
  double obv = v[0], prev = x[0];
  o[0] = obv;
  const double qnan = nan_value();
  for (int64_t i = 1; i < n; ++i) {
    const double c = x[i], vi = v[i];
    // Branch-free (the direction is a coin flip on most series): the step is v, -v, 0 or NaN
    // by bit masks; v - 0, 0 - v and 0 - 0 are exact, so obv +/- v as the branches gave.
    const bool up = c > prev, down = c < prev, unordered = !(up | down | (c == prev));
    obv += (vol_select(up, vi) - vol_select(down, vi)) + vol_select(unordered, qnan);
    o[i] = obv;
    prev = c;
  }
}
inline TaMeta ta_obv_meta() { return {"obv", 2, {"x", "volume"}, 1, {"obv"}, 0, {}}; }

// ---- ad ----

NEURION_HD int64_t ta_ad_lookback(const double*) { return 0; }
NEURION_HD int64_t ta_ad_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_ad(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2], *v = r.in[3];
  double* o = r.out[0];
  double ad = 0.0;
  for (int64_t i = 0; i < r.n; ++i) {
    ad += money_flow_volume(h[i], l[i], c[i], v[i]);
    o[i] = ad;
  }
}
inline TaMeta ta_ad_meta() { return {"ad", 4, {"high", "low", "close", "volume"}, 1, {"ad"}, 0, {}}; }

// ---- adosc ----
// TA-Lib ADOSC: k = 2/(p+1); both EMAs seeded with AD[0] (not an SMA), then
// ema = (k * ad) + ((1 - k) * ema) from bar 1; out = fastEMA - slowEMA from max(fast, slow) - 1.

NEURION_HD int64_t ta_adosc_lookback(const double* p) {
  const int64_t f = ipar(p, 0), s = ipar(p, 1);
  return (f > s ? f : s) - 1;
}
NEURION_HD int64_t ta_adosc_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_adosc(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2], *v = r.in[3];
  double* o = r.out[0];
  const int64_t n = r.n, lb = ta_adosc_lookback(r.p);
  fill_nan(o, 0, lb < n ? lb : n);
  if (n <= 0) return;
  const double fk = 2.0 / static_cast<double>(ipar(r.p, 0) + 1), omf = 1.0 - fk;
  const double sk = 2.0 / static_cast<double>(ipar(r.p, 1) + 1), oms = 1.0 - sk;
  double ad = money_flow_volume(h[0], l[0], c[0], v[0]);
  double fe = ad, se = ad;
  // Warm-up (no output), then the output loop: lb >= 1 since both periods are >= 2.
  const int64_t warm = lb < n ? lb : n;
  for (int64_t i = 1; i < warm; ++i) {
    ad += money_flow_volume(h[i], l[i], c[i], v[i]);
    fe = (fk * ad) + (omf * fe);
    se = (sk * ad) + (oms * se);
  }
  for (int64_t i = warm > 1 ? warm : 1; i < n; ++i) {
    ad += money_flow_volume(h[i], l[i], c[i], v[i]);
    fe = (fk * ad) + (omf * fe);
    se = (sk * ad) + (oms * se);
    o[i] = fe - se;
  }
}
inline TaMeta ta_adosc_meta() {
  return {"adosc", 4, {"high", "low", "close", "volume"}, 1, {"adosc"}, 2,
          {{"fastPeriod", 3, 2, 1e9, true, true}, {"slowPeriod", 10, 2, 1e9, true, true}}};
}

// ---- cmf ----
// cmf[t] = sum(MFV[t-p+1..t]) / sum(V[t-p+1..t]); 0 when the window's volume sums to 0 (no volume,
// no flow); NaN while a non-finite MFV or volume is in the window.

NEURION_HD int64_t ta_cmf_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_cmf_scratch(int64_t, const double* p) { return ipar(p, 0); }
NEURION_HD void ta_cmf(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *c = r.in[2], *v = r.in[3];
  double* o = r.out[0];
  double* ring = r.scratch;  // MFV of the last p bars, ring[i % p]
  const int64_t n = r.n, p = ipar(r.p, 0);
  WinSum sm{0.0, 0.0, 0}, sv{0.0, 0.0, 0};
  int64_t slot = 0, resync = p;  // slot = i % p; resync counts down to the bars with (i + 1) % p == 0
  for (int64_t i = 0; i < n; ++i) {
    const bool drop = i >= p;
    const double m = money_flow_volume(h[i], l[i], c[i], v[i]);
    sm.step(m, drop, drop ? ring[slot] : 0.0);
    sv.step(v[i], drop, drop ? v[i - p] : 0.0);
    ring[slot] = m;
    if (++slot == p) slot = 0;
    if (--resync == 0) {
      resync = p;
      sm.reset();
      sv.reset();
      for (int64_t j = i - p + 1; j <= i; ++j) {
        sm.add_if_finite(ring[j % p]);
        sv.add_if_finite(v[j]);
      }
    }
    if (i < p - 1) o[i] = nan_value();
    else if (sm.bad > 0 || sv.bad > 0) o[i] = nan_value();
    else o[i] = sv.value() != 0.0 ? sm.value() / sv.value() : 0.0;
  }
}
inline TaMeta ta_cmf_meta() {
  return {"cmf", 4, {"high", "low", "close", "volume"}, 1, {"cmf"}, 1, {{"period", 20, 1, 1e9, true, true}}};
}

// ---- volumeSma ----

NEURION_HD int64_t ta_volumeSma_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_volumeSma_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_volumeSma(const TaRow& r) { sma_from(r.in[0], 0, r.n, ipar(r.p, 0), r.out[0]); }
inline TaMeta ta_volumeSma_meta() {
  return {"volumeSma", 1, {"volume"}, 1, {"volumeSma"}, 1, {{"period", 20, 1, 1e9, true, true}}};
}

// ---- vroc ----
// vroc[t] = ((V[t] / V[t-p]) - 1) * 100 (TA-Lib ROC's expression), 0 when V[t-p] == 0 (TA-Lib ROC's rule).

NEURION_HD int64_t ta_vroc_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_vroc_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_vroc(const TaRow& r) {
  const double* v = r.in[0];
  double* o = r.out[0];
  const int64_t n = r.n, p = ipar(r.p, 0);
  fill_nan(o, 0, p < n ? p : n);
  for (int64_t i = p; i < n; ++i) {
    const double b = v[i - p];
    o[i] = b != 0.0 ? ((v[i] / b) - 1.0) * 100.0 : 0.0;
  }
}
inline TaMeta ta_vroc_meta() {
  return {"vroc", 1, {"volume"}, 1, {"vroc"}, 1, {{"period", 14, 1, 1e9, true, true}}};
}

// ---- forceIndex ----
// raw[t] = (C[t] - C[t-1]) * V[t] for t >= 1; fi = EMA(p) of raw (k = 2/(p+1)), seeded with the
// SMA of raw[1..p] at t = p (TA-Lib-style seeding, as ema_from_k); period 1 gives raw itself.

NEURION_HD int64_t ta_forceIndex_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_forceIndex_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_forceIndex(const TaRow& r) {
  const double *c = r.in[0], *v = r.in[1];
  double* o = r.out[0];
  const int64_t n = r.n, p = ipar(r.p, 0);
  fill_nan(o, 0, p < n ? p : n);
  if (p >= n) return;
  if (p == 1) {
    for (int64_t i = 1; i < n; ++i) o[i] = (c[i] - c[i - 1]) * v[i];
    return;
  }
  const double k = 2.0 / (static_cast<double>(p) + 1.0);
  double sum = 0.0;
  for (int64_t i = 1; i <= p; ++i) sum += (c[i] - c[i - 1]) * v[i];
  double e = sum / static_cast<double>(p);
  o[p] = e;
  for (int64_t i = p + 1; i < n; ++i) {
    e = (((c[i] - c[i - 1]) * v[i] - e) * k) + e;
    o[i] = e;
  }
}
inline TaMeta ta_forceIndex_meta() {
  return {"forceIndex", 2, {"close", "volume"}, 1, {"forceIndex"}, 1, {{"period", 13, 1, 1e9, true, true}}};
}

// ---- eom ----
// emv[t] = dist / box, dist = (H[t] + L[t]) / 2 - (H[t-1] + L[t-1]) / 2, box = (V[t] / scale) / (H[t] - L[t]);
// emv[t] = dist * 0 (0, or NaN for a non-finite dist) when H[t] == L[t] or V[t] == 0 (no range or no
// volume: no ease-of-movement reading; StockCharts leaves these undefined). eom = SMA(p) of emv over
// emv[1..] (NaN while a non-finite emv is in the window). Both outputs NaN before the lookback p.

NEURION_HD double ease_of_movement(double h, double l, double hp, double lp, double v, double scale) {
  const double dist = ((h + l) / 2.0) - ((hp + lp) / 2.0);
  const double range = h - l;
  if (range == 0.0 || v == 0.0) return dist * 0.0;
  return dist / ((v / scale) / range);
}

NEURION_HD int64_t ta_eom_lookback(const double* p) { return ipar(p, 0); }
NEURION_HD int64_t ta_eom_scratch(int64_t, const double*) { return 0; }
NEURION_HD void ta_eom(const TaRow& r) {
  const double *h = r.in[0], *l = r.in[1], *v = r.in[2];
  double *eom = r.out[0], *emv = r.out[1];
  const int64_t n = r.n, p = ipar(r.p, 0);
  const double scale = r.p[1];
  // emv[i] for i >= 1 is kept in the emv output itself; the SMA is a WinSum over emv[1..] with the
  // fresh re-summation every p values (k = i - 1 counts the emv values), so a spike leaving the
  // window cannot leave rounding residue behind for longer than p bars.
  WinSum s{0.0, 0.0, 0};
  const double div = static_cast<double>(p);
  int64_t resync = p;  // counts down to the values with (k + 1) % p == 0
  if (n > 0) eom[0] = nan_value();
  for (int64_t i = 1; i < n; ++i) {
    emv[i] = ease_of_movement(h[i], l[i], h[i - 1], l[i - 1], v[i], scale);
    const int64_t k = i - 1;
    const bool drop = k >= p;
    s.step(emv[i], drop, drop ? emv[i - p] : 0.0);
    if (--resync == 0) {
      resync = p;
      s.reset();
      for (int64_t j = i - p + 1; j <= i; ++j) s.add_if_finite(emv[j]);
    }
    eom[i] = i < p ? nan_value() : (s.bad > 0 ? nan_value() : s.value() / div);
  }
  fill_nan(emv, 0, p < n ? p : n);
}
inline TaMeta ta_eom_meta() {
  return {"eom", 3, {"high", "low", "volume"}, 2, {"eom", "emv"}, 2,
          {{"period", 14, 1, 1e9, true, true}, {"scale", 1e8, 1e-12, 1e18, false, false}}};
}

}  // namespace neurion::ta

#define NEURION_TA_VOLUME(TA) \
  TA(obv)                     \
  TA(ad)                      \
  TA(adosc)                   \
  TA(cmf)                     \
  TA(volumeSma)               \
  TA(vroc)                    \
  TA(forceIndex)              \
  TA(eom)
