// Streaming states of the fused feature kernel (native/ta/features.h): every feature as an
// O(1)-amortised update per bar, so that a row is walked once and each bar's OHLCV is loaded
// once for the whole feature set.
//
// Why: `ta`'s batch kernels (native/ta/kernels/*.h) each walk a whole row into n-long output
// buffers. Composing features from them re-reads the row per feature and round-trips every
// indicator output through n-long scratch. Here each indicator the menu uses is a small state
// (a few doubles in the caller's FeatureState) plus, where a window must be remembered, a ring
// carved from the per-row scratch (Rings): the scratch is the sum of the windows, not 5 n.
//
// Exactness: the batch kernels are the definition of the values (the TypeScript references
// judge those). Each state below does its kernel's operations in the kernel's order -- the
// same seeds (SMA of the first period for Wilder / EMA recurrences), the same running sums
// read at the same point (TA-Lib's "add the new value, read, drop the oldest"), the same
// fresh-window schedule (linreg), the same special cases and NaN behaviour -- so the fused
// values equal the batch composition bit for bit (tests/ta.features.test.ts and the sanitizer
// fuzz, native/fuzz/ta_fuzz.cpp, compare them). A running sum that drops the oldest value
// right after the read is written here as "drop at the next bar, before adding": the same
// sequence of floating-point operations on the sum. Where a batch kernel works on several bars
// at once for speed (CCI's four interleaved windows, BBANDS' two-lane finish), the state has
// the same multi-bar step for the CPU's tiles (push4, push2), again with the same operations.
//
// Where a kernel already has a per-bar piece it is called, not copied: MomDmi, mom_wilder_step,
// mom_cci_at, vs::true_range, vs::bb_finish1 / bb_finish2, vs::RollMoments, vs::log_ratio,
// gk_term, linreg_fresh / linreg_exact, vol_select, NonFiniteCount. The rest (the streaming
// forms of loops that exist only over whole rows) is written here.
//
// Conventions: push(...) is called for every bar i = 0, 1, ... of the row in order and returns
// the indicator's value at i; before the feature's lookback that value is meaningless (the
// caller stores NaN there). All of it is NEURION_HD: the CPU core and the CUDA kernel share it.
#pragma once
#include <cstdint>
#include "list.h"

// The per-bar updates below: NEURION_HD, and on the host always inlined into the loop that
// steps them (features.h's feat_bars), so the state stays in registers across the bars.
#if !defined(__CUDACC__) && (defined(__GNUC__) || defined(__clang__))
#define NEURION_STREAM NEURION_HD __attribute__((always_inline))
#else
#define NEURION_STREAM NEURION_HD
#endif

namespace neurion::ta::stream {

// One bar of the row.
struct Bar {
  double o, h, l, c, v;
};

// Hands out the per-row scratch to the features' rings, in feature order. With base ==
// nullptr it only counts (features_scratch sizes the scratch with the same code that uses it).
struct Rings {
  double* base;
  int64_t used;
  NEURION_HD double* take(int64_t k) {
    double* r = base ? base + used : nullptr;
    if (r)
      for (int64_t j = 0; j < k; ++j) r[j] = 0.0;  // deterministic whatever the scratch held
    used += k;
    return r;
  }
};

// The last p values of a series. push(v) writes v over the value pushed p pushes earlier and
// returns that one (x[i-p]; 0 during the first p pushes). Push j lands in slot j mod p, the
// slot order of the batch kernels' rings (CCI sums its ring in that order).
struct Lag {
  double* r;
  int64_t p, head;
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    head = 0;
    r = g.take(p);
  }
  NEURION_STREAM double push(double v) {
    const double old = r[head];
    r[head] = v;
    head = head + 1 == p ? 0 : head + 1;
    return old;
  }
};

