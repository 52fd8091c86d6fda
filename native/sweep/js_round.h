// Bit-exact C++ forms of the TypeScript rounding helpers the paper broker uses
// (src/trading/instrument.ts):
//
//   roundPrice(price, tick, side) = Number((r * tick).toPrecision(15)),
//       r = side === 'buy' ? Math.ceil(price / tick - 1e-9) : Math.floor(price / tick + 1e-9)
//   roundQty(qty, lot)            = Number((Math.floor(qty / lot + 1e-9) * lot).toPrecision(15))
//
// Number(v.toPrecision(15)) is "the double nearest to v's 15-significant-digit decimal". When
// the step (tick or lot) is a short decimal tn / 10^k (0.01 = 1/10^2, 0.25 = 25/10^2, 1e-5),
// r * step lies within 2^-52 relative of the decimal D = r*tn / 10^k, which has at most 15
// significant digits while r*tn < 10^15; half a unit in the 15th digit is at least 5e-16
// relative, so the 15-digit rounding of r*step is D itself and the result is the correctly
// rounded quotient (r*tn) / 10^k (both operands exact). Other steps, and larger values, go
// through the exact decimal conversion of glibc (printf %.14e / strtod); the two differ from
// JavaScript only on an exact decimal tie at the 16th digit, which no r*step of a real
// price or quantity produces.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace neurion::sweep {

// Number(v.toPrecision(15)) through an exact decimal round trip.
inline double to_precision15(double v) {
  if (v == 0.0 || !std::isfinite(v)) return v;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.14e", v);
  return std::strtod(buf, nullptr);
}

// A step (tick or lot size) and, when it is a short decimal, its digits tn / 10^k.
struct DecimalStep {
  double step = 0.01;
  double tn = 0;     // integer numerator; 0 when the step is not a short decimal
  double p10 = 1;    // 10^k
  explicit DecimalStep(double s = 0.01) : step(s) {
    double p = 1;
    for (int k = 0; k <= 15; ++k, p *= 10) {
      const double t = std::round(s * p);
      if (t >= 1 && t < 9007199254740992.0 && t / p == s) { tn = t; p10 = p; return; }
    }
  }
  // Number((r * step).toPrecision(15)) for an integer-valued r.
  double times(double r) const {
    if (tn > 0) {
      const double n = r * tn;  // exact while |n| < 10^15 < 2^53
      if (std::fabs(n) < 1e15) return n / p10;
    }
    return to_precision15(r * step);
  }
};

// roundPrice: buys round up, sells down, by whole ticks.
inline double round_price(double price, const DecimalStep& tick, bool buy) {
  const double q = price / tick.step;
  const double r = buy ? std::ceil(q - 1e-9) : std::floor(q + 1e-9);
  return tick.times(r);
}

// roundQty: down to whole lots.
inline double round_qty(double qty, const DecimalStep& lot) {
  return lot.times(std::floor(qty / lot.step + 1e-9));
}

// Math.round for x >= 0 (nearest integer, ties towards +infinity); exact (x - floor(x) is).
inline double js_round_nonneg(double x) {
  const double f = std::floor(x);
  return x - f >= 0.5 ? f + 1 : f;
}

}  // namespace neurion::sweep
