// Monte Carlo on the GPU: per-path and per-state pieces shared by kernels/mc.cu and host
// tests. The path simulation itself is native/mc/mc_model.h's simulate_path (the CPU's code,
// compiled for the device), the accumulator layout native/mc/mc_acc.h.
#pragma once
#include <cstdint>
#include "../native/common/hd.h"
#include "../native/mc/mc_acc.h"
#include "../native/mc/mc_model.h"

namespace neurion::cuda {

// Scalar per-thread state (everything but the histograms), flattened for the per-block
// partials the host merges in block order.
constexpr int kMcStateDoubles = 26;

NEURION_HD void mc_state_add(const mc::AccConfig& c, mc::AccState& s, const mc::PathOut& p, int64_t* bin, int64_t* dd_bin) {
  s.x.add(p.value);
  s.dd.add(p.maxdd);
  if (c.strike == c.strike) s.pay.add(p.value > c.strike ? p.value - c.strike : 0.0);
  s.barrier_hits += mc::acc_barrier_hit(c, p) ? 1.0 : 0.0;
  s.ruin_hits += mc::acc_ruined(c, p) ? 1.0 : 0.0;
  const int64_t b = mc::acc_bin(p.value, c.lo, c.scale, c.bins);
  if (b < 0) { s.under_n += 1.0; s.under_sum += p.value; }
  else if (b >= c.bins) { s.over_n += 1.0; s.over_sum += p.value; }
  *bin = (b >= 0 && b < c.bins) ? b : -1;
  const int64_t d = mc::acc_bin(p.maxdd, 0.0, c.dd_scale, c.dd_bins);
  if (d < 0 || d >= c.dd_bins) { s.dd_over_n += 1.0; s.dd_over_sum += p.maxdd; *dd_bin = -1; }
  else *dd_bin = d;
}

// Bin sums on the GPU are integers, so that the order in which atomics land cannot change
// them (float atomics would make two identical runs differ in the last bits): a path adds
// its position inside its bin, frac = (x - lo) scale - b in [0, 1), as a 32-bit fixed-point
// fraction; the host rebuilds sum = count lo + (count b + sum frac 2^-32) / scale. The
// quantization is 2^-32 of a bin width per path (~1e-10 of a bin's width). A launch covers
// at most kMcMaxPathsPerLaunch paths, so a bin's fraction sum fits in 64 bits.
constexpr int64_t kMcMaxPathsPerLaunch = int64_t{1} << 31;

NEURION_HD unsigned long long mc_bin_frac(double x, double lo, double scale, int64_t b) {
  double f = (x - lo) * scale - static_cast<double>(b);
  f = f < 0.0 ? 0.0 : (f < 1.0 ? f : 0.99999999976716936);  // 1 - 2^-32
  return static_cast<unsigned long long>(f * 4294967296.0);
}

NEURION_HD double mc_bin_sum(double count, unsigned long long frac_sum, double lo, double scale, int64_t b) {
  return (count * static_cast<double>(b) + static_cast<double>(frac_sum) * 2.3283064365386963e-10) / scale + count * lo;
}

NEURION_HD void mc_state_merge(mc::AccState& a, const mc::AccState& b) {
  a.x.merge(b.x);
  a.dd.merge(b.dd);
  a.pay.merge(b.pay);
  a.barrier_hits += b.barrier_hits; a.ruin_hits += b.ruin_hits;
  a.under_n += b.under_n; a.under_sum += b.under_sum; a.over_n += b.over_n; a.over_sum += b.over_sum;
  a.dd_over_n += b.dd_over_n; a.dd_over_sum += b.dd_over_sum;
}

NEURION_HD void mc_state_store(const mc::AccState& s, double* o) {
  const double v[kMcStateDoubles] = {s.x.n, s.x.mean, s.x.m2, s.x.m3, s.x.m4, s.x.mn, s.x.mx,
                                     s.dd.n, s.dd.mean, s.dd.m2, s.dd.m3, s.dd.m4, s.dd.mn, s.dd.mx,
                                     s.pay.n, s.pay.mean, s.pay.m2,
                                     s.barrier_hits, s.ruin_hits, s.under_n, s.under_sum, s.over_n, s.over_sum,
                                     s.dd_over_n, s.dd_over_sum, 0.0};
  for (int i = 0; i < kMcStateDoubles; ++i) o[i] = v[i];
}

NEURION_HD mc::AccState mc_state_load(const double* o) {
  mc::AccState s;
  s.x.n = o[0]; s.x.mean = o[1]; s.x.m2 = o[2]; s.x.m3 = o[3]; s.x.m4 = o[4]; s.x.mn = o[5]; s.x.mx = o[6];
  s.dd.n = o[7]; s.dd.mean = o[8]; s.dd.m2 = o[9]; s.dd.m3 = o[10]; s.dd.m4 = o[11]; s.dd.mn = o[12]; s.dd.mx = o[13];
  s.pay.n = o[14]; s.pay.mean = o[15]; s.pay.m2 = o[16];
  s.barrier_hits = o[17]; s.ruin_hits = o[18]; s.under_n = o[19]; s.under_sum = o[20]; s.over_n = o[21];
  s.over_sum = o[22]; s.dd_over_n = o[23]; s.dd_over_sum = o[24];
  return s;
}

}  // namespace neurion::cuda