// The last p values kept twice (slots j and j + p), so the window is always one contiguous
// run, oldest first, at window(): linreg_fresh (TA-Lib's per-window loop over x[t-p+1 .. t])
// runs on it unchanged. 2p doubles.
struct MirrorLag {
  double* r;
  int64_t p, head;
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    head = 0;
    r = g.take(2 * p);
  }
  NEURION_STREAM double push(double v) {
    const double old = r[head];
    r[head] = v;
    r[head + p] = v;
    head = head + 1 == p ? 0 : head + 1;
    return old;
  }
  // The last p values, oldest first (after p pushes).
  NEURION_STREAM const double* window() const { return r + head; }
};

// SMA of ma.h (sma_row_range: the `sma` and `volumeSma` indicators). The first window is summed
// in order; then sum += x[i] - x[i-p] when that difference is finite, non-finite values
// counted apart (NonFiniteCount) so they affect only the windows holding them. Valid from the
// p-th push.
struct Sma {
  Lag x;
  double sum, div;
  NonFiniteCount bad;
  int64_t count;
  NEURION_HD void init(Rings& g, int64_t p) {
    x.init(g, p);
    sum = 0.0;
    div = static_cast<double>(p);
    bad = NonFiniteCount{};
    count = 0;
  }
  NEURION_STREAM double push(double a) {
    const double b = x.push(a);
    if (count < x.p) {
      ++count;
      if (is_finite(a)) sum += a; else bad.add(a, 1);
    } else {
      const double d = a - b;
      if (is_finite(d)) {
        sum += d;
      } else {
        if (is_finite(a)) sum += a; else bad.add(a, 1);
        if (is_finite(b)) sum -= b; else bad.add(b, -1);
      }
    }
    return bad.total() == 0 ? sum / div : bad.value();
  }
};

// TA-Lib's SMA (mom_sma_talib, STOCH's slow %K with MA type 0, p > 1): S += x; read S / p;
// S -= oldest. A NaN stays in S, as in TA-Lib. Valid from the p-th push.
struct TalibSma {
  Lag x;
  double s, pd;
  int64_t count;
  NEURION_HD void init(Rings& g, int64_t p) {
    x.init(g, p);
    s = 0.0;
    pd = static_cast<double>(p);
    count = 0;
  }
  NEURION_STREAM double push(double v) {
    const double old = x.push(v);
    if (count >= x.p) s -= old;  // the drop that followed the previous bar's read
    else ++count;
    s += v;
    return s / pd;
  }
};

// Rolling max (kMax) or min over the last p pushes, van Herk / Gil-Werman as the batch kernels
// do it (blocks of p bars aligned at bar 0; the window ending at bar j of a block is the suffix
// of the previous block from j + 1 plus the current block's prefix through j). Streaming form:
// b[] holds the current block's values; at a block start it is first turned, in place, into
// the previous block's suffix extremes (O(p) once per p bars), and bar j reads b[j + 1] before
// overwriting b[j]. p doubles. max/min are exact, so the values are the batch kernels'; ties
// (they differ only for +0 / -0) are broken as the batch kernel does: the suffix and the
// combination prefer the newer value; the prefix prefers the newer value (kNewerPrefix: MomExt,
// STOCH / WILLR) or the older one (vs::rolling_extreme, DONCHIAN). Windows holding a NaN are
// meaningless here; callers track the last NaN and output NaN for them, as the kernels do.
template <bool kMax, bool kNewerPrefix>
struct BlockExtreme {
  double* b;
  int64_t p, j;  // j: position of the next bar in its block
  double pre;    // extreme of the current block so far
  NEURION_STREAM static bool better(double a, double c) { return kMax ? a > c : a < c; }
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    j = 0;
    pre = 0.0;
    b = g.take(p);
  }
  NEURION_STREAM double push(double v) {
    if (j == 0) {  // b = the previous block's values -> its suffix extremes b[k] = ext(b[k .. p-1])
      double s = b[p - 1];
      for (int64_t k = p - 2; k >= 1; --k) {
        s = better(b[k], s) ? b[k] : s;
        b[k] = s;
      }
      pre = v;
    } else {
      const bool take = kNewerPrefix ? (kMax ? v >= pre : v <= pre) : better(v, pre);
      pre = take ? v : pre;
    }
    const double m = j == p - 1 ? pre : (better(b[j + 1], pre) ? b[j + 1] : pre);
    b[j] = v;
    j = j + 1 == p ? 0 : j + 1;
    return m;
  }
};

