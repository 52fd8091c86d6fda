// Flow indicators: Neurion's own institutional-flow signals (see native/ta/ta.h for the kernel
// contract; TypeScript reference, streaming and formulas in src/ta/indicators/flow.ts; the full
// write-up with weights and rationale in README.md, "Institutional-flow signals"). All causal: the value at bar t
// reads bars <= t only.
//
//   ifi      Institutional Flow Index in [-1, 1] and its score 50 (ifi + 1) in [0, 100]
//   instObv  institutional OBV: cumulative signed volume of the "large" bars only
//   smi      Smart Money Index, a 0-100 composite of IFI, A/D slope, institutional-OBV slope and a
//            price-signed volume-change score
//
// The large-bar rule (ifi, instObv, smi): over the window W_t = bars t-p+1..t (p = period, the
// current bar included), Q_t = the `quantile` quantile of the window's volumes, numpy's default
// estimator (type 7, 'linear'): sort v_(0) <= .. <= v_(p-1), h = (p - 1) q, j = floor(h), g = h - j,
// Q = lerp(v_(j), v_(min(j+1, p-1)), g) with numpy's lerp (a + (b - a) g for g < 0.5, b - (b - a)(1 - g)
// otherwise). A bar is large when its volume is STRICTLY above Q (so a window of equal volumes has
// no large bar). Its signed volume is s = +V if close > open, -V if close < open, 0 if equal.
//
//   ifi[t]     = sum(s_j over j in W_t with V_j > Q_t) / sum(V_j over W_t)   (0 when the window has no
//                volume), clamped to [-1, 1] against rounding; every bar in the window is judged against
//                the window's current quantile.
//   instObv[t] = sum over j = p-1..t of (V_j > Q_j ? s_j : 0): each bar is judged once, against its own
//                trailing window, when it arrives (a cumulative line must never rewrite its past).
//
// A bar with a non-finite volume or a NaN open/close inside the window makes ifi NaN until it leaves;
// instObv (cumulative) stays NaN from then on.
//
// Streaming/kernel algorithm and cost (honest): the window's volumes are kept sorted (scratch, with
// each entry's signed volume beside it). Per bar: one removal (binary search, O(log p) comparisons,
// then an O(p) shift of the arrays) and one insertion (an insertion-sort step: O(p) shifts, which the
// array shift costs anyway); so O(p) worst case per bar, a memmove of at most p doubles, which for
// the periods used in practice (p ~ 20) is cheaper than a pair of heaps. The quantile is then O(1)
// and the large-bar sum walks down from the top of the sorted window over the large bars only,
// O((1 - q) p + 1). The window's total volume is a compensated running sum re-summed fresh every p
// bars (amortised O(1)). Measured single-thread (p = 20, q = 0.9, random bars): ~75 ns/bar for
// ifi / instObv, ~110 ns/bar for smi.
#pragma once
#include "ma.h"
#include "volume.h"

namespace neurion::ta {

// The sorted window: key[0..cnt) ascending volumes, sgn[k] the signed volume of the same bar.
struct FlowWindow {
  double* key;
  double* sgn;
  int64_t cnt;

