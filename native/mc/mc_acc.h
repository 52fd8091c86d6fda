// The Monte Carlo accumulator: a flat float64 array that summarizes any number of simulated
// paths without storing them, mergeable across threads, chunks, runs and backends.
// Mirrored exactly by src/mc/accumulator.ts (ACC_* constants); bump kAccVersion on change.
//
// Layout (kHeader = 40 header slots, then four arrays):
//   0 count        1 mean   2 M2   3 M3   4 M4   5 min   6 max      (terminal value X)
//   7 payoffMean   8 payoffM2                                        (max(X - strike, 0))
//   9 barrierHits 10 ruinHits                                        (paths, counts)
//  11 ddMean 12 ddM2 13 ddM3 14 ddM4 15 ddMin 16 ddMax               (max drawdown, count = slot 0)
//  17 underCount 18 underSum 19 overCount 20 overSum                 (X outside [histLo, histHi))
//  21 ddOverCount 22 ddOverSum                                       (drawdown >= ddHi)
//  23 version 24 histBins 25 histLo 26 histHi 27 ddBins 28 ddHi      (configuration: equal to merge)
//  29 barrier 30 ruinLevel 31 strike 32 v0                           (NaN = not monitored)
//  33..39 reserved (0)
//  [40, 40+B)            histogram counts of X over B equal bins of [histLo, histHi)
//  [40+B, 40+2B)         per-bin sums of X
//  [40+2B, 40+2B+D)      drawdown histogram counts over D equal bins of [0, ddHi)
//  [40+2B+D, 40+2B+2D)   per-bin sums of the drawdown
//
// Moments are central moments (M_k = sum (x - mean)^k), updated per path with Terriberry's
// one-pass formulas and merged with Pebay's (2008) pairwise formulas. Counts (and histogram
// bins) are exact integers in float64 (exact below 2^53), so merging is exact for them and
// associative up to float rounding for sums and moments.
// Bin of x: floor((x - histLo) * (B / (histHi - histLo))) computed exactly this way on every
// backend (so the same x lands in the same bin everywhere); < 0 underflow, >= B overflow.
#pragma once
#include <cmath>
#include <cstdint>
#include "../common/hd.h"

namespace neurion::mc {

constexpr int kHeader = 40;
constexpr double kAccVersion = 1.0;
enum AccSlot : int {
  A_COUNT = 0, A_MEAN, A_M2, A_M3, A_M4, A_MIN, A_MAX,
  A_PAY_MEAN, A_PAY_M2, A_BARRIER, A_RUIN,
  A_DD_MEAN, A_DD_M2, A_DD_M3, A_DD_M4, A_DD_MIN, A_DD_MAX,
  A_UNDER_N, A_UNDER_SUM, A_OVER_N, A_OVER_SUM, A_DD_OVER_N, A_DD_OVER_SUM,
  A_VERSION, A_BINS, A_LO, A_HI, A_DD_BINS, A_DD_HI, A_BARRIER_LEVEL, A_RUIN_LEVEL, A_STRIKE, A_V0,
};
// spec (8 doubles): histBins, histLo, histHi, ddBins, ddHi, barrier, ruinLevel, strike.
constexpr int kSpecLength = 8;
constexpr int64_t kMaxBins = 1 << 20;

NEURION_HD int64_t acc_length(int64_t bins, int64_t dd_bins) { return kHeader + 2 * bins + 2 * dd_bins; }

// Running central moments of one quantity (count kept by the owner when shared).
struct Moments {
  double n = 0, mean = 0, m2 = 0, m3 = 0, m4 = 0;
  double mn = INFINITY, mx = -INFINITY;

  NEURION_HD void add(double x) {
    const double n1 = n;
    n += 1.0;
    const double delta = x - mean;
    const double dn = delta / n;
    const double dn2 = dn * dn;
    const double term1 = delta * dn * n1;
    mean += dn;
    m4 += term1 * dn2 * (n * n - 3.0 * n + 3.0) + 6.0 * dn2 * m2 - 4.0 * dn * m3;
    m3 += term1 * dn * (n - 2.0) - 3.0 * dn * m2;
    m2 += term1;
    mn = x < mn ? x : mn;
    mx = x > mx ? x : mx;
  }