// Raw %K (STOCH's fast %K) or Williams %R over p bars (mom_hl_osc): NaN while the window holds
// a NaN high or low, then TA-Lib's formulas
//   %K   diff = (hh - ll) / 100;   diff != 0 ? (c - ll) / diff : 0
//   %R   diff = (hh - ll) / -100;  diff != 0 ? (hh - c) / diff : 0.     2p doubles.
struct HlOsc {
  BlockExtreme<true, true> hh;
  BlockExtreme<false, true> ll;
  int64_t p, last_nan;
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    last_nan = -1;
    hh.init(g, p);
    ll.init(g, p);
  }
  NEURION_STREAM double push(const Bar& b, int64_t i, bool willr) {
    const double H = hh.push(b.h), L = ll.push(b.l);
    if (b.h != b.h || b.l != b.l) last_nan = i;
    if (last_nan > i - p) return nan_value();
    if (willr) {
      const double diff = (H - L) / (-100.0);
      return diff != 0.0 ? (H - b.c) / diff : 0.0;
    }
    const double diff = (H - L) / 100.0;
    return diff != 0.0 ? (b.c - L) / diff : 0.0;
  }
};

// STOCH(fastK, slowK, SMA, 1, SMA)'s slow %K (ta_stoch): the raw %K from bar fastK - 1 into
// TA-Lib's SMA of slowK (a plain copy for slowK = 1, as ma_row does for period 1).
// 2 fastK + slowK doubles (no SMA ring for slowK = 1).
struct Stoch {
  HlOsc k;
  TalibSma slow;
  bool copy;
  NEURION_HD void init(Rings& g, int64_t fk, int64_t sk) {
    k.init(g, fk);
    copy = sk <= 1;
    if (!copy) slow.init(g, sk);
  }
  NEURION_STREAM double push(const Bar& b, int64_t i) {
    const double raw = k.push(b, i, false);
    if (copy || i < k.p - 1) return raw;
    return slow.push(raw);
  }
};

// RSI (mom_rsi_cmo): the first p changes summed into gain / loss (TA-Lib's branch), divided by
// p at bar p, then Wilder steps (mom_wilder_step); 100 gain / (gain + loss), 0 when that sum is
// TA_IS_ZERO.
struct Rsi {
  int64_t p;
  double prev, gain, loss, pd, k, hr;
  NEURION_HD void init(int64_t period) {
    p = period;
    pd = static_cast<double>(p);
    k = static_cast<double>(p - 1) / pd;
    hr = 0.5 / pd;
    prev = gain = loss = 0.0;
  }
  NEURION_STREAM double push(double v, int64_t i) {
    if (i == 0) {
      prev = v;
      return 0.0;
    }
    const double d = v - prev;
    prev = v;
    if (i <= p) {
      if (d < 0) loss -= d; else gain += d;
      if (i == p) {
        loss /= pd;
        gain /= pd;
      }
    } else {
      mom_wilder_step(d, k, hr, gain, loss);
    }
    const double s = gain + loss;
    return !mom_is_zero(s) ? 100.0 * (gain / s) : 0.0;
  }
};

