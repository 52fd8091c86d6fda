// Simple moving average of one row, shared by the CPU core and the CUDA kernel.
//
// Semantics (the TypeScript reference is the judge): out[i] = mean(x[i-p+1..i]) for
// i >= p-1, NaN before. Non-finite inputs affect only the windows that contain them,
// exactly as a fresh sum over each window would under IEEE rules (NaN -> NaN, +Inf and
// -Inf together -> NaN, one infinity -> that infinity). A plain running sum would let one
// NaN poison the rest of the series (TA-Lib does); we keep finite values in the running
// sum and count the non-finite ones instead.
//
// Hot loop: one dependent add per bar (sum += x[i] - x[i-p]); the finiteness test on the
// difference is almost never taken, so the branch predicts perfectly.
#pragma once
#include <cstdint>
#include <cmath>
#include <limits>
#include "hd.h"

namespace neurion {

// True for finite v, false for NaN and +-Inf (v - v is NaN exactly for those). Plain
// arithmetic, so it means the same on the host and the device.
NEURION_HD bool is_finite(double v) { return v - v == 0.0; }

struct NonFiniteCount {
  int64_t nan = 0, pos = 0, neg = 0;
  NEURION_HD int64_t total() const { return nan + pos + neg; }
  NEURION_HD void add(double v, int64_t d) {
    if (v != v) nan += d; else if (v > 0) pos += d; else neg += d;
  }
  NEURION_HD double value() const {
    if (nan > 0 || (pos > 0 && neg > 0)) return std::numeric_limits<double>::quiet_NaN();
    return pos > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
};

// Computes outputs [from, to) of the row; 0 <= from <= to <= n. Reads x[from-p+1 .. to-1].
NEURION_HD void sma_row_range(const double* x, double* out, int64_t n, int64_t p, int64_t from, int64_t to) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  int64_t i = from;
  for (; i < to && i < p - 1; ++i) out[i] = nan;
  if (i >= to) return;
  // Seed the window ending at i.
  double sum = 0.0;
  NonFiniteCount bad;
  for (int64_t j = i - p + 1; j <= i; ++j) {
    const double v = x[j];
    if (is_finite(v)) sum += v; else bad.add(v, 1);
  }
  const double div = static_cast<double>(p);
  out[i] = bad.total() == 0 ? sum / div : bad.value();
  for (++i; i < to; ++i) {
    const double a = x[i], b = x[i - p];
    const double d = a - b;
    if (is_finite(d)) {
      sum += d;
    } else {
      if (is_finite(a)) sum += a; else bad.add(a, 1);
      if (is_finite(b)) sum -= b; else bad.add(b, -1);
    }
    out[i] = bad.total() == 0 ? sum / div : bad.value();
  }
}

}  // namespace neurion