  // First index with key > v.
  NEURION_HD int64_t upper(double v) const {
    int64_t lo = 0, hi = cnt;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (key[mid] <= v) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  // First index with key >= v.
  NEURION_HD int64_t lower(double v) const {
    int64_t lo = 0, hi = cnt;
    while (lo < hi) {
      const int64_t mid = lo + (hi - lo) / 2;
      if (key[mid] < v) lo = mid + 1; else hi = mid;
    }
    return lo;
  }
  // Insertion-sort step: shift the larger keys up and drop v in at upper(v) (the same slot a binary
  // search would find, so the array is identical to the TypeScript stream's). The shift is O(p)
  // anyway, and the scan has one predictable branch per step instead of log p unpredictable ones.
  NEURION_HD void insert(double v, double s) {
    int64_t k = cnt;
    while (k > 0 && key[k - 1] > v) {
      key[k] = key[k - 1];
      sgn[k] = sgn[k - 1];
      --k;
    }
    key[k] = v;
    sgn[k] = s;
    ++cnt;
  }
  NEURION_HD void erase(double v, double s) {
    int64_t pos = lower(v);
    while (pos < cnt && key[pos] == v && !(sgn[pos] == s)) ++pos;
    if (pos >= cnt || !(key[pos] == v)) return;  // not present (cannot happen: inserted before)
    for (int64_t k = pos; k + 1 < cnt; ++k) {
      key[k] = key[k + 1];
      sgn[k] = sgn[k + 1];
    }
    --cnt;
  }
  // numpy.quantile(method='linear') of the cnt >= 1 sorted keys.
  NEURION_HD double quantile(double q) const {
    const double h = static_cast<double>(cnt - 1) * q;
    int64_t j = static_cast<int64_t>(h);  // floor: h >= 0
    if (j < 0) j = 0;
    if (j > cnt - 1) j = cnt - 1;
    const int64_t j1 = j + 1 < cnt ? j + 1 : cnt - 1;
    const double g = h - static_cast<double>(j);
    const double a = key[j], b = key[j1], d = b - a;
    return g >= 0.5 ? b - d * (1.0 - g) : a + d * g;
  }
  // Sum of sgn over the entries with key > thr, walking down from the largest.
  NEURION_HD double sum_above(double thr) const {
    double s = 0.0;
    for (int64_t k = cnt - 1; k >= 0 && key[k] > thr; --k) s += sgn[k];
    return s;
  }
};

// One bar's flow inputs: signed volume and whether it is unusable.
NEURION_HD double flow_signed(double o, double c, double v) { return c > o ? v : (c < o ? -v : 0.0); }
NEURION_HD bool flow_bad(double o, double c, double v) { return !finite(v) || o != o || c != c; }

// The large-bar machine over period p (shared by ifi, instObv and smi). step(i) moves the window to
// end at bar i; after it, for i >= p - 1: ifi() and current() (the signed volume of bar i if large).
struct FlowState {
  const double *o, *c, *v;
  int64_t p;
  double q;
  FlowWindow w;
  int64_t bad;
  WinSum total;
  int64_t resync;  // counts down to the bars with (i + 1) % p == 0 (fresh re-summation of total)
  double thr;      // Q of the current window