// ATR (vs::atr_row): true range from bar 1, the mean of TR[1..p] at bar p, then
// a = a ((p-1)/p) + TR (1/p). Period 1 is the true range itself.
struct Atr {
  int64_t p;
  double sum, a, cp, dp, k, r;
  NEURION_HD void init(int64_t period) {
    p = period;
    dp = static_cast<double>(p);
    k = static_cast<double>(p - 1) / dp;
    r = 1.0 / dp;
    sum = a = cp = 0.0;
  }
  NEURION_STREAM double push(const Bar& b, int64_t i) {
    if (i == 0) {
      cp = b.c;
      return 0.0;
    }
    const double tr = vs::true_range(b.h, b.l, cp);
    cp = b.c;
    if (p == 1) return tr;
    if (i <= p) {
      sum += tr;
      if (i == p) a = sum / dp;
      return a;
    }
    a = a * k + tr * r;
    return a;
  }
};

// BBANDS(p, up, dn, SMA) (vs::bbands_sma): TA-Lib's SMA total and INT_stddev_using_precalc_ma's
// sum of squares (add x and x^2, read, drop the oldest), finished by vs::bb_finish1 (bands,
// percentB, bandwidth). p doubles.
struct Bbands {
  Lag x;
  double t1, t2, dp, up, dn;
  int64_t count;
  NEURION_HD void init(Rings& g, int64_t p, double nb_up, double nb_dn) {
    x.init(g, p);
    t1 = t2 = 0.0;
    dp = static_cast<double>(p);
    up = nb_up;
    dn = nb_dn;
    count = 0;
  }
  // The running sums at the new value v: add v and v^2 (after dropping the oldest).
  NEURION_STREAM void sums(double v, double& s1, double& s2) {
    const double old = x.push(v);
    if (count >= x.p) {
      double w = old;
      t1 -= w;
      w *= w;
      t2 -= w;
    } else {
      ++count;
    }
    double a = v;
    t1 += a;
    a *= a;
    t2 += a;
    s1 = t1;
    s2 = t2;
  }
  // percentB (bandwidth false) or bandwidth
  NEURION_STREAM double push(double v, bool bandwidth) {
    double s1, s2;
    sums(v, s1, s2);
    double u, md, lo, pb, bw;
    double* const o[5] = {&u, &md, &lo, &pb, &bw};
    vs::bb_finish1(s1, s2, v, dp, up, dn, o, 0);
    return bandwidth ? bw : pb;
  }
  // Two bars at once (the CPU's tiles): the finish of both by vs::bb_finish2 (two lanes, the
  // same operations as bb_finish1, as vs::bbands_sma does).
  NEURION_STREAM void push2(const double* v, bool bandwidth, double* out) {
    double a1, a2, b1, b2;
    sums(v[0], a1, a2);
    sums(v[1], b1, b2);
    double u[2], md[2], lo[2], pb[2], bw[2];
    double* const o[5] = {u, md, lo, pb, bw};
    vs::bb_finish2(a1, a2, b1, b2, v, dp, up, dn, o, 0);
    out[0] = bandwidth ? bw[0] : pb[0];
    out[1] = bandwidth ? bw[1] : pb[1];
  }
};

// MACD(fast, slow, signal) histogram (ta_macd): both EMAs seeded with SMAs so that both start
// at slow - 1 (the fast one over the last `fast` of the first `slow` bars), the signal EMA
// seeded with the mean of the first `signal` MACD values (summed left to right).
struct Macd {
  int64_t fast, slow, total;
  double ks, kf, kg, es, ef, sum, e, fd, sd, gd;
  NEURION_HD void init(int64_t fp, int64_t sp, int64_t sig) {
    fast = fp;
    slow = sp;
    if (slow < fast) {  // as ta_macd
      const int64_t t = slow;
      slow = fast;
      fast = t;
    }
    total = slow - 1 + sig - 1;
    ks = 2.0 / static_cast<double>(slow + 1);
    kf = 2.0 / static_cast<double>(fast + 1);
    kg = 2.0 / static_cast<double>(sig + 1);
    fd = static_cast<double>(fast);
    sd = static_cast<double>(slow);
    gd = static_cast<double>(sig);
    es = ef = sum = e = 0.0;
  }
  NEURION_STREAM double push(double v, int64_t i) {
    if (i < slow) {
      es += v;
      if (i >= slow - fast) ef += v;
      if (i == slow - 1) {
        es /= sd;
        ef /= fd;
        sum = 0.0;
        sum += ef - es;
      }
      return 0.0;
    }
    es = ((v - es) * ks) + es;
    ef = ((v - ef) * kf) + ef;
    const double mv = ef - es;
    if (i <= total) {
      sum += mv;
      if (i < total) return 0.0;
      e = sum / gd;
    } else {
      e = ((mv - e) * kg) + e;
    }
    return mv - e;
  }
};