  // Pebay's pairwise merge: this <- this (+) b.
  NEURION_HD void merge(const Moments& b) {
    if (b.n == 0) return;
    if (n == 0) { *this = b; return; }
    const double na = n, nb = b.n, nn = na + nb;
    const double d = b.mean - mean;
    const double d2 = d * d, d3 = d2 * d, d4 = d2 * d2;
    const double m4n = m4 + b.m4 + d4 * na * nb * (na * na - na * nb + nb * nb) / (nn * nn * nn) +
                       6.0 * d2 * (na * na * b.m2 + nb * nb * m2) / (nn * nn) + 4.0 * d * (na * b.m3 - nb * m3) / nn;
    const double m3n = m3 + b.m3 + d3 * na * nb * (na - nb) / (nn * nn) + 3.0 * d * (na * b.m2 - nb * m2) / nn;
    const double m2n = m2 + b.m2 + d2 * na * nb / nn;
    mean = mean + d * nb / nn;
    m2 = m2n; m3 = m3n; m4 = m4n; n = nn;
    mn = b.mn < mn ? b.mn : mn;
    mx = b.mx > mx ? b.mx : mx;
  }
};

// Mean and M2 only (payoff).
struct Mean2 {
  double n = 0, mean = 0, m2 = 0;
  NEURION_HD void add(double x) {
    n += 1.0;
    const double d = x - mean;
    mean += d / n;
    m2 += d * (x - mean);
  }
  NEURION_HD void merge(const Mean2& b) {
    if (b.n == 0) return;
    if (n == 0) { *this = b; return; }
    const double nn = n + b.n, d = b.mean - mean;
    m2 = m2 + b.m2 + d * d * n * b.n / nn;
    mean = mean + d * b.n / nn;
    n = nn;
  }
};

// What one simulated path contributes: terminal value, its running min/max, max drawdown.
struct PathOut {
  double value;  // terminal value X
  double vmin, vmax;  // over t = 0..steps (t = 0 included)
  double maxdd;  // max over t of (peak_t - V_t) / peak_t, peak_t = max_{u <= t} V_u
};

// Per-chunk scalar state of everything but the histograms.
struct AccState {
  Moments x, dd;
  Mean2 pay;
  double barrier_hits = 0, ruin_hits = 0;
  double under_n = 0, under_sum = 0, over_n = 0, over_sum = 0, dd_over_n = 0, dd_over_sum = 0;
};

struct AccConfig {
  int64_t bins, dd_bins;
  double lo, hi, scale, dd_hi, dd_scale, barrier, ruin, strike, v0;
};

NEURION_HD AccConfig acc_config(const double* spec, double v0) {
  AccConfig c;
  c.bins = static_cast<int64_t>(spec[0]);
  c.lo = spec[1];
  c.hi = spec[2];
  c.scale = static_cast<double>(c.bins) / (c.hi - c.lo);
  c.dd_bins = static_cast<int64_t>(spec[3]);
  c.dd_hi = spec[4];
  c.dd_scale = static_cast<double>(c.dd_bins) / c.dd_hi;
  c.barrier = spec[5];
  c.ruin = spec[6];
  c.strike = spec[7];
  c.v0 = v0;
  return c;
}

// Histogram bin of x: -1 underflow, bins overflow (NaN counts as overflow).
NEURION_HD int64_t acc_bin(double x, double lo, double scale, int64_t bins) {
  const double f = floor((x - lo) * scale);
  if (f < 0.0) return -1;
  if (!(f < static_cast<double>(bins))) return bins;
  return static_cast<int64_t>(f);
}

NEURION_HD bool acc_barrier_hit(const AccConfig& c, const PathOut& p) {
  if (c.barrier != c.barrier) return false;
  return c.barrier <= c.v0 ? p.vmin <= c.barrier : p.vmax >= c.barrier;
}

NEURION_HD bool acc_ruined(const AccConfig& c, const PathOut& p) { return c.ruin == c.ruin && p.vmin <= c.ruin; }

// Adds a path to the scalar state and (when hist != nullptr) to the four arrays at
// hist = acc + kHeader (host layout).
inline void acc_add_host(const AccConfig& c, AccState& s, double* hist, const PathOut& p) {
  s.x.add(p.value);
  s.dd.add(p.maxdd);
  if (c.strike == c.strike) s.pay.add(p.value > c.strike ? p.value - c.strike : 0.0);
  s.barrier_hits += acc_barrier_hit(c, p) ? 1.0 : 0.0;
  s.ruin_hits += acc_ruined(c, p) ? 1.0 : 0.0;
  const int64_t b = acc_bin(p.value, c.lo, c.scale, c.bins);
  if (b < 0) { s.under_n += 1.0; s.under_sum += p.value; }
  else if (b >= c.bins) { s.over_n += 1.0; s.over_sum += p.value; }
  else { hist[b] += 1.0; hist[c.bins + b] += p.value; }
  const int64_t d = acc_bin(p.maxdd, 0.0, c.dd_scale, c.dd_bins);
  double* dh = hist + 2 * c.bins;
  if (d >= c.dd_bins || d < 0) { s.dd_over_n += 1.0; s.dd_over_sum += p.maxdd; }
  else { dh[d] += 1.0; dh[c.dd_bins + d] += p.maxdd; }
}

// Writes a fresh accumulator (configuration set, everything else empty).
inline void acc_init(double* acc, const double* spec, double v0) {
  const int64_t bins = static_cast<int64_t>(spec[0]), dd_bins = static_cast<int64_t>(spec[3]);
  const int64_t n = acc_length(bins, dd_bins);
  for (int64_t i = 0; i < n; ++i) acc[i] = 0.0;
  acc[A_MIN] = INFINITY; acc[A_MAX] = -INFINITY;
  acc[A_DD_MIN] = INFINITY; acc[A_DD_MAX] = -INFINITY;
  acc[A_VERSION] = kAccVersion;
  acc[A_BINS] = spec[0]; acc[A_LO] = spec[1]; acc[A_HI] = spec[2];
  acc[A_DD_BINS] = spec[3]; acc[A_DD_HI] = spec[4];
  acc[A_BARRIER_LEVEL] = spec[5]; acc[A_RUIN_LEVEL] = spec[6]; acc[A_STRIKE] = spec[7];
  acc[A_V0] = v0;
}

inline AccState acc_read(const double* a) {
  AccState s;
  s.x.n = a[A_COUNT]; s.x.mean = a[A_MEAN]; s.x.m2 = a[A_M2]; s.x.m3 = a[A_M3]; s.x.m4 = a[A_M4];
  s.x.mn = a[A_MIN]; s.x.mx = a[A_MAX];
  s.dd.n = a[A_COUNT]; s.dd.mean = a[A_DD_MEAN]; s.dd.m2 = a[A_DD_M2]; s.dd.m3 = a[A_DD_M3]; s.dd.m4 = a[A_DD_M4];
  s.dd.mn = a[A_DD_MIN]; s.dd.mx = a[A_DD_MAX];
  s.pay.n = a[A_STRIKE] == a[A_STRIKE] ? a[A_COUNT] : 0.0; s.pay.mean = a[A_PAY_MEAN]; s.pay.m2 = a[A_PAY_M2];
  s.barrier_hits = a[A_BARRIER]; s.ruin_hits = a[A_RUIN];
  s.under_n = a[A_UNDER_N]; s.under_sum = a[A_UNDER_SUM]; s.over_n = a[A_OVER_N]; s.over_sum = a[A_OVER_SUM];
  s.dd_over_n = a[A_DD_OVER_N]; s.dd_over_sum = a[A_DD_OVER_SUM];
  return s;
}

inline void acc_write(double* a, const AccState& s) {
  a[A_COUNT] = s.x.n; a[A_MEAN] = s.x.mean; a[A_M2] = s.x.m2; a[A_M3] = s.x.m3; a[A_M4] = s.x.m4;
  a[A_MIN] = s.x.mn; a[A_MAX] = s.x.mx;
  a[A_PAY_MEAN] = s.pay.mean; a[A_PAY_M2] = s.pay.m2;
  a[A_BARRIER] = s.barrier_hits; a[A_RUIN] = s.ruin_hits;
  a[A_DD_MEAN] = s.dd.mean; a[A_DD_M2] = s.dd.m2; a[A_DD_M3] = s.dd.m3; a[A_DD_M4] = s.dd.m4;
  a[A_DD_MIN] = s.dd.mn; a[A_DD_MAX] = s.dd.mx;
  a[A_UNDER_N] = s.under_n; a[A_UNDER_SUM] = s.under_sum; a[A_OVER_N] = s.over_n; a[A_OVER_SUM] = s.over_sum;
  a[A_DD_OVER_N] = s.dd_over_n; a[A_DD_OVER_SUM] = s.dd_over_sum;
}

inline void acc_state_merge(AccState& a, const AccState& b) {
  a.x.merge(b.x);
  a.dd.merge(b.dd);
  a.pay.merge(b.pay);
  a.barrier_hits += b.barrier_hits; a.ruin_hits += b.ruin_hits;
  a.under_n += b.under_n; a.under_sum += b.under_sum; a.over_n += b.over_n; a.over_sum += b.over_sum;
  a.dd_over_n += b.dd_over_n; a.dd_over_sum += b.dd_over_sum;
}

// a <- a (+) b for two accumulators of the same configuration (checked by the caller).
inline void acc_merge(double* a, const double* b) {
  AccState sa = acc_read(a);
  const AccState sb = acc_read(b);
  acc_state_merge(sa, sb);
  acc_write(a, sa);
  const int64_t n = 2 * static_cast<int64_t>(a[A_BINS]) + 2 * static_cast<int64_t>(a[A_DD_BINS]);
  for (int64_t i = 0; i < n; ++i) a[kHeader + i] += b[kHeader + i];
}

}  // namespace neurion::mc
