// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11),
// written from the published algorithm. Counter-based: the output is a pure function of
// (key, counter), so every backend and every thread/chunk layout draws the same numbers.
//
// Neurion's keying convention (used by every op that needs randomness):
//   key     = (seed low 32 bits, seed high 32 bits)
//   counter = (step >> 2, path low 32, path high 32, stream)
// One block yields 4 uint32 -> 4 uniforms in (0,1) -> 4 standard normals (two Box-Muller
// pairs); step & 3 picks which of the four. Uniforms are (x + 0.5) * 2^-32, never 0 or 1,
// so |z| <= sqrt(-2 ln(2^-33)) ~= 6.77: tails beyond that are not sampled (probability
// ~1e-11 per draw, far below any Monte Carlo error we report).
#pragma once
#include <cstdint>
#include <cmath>
#include "hd.h"

namespace neurion {

struct Philox4x32 {
  uint32_t v[4];
};

NEURION_HD void philox_mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t p = static_cast<uint64_t>(a) * static_cast<uint64_t>(b);
  hi = static_cast<uint32_t>(p >> 32);
  lo = static_cast<uint32_t>(p);
}

NEURION_HD Philox4x32 philox4x32_10(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3,
                                    uint32_t k0, uint32_t k1) {
  const uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  const uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
#if defined(__CUDACC__)
#pragma unroll
#endif
  for (int r = 0; r < 10; ++r) {
    if (r > 0) { k0 += W0; k1 += W1; }  // key schedule: bump before rounds 2..10
    uint32_t hi0, lo0, hi1, lo1;
    philox_mulhilo(M0, c0, hi0, lo0);
    philox_mulhilo(M1, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0;
    const uint32_t n2 = hi0 ^ c3 ^ k1;
    c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
  }
  Philox4x32 out;
  out.v[0] = c0; out.v[1] = c1; out.v[2] = c2; out.v[3] = c3;
  return out;
}

// uint32 -> uniform in (0,1), float64. Exact: (x + 0.5) has at most 33 significant bits.
NEURION_HD double philox_u01(uint32_t x) { return (static_cast<double>(x) + 0.5) * 2.3283064365386963e-10; }

// Four standard normals from one Philox block: (u0,u1) and (u2,u3) through Box-Muller.
NEURION_HD void philox_box_muller4(const Philox4x32& b, double z[4]) {
  const double two_pi = 6.283185307179586;
  const double r0 = sqrt(-2.0 * log(philox_u01(b.v[0])));
  const double t0 = two_pi * philox_u01(b.v[1]);
  const double r1 = sqrt(-2.0 * log(philox_u01(b.v[2])));
  const double t1 = two_pi * philox_u01(b.v[3]);
  z[0] = r0 * cos(t0);
  z[1] = r0 * sin(t0);
  z[2] = r1 * cos(t1);
  z[3] = r1 * sin(t1);
}

}  // namespace neurion