  NEURION_HD void step(int64_t i) {
    const bool drop = i >= p;
    if (drop) {
      const int64_t j = i - p;
      if (flow_bad(o[j], c[j], v[j])) --bad;
      else w.erase(v[j], flow_signed(o[j], c[j], v[j]));
    }
    if (flow_bad(o[i], c[i], v[i])) ++bad;
    else w.insert(v[i], flow_signed(o[i], c[i], v[i]));
    total.step(v[i], drop, drop ? v[i - p] : 0.0);
    if (--resync == 0) {
      resync = p;
      total.reset();
      for (int64_t j = i - p + 1; j <= i; ++j) total.add_if_finite(v[j]);
    }
    thr = bad == 0 && w.cnt > 0 ? w.quantile(q) : nan_value();
  }
  NEURION_HD double ifi() const {
    if (bad > 0) return nan_value();
    const double tot = total.value();
    if (tot == 0.0) return 0.0;
    double f = w.sum_above(thr) / tot;
    if (f > 1.0) f = 1.0;
    else if (f < -1.0) f = -1.0;
    return f;
  }
  NEURION_HD double current(int64_t i) const {
    if (bad > 0) return nan_value();
    return v[i] > thr ? flow_signed(o[i], c[i], v[i]) : 0.0;
  }
};

NEURION_HD FlowState flow_state(const TaRow& r, int64_t p, double q) {
  FlowState s{};
  s.o = r.in[0];
  s.c = r.in[1];
  s.v = r.in[2];
  s.p = p;
  s.q = q;
  s.w = FlowWindow{r.scratch, r.scratch + p, 0};
  s.bad = 0;
  s.total = WinSum{0.0, 0.0, 0};
  s.resync = p;
  s.thr = nan_value();
  return s;
}

// ---- ifi ----

NEURION_HD int64_t ta_ifi_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_ifi_scratch(int64_t, const double* p) { return 2 * ipar(p, 0); }
NEURION_HD void ta_ifi(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  FlowState s = flow_state(r, p, r.p[1]);
  for (int64_t i = 0; i < n; ++i) {
    s.step(i);
    if (i < p - 1) {
      r.out[0][i] = nan_value();
      r.out[1][i] = nan_value();
    } else {
      const double f = s.ifi();
      r.out[0][i] = f;
      r.out[1][i] = 50.0 * (f + 1.0);
    }
  }
}
inline TaMeta ta_ifi_meta() {
  return {"ifi", 3, {"open", "close", "volume"}, 2, {"ifi", "score"}, 2,
          {{"period", 20, 2, 1e9, true, true}, {"quantile", 0.9, 0, 1, false, false}}};
}

// ---- instObv ----

NEURION_HD int64_t ta_instObv_lookback(const double* p) { return ipar(p, 0) - 1; }
NEURION_HD int64_t ta_instObv_scratch(int64_t, const double* p) { return 2 * ipar(p, 0); }
NEURION_HD void ta_instObv(const TaRow& r) {
  const int64_t n = r.n, p = ipar(r.p, 0);
  FlowState s = flow_state(r, p, r.p[1]);
  double acc = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    s.step(i);
    if (i < p - 1) {
      r.out[0][i] = nan_value();
    } else {
      acc += s.current(i);
      r.out[0][i] = acc;
    }
  }
}
inline TaMeta ta_instObv_meta() {
  return {"instObv", 3, {"open", "close", "volume"}, 1, {"instObv"}, 2,
          {{"period", 20, 2, 1e9, true, true}, {"quantile", 0.9, 0, 1, false, false}}};
}

// ---- smi ----
// Smart Money Index, with T = trendPeriod and every z in [-1, 1] (clamped against rounding):
//   z_ifi  = ifi[t] (period, quantile)
//   z_ad   = (AD[t] - AD[t-T]) / sum(V[t-T+1..t]) = sum(MFV) / sum(V) over the last T bars: the A/D line's
//            T-bar slope normalised by the volume traded meanwhile (0 when that volume is 0)
//   z_iobv = (instObv[t] - instObv[t-T]) / sum(V[t-T+1..t]): the institutional-OBV slope, same normalisation
//   z_vol  = sign(C[t] - C[t-T]) * tanh(ln(V[t] / V[t-T])) = sign(..) (V[t]^2 - V[t-T]^2) / (V[t]^2 + V[t-T]^2)
//            (0 when both volumes are 0): the VROC over T (tanh of the log volume ratio, symmetric for
//            doubling/halving) signed by the price move it accompanies, so rising volume confirms the
//            move and fading volume counts against it
//   score_k = 50 (1 + z_k);  smi = 0.4 score_ifi + 0.2 score_ad + 0.2 score_iobv + 0.2 score_vol  in [0, 100].
// Outputs: smi and the four component scores. Lookback period + T - 2 (z_iobv needs T bars each with a
// full large-bar window).

NEURION_HD int64_t ta_smi_lookback(const double* p) { return ipar(p, 0) + ipar(p, 2) - 2; }
NEURION_HD int64_t ta_smi_scratch(int64_t, const double* p) { return 2 * ipar(p, 0) + ipar(p, 2); }

NEURION_HD double flow_clamp(double z) { return z > 1.0 ? 1.0 : (z < -1.0 ? -1.0 : z); }
NEURION_HD double flow_ratio(const WinSum& num, const WinSum& den) {
  if (num.bad > 0 || den.bad > 0) return nan_value();
  return den.value() != 0.0 ? flow_clamp(num.value() / den.value()) : 0.0;
}
NEURION_HD double flow_volume_confirmation(double c, double cp, double v, double vp) {
  const double dc = c - cp;
  const double d = dc > 0.0 ? 1.0 : (dc < 0.0 ? -1.0 : (dc == 0.0 ? 0.0 : nan_value()));
  const double a = v * v, b = vp * vp, den = a + b;
  const double z = den != 0.0 ? (a - b) / den : 0.0;
  return d * z;
}

NEURION_HD void ta_smi(const TaRow& r) {
  const double *o = r.in[0], *h = r.in[1], *l = r.in[2], *c = r.in[3], *v = r.in[4];
  const int64_t n = r.n, p = ipar(r.p, 0), T = ipar(r.p, 2);
  const int64_t lb = p + T - 2;
  TaRow fr = r;
  fr.in[0] = o;
  fr.in[1] = c;
  fr.in[2] = v;
  FlowState s = flow_state(fr, p, r.p[1]);
  double* ring = r.scratch + 2 * p;  // large-bar signed volume of the last T bars (0 before bar p-1)
  WinSum smf{0.0, 0.0, 0}, sl{0.0, 0.0, 0}, sv{0.0, 0.0, 0};
  int64_t slot = 0, resync = T;  // slot = i % T; resync counts down to the bars with (i + 1) % T == 0
  for (int64_t i = 0; i < n; ++i) {
    s.step(i);
    const double cur = i >= p - 1 ? s.current(i) : 0.0;
    const bool drop = i >= T;
    smf.step(money_flow_volume(h[i], l[i], c[i], v[i]), drop,
             drop ? money_flow_volume(h[i - T], l[i - T], c[i - T], v[i - T]) : 0.0);
    sl.step(cur, drop, drop ? ring[slot] : 0.0);
    sv.step(v[i], drop, drop ? v[i - T] : 0.0);
    ring[slot] = cur;
    if (++slot == T) slot = 0;
    if (--resync == 0) {
      resync = T;
      smf.reset();
      sl.reset();
      sv.reset();
      for (int64_t j = i - T + 1; j <= i; ++j) {
        smf.add_if_finite(money_flow_volume(h[j], l[j], c[j], v[j]));
        sl.add_if_finite(ring[j % T]);
        sv.add_if_finite(v[j]);
      }
    }
    if (i < lb) {
      for (int k = 0; k < 5; ++k) r.out[k][i] = nan_value();
      continue;
    }
    const double s_ifi = 50.0 * (s.ifi() + 1.0);
    const double s_ad = 50.0 * (flow_ratio(smf, sv) + 1.0);
    const double s_iobv = 50.0 * (flow_ratio(sl, sv) + 1.0);
    const double s_vol = 50.0 * (flow_volume_confirmation(c[i], c[i - T], v[i], v[i - T]) + 1.0);
    r.out[0][i] = 0.4 * s_ifi + 0.2 * s_ad + 0.2 * s_iobv + 0.2 * s_vol;
    r.out[1][i] = s_ifi;
    r.out[2][i] = s_ad;
    r.out[3][i] = s_iobv;
    r.out[4][i] = s_vol;
  }
}
inline TaMeta ta_smi_meta() {
  return {"smi", 5, {"open", "high", "low", "close", "volume"}, 5, {"smi", "ifiScore", "adScore", "iobvScore", "volScore"}, 3,
          {{"period", 20, 2, 1e9, true, true}, {"quantile", 0.9, 0, 1, false, false}, {"trendPeriod", 14, 1, 1e9, true, true}}};
}

}  // namespace neurion::ta

#define NEURION_TA_FLOW(TA) \
  TA(ifi)                   \
  TA(instObv)               \
  TA(smi)