// +DI / -DI / ADX (mom_dmi over MomDmi): plain sums over bars 1..p-1, Wilder steps from bar p;
// DI = DM (100 / TR) (0 when TR is TA_IS_ZERO); DX = 100 |-DI - +DI| / (-DI + +DI) where
// defined; ADX = mean of the defined DX over bars p..2p-1, then a = a k + DX / p.
struct Dmi {
  MomDmi s;
  int64_t p;
  double pd, k, r, sum_dx, a;
  NEURION_HD void init(int64_t period) {
    p = period;
    pd = static_cast<double>(p);
    k = (pd - 1.0) / pd;
    r = 1.0 / pd;
    sum_dx = a = 0.0;
    s = MomDmi{0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
  }
  // +DI - -DI (adx false) or ADX
  NEURION_STREAM double push(const Bar& b, int64_t i, bool adx) {
    if (i == 0) {
      s = MomDmi{b.h, b.l, b.c, 0.0, 0.0, 0.0};
      return 0.0;
    }
    if (i < p) {
      s.seed_step(b.h, b.l, b.c);
      return 0.0;
    }
    s.wilder_step(b.h, b.l, b.c, k);
    const bool trz = mom_is_zero(s.tr);
    const double rt = 100.0 / s.tr;
    const double q = s.pdm * rt, m = s.mdm * rt;
    if (!adx) return (!trz ? q : 0.0) - (!trz ? m : 0.0);
    bool have = false;
    double v = 0.0;
    if (!trz) {
      const double sum = m + q;
      if (!mom_is_zero(sum)) {
        v = 100.0 * (fabs(m - q) / sum);
        have = true;
      }
    }
    if (i <= 2 * p - 1) {
      if (have) sum_dx += v;
      if (i == 2 * p - 1) a = sum_dx / pd;
    } else if (have) {
      a = a * k + v * r;
    }
    return a;
  }
};

// CCI (ta_cci): typical prices in a ring at slot i mod p, each bar's window summed in slot
// order by mom_cci_at (O(p) per bar: the mean deviation has no running form). p doubles.
struct Cci {
  Lag ring;
  NEURION_HD void init(Rings& g, int64_t p) { ring.init(g, p); }
  NEURION_STREAM double push(const Bar& b, int64_t i) {
    const double tp = (b.h + b.l + b.c) / 3;
    ring.push(tp);
    if (i < ring.p - 1) return 0.0;
    double out;
    mom_cci_at(ring.r, ring.p, tp, &out);
    return out;
  }
  // Four consecutive bars at once (p >= 4; the CPU's tiles): push() four times, with the four
  // windows' slot-order sums run as four independent chains over the one ring (ta_cci runs
  // them over four ring copies): bar k of the group sees the new values of bars 0..k and the
  // old ones of bars k+1..3 in their slots. The same sums in the same order, so the same values.
  NEURION_STREAM void push4(const Bar* b, double* out) {
    const int64_t p = ring.p, s = ring.head;
    double nw[4], od[4];
    for (int m = 0; m < 4; ++m) {
      nw[m] = (b[m].h + b[m].l + b[m].c) / 3;
      od[m] = ring.push(nw[m]);
    }
    double av[4] = {0.0, 0.0, 0.0, 0.0}, md[4] = {0.0, 0.0, 0.0, 0.0};
    each_slot(s, nw, od, [&](double v0, double v1, double v2, double v3) {
      av[0] += v0;
      av[1] += v1;
      av[2] += v2;
      av[3] += v3;
    });
    const double pd = static_cast<double>(p);
    for (int k = 0; k < 4; ++k) av[k] /= pd;
    each_slot(s, nw, od, [&](double v0, double v1, double v2, double v3) {
      md[0] += fabs(v0 - av[0]);
      md[1] += fabs(v1 - av[1]);
      md[2] += fabs(v2 - av[2]);
      md[3] += fabs(v3 - av[3]);
    });
    for (int k = 0; k < 4; ++k) {  // mom_cci_at's finish
      const double d = nw[k] - av[k];
      out[k] = (d != 0.0 && md[k] != 0.0) ? d / (0.015 * (md[k] / pd)) : 0.0;
    }
  }
  // f(bar 0's value, .., bar 3's value) for every slot in slot order; the group's bars own slots
  // s .. s+3 (mod p), the rest hold the same value for all four.
  template <typename F>
  NEURION_STREAM void each_slot(int64_t s, const double* nw, const double* od, F f) const {
    const double* r = ring.r;
    const int64_t p = ring.p, e = s + 4;
    auto common = [&](int64_t a, int64_t z) {
      for (int64_t j = a; j < z; ++j) f(r[j], r[j], r[j], r[j]);
    };
    auto slot_of = [&](int m) {  // group bar m's slot: bars 0 .. m-1 see its old value
      const double v0 = m > 0 ? od[m] : nw[m], v1 = m > 1 ? od[m] : nw[m], v2 = m > 2 ? od[m] : nw[m];
      f(v0, v1, v2, nw[m]);
    };
    if (e <= p) {
      common(0, s);
      for (int m = 0; m < 4; ++m) slot_of(m);
      common(e, p);
    } else {  // wraps: bars 4-w .. 3 own slots 0 .. w-1
      const int64_t w = e - p;
      for (int m = static_cast<int>(4 - w); m < 4; ++m) slot_of(m);
      common(w, s);
      for (int m = 0; m < static_cast<int>(4 - w); ++m) slot_of(m);
    }
  }
};

// OBV (ta_obv): starts at the first bar's volume; +-volume on an up / down close, NaN from a
// NaN close on (the kernel's branch-free step).
struct Obv {
  double obv, prev;
  NEURION_HD void init() { obv = prev = 0.0; }
  NEURION_STREAM double push(double c, double v, int64_t i) {
    if (i == 0) {
      obv = v;
      prev = c;
      return obv;
    }
    const bool up = c > prev, down = c < prev, unordered = !(up | down | (c == prev));
    obv += (vol_select(up, v) - vol_select(down, v)) + vol_select(unordered, nan_value());
    prev = c;
    return obv;
  }
};

// LINEARREG_SLOPE over p bars (linreg_row_sa<kLrSlope>), its schedule exactly: a fresh window
// (TA-Lib's loop, linreg_fresh) at bar p-1, then sliding sums (Sxy += Sy - p x_old, Sy += x -
// x_old, Sa += |x| - |x_old|) with the slope (p Sxy - Sx Sy) / div taken by the reciprocal,
// accepted while the rounding-error bound ce Sa is within 1e-10 |slope| (or 1e-13); a rejected
// window, and every p-th bar after a fresh one, is computed fresh (TA-Lib's own division). The
// batch kernel accumulates the p-th bar's fresh sums along its block; they are linreg_fresh's
// sums over the same bars in the same order, which is what runs here. 2p doubles.
struct LinregSlope {
  MirrorLag y;
  int64_t p, count, since;
  double pd, sx, div, rdiv, ce, sy, sxy, sa;
  NEURION_HD void init(Rings& g, int64_t period) {
    y.init(g, period);
    p = period;
    count = 0;
    since = p;  // the first full window is fresh
    // linreg_row_sa's constants, the same expressions
    pd = static_cast<double>(p);
    sx = pd * (pd - 1.0) * 0.5;
    const double sxx = pd * (pd - 1.0) * (2.0 * pd - 1.0) / 6.0;
    div = sx * sx - pd * sxx;
    rdiv = 1.0 / div;
    const double ke = (4.0 * pd + 4.0) * 1.1102230246251565e-16;
    ce = ke * (pd * (pd - 1.0) + sx) / fabs(div);
    sy = sxy = sa = 0.0;
  }
  NEURION_STREAM double push(double cur) {
    const double old = y.push(cur);
    if (count < p) {
      if (++count < p) return 0.0;
    } else if (since < p) {
      sxy += sy - pd * old;
      sy += cur - old;
      sa += fabs(cur) - fabs(old);
      const double m = (pd * sxy - sx * sy) * rdiv;
      const double err = ce * sa;
      double lim = 1e-10 * fabs(m);
      lim = lim > 1e-13 ? lim : 1e-13;  // NaN m: 1e-13
      lim = lim < 1e299 ? lim : 1e299;  // rejects a non-finite err
      if (err <= lim) {
        ++since;
        return m;
      }
    }
    linreg_fresh(y.window(), p - 1, p, sy, sxy, sa);
    since = 1;
    return linreg_exact<kLrSlope>(sy, sxy, pd, sx, div);
  }
};

// MFI (ta_mfi): money flow tp v, positive when the typical price rose, negative when it fell,
// in rings of p; running sums (drop the oldest, then add); 100 pos / (pos + neg), 0 when the
// total is below 1. Pushes from bar 1 (the first change). 2p doubles.
struct Mfi {
  Lag pos, neg;
  int64_t p;
  double ps, ns, prev;
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    pos.init(g, p);
    neg.init(g, p);
    ps = ns = prev = 0.0;
  }
  NEURION_STREAM double push(const Bar& b, int64_t i) {
    double tp = (b.h + b.l + b.c) / 3.0;
    if (i == 0) {
      prev = tp;
      return 0.0;
    }
    const double d = tp - prev;
    prev = tp;
    tp *= b.v;
    const double pf = d > 0 ? tp : 0.0, nf = d < 0 ? tp : 0.0;
    const double po = pos.push(pf), no = neg.push(nf);
    if (i > p) {
      ps -= po;
      ns -= no;
    }
    ps += pf;
    ns += nf;
    const double t = ps + ns;
    return t < 1.0 ? 0.0 : 100.0 * (ps / t);
  }
};

// ROCR(p) = x / x[t-p] (0 where x[t-p] == 0; mom_change_k<3>). p doubles.
struct Rocr {
  Lag x;
  NEURION_HD void init(Rings& g, int64_t p) { x.init(g, p); }
  NEURION_STREAM double push(double v) {
    const double o = x.push(v);
    return o != 0.0 ? v / o : 0.0;
  }
};

// DONCHIAN(p)'s upper and lower (vs::rolling_extreme of high and low), NaN while their window
// holds a NaN. 2p doubles.
struct Donchian {
  BlockExtreme<true, false> hi;
  BlockExtreme<false, false> lo;
  int64_t p, nan_h, nan_l;
  NEURION_HD void init(Rings& g, int64_t period) {
    p = period;
    nan_h = nan_l = -p - 1;
    hi.init(g, p);
    lo.init(g, p);
  }
  NEURION_STREAM void push(const Bar& b, int64_t i, double& upper, double& lower) {
    const double H = hi.push(b.h), L = lo.push(b.l);
    if (b.h != b.h) nan_h = i;
    if (b.l != b.l) nan_l = i;
    upper = nan_h > i - p ? nan_value() : H;
    lower = nan_l > i - p ? nan_value() : L;
  }
};

}  // namespace neurion::ta::stream
