// Float32 normals for the `gbm-f32` Monte Carlo model (model id 7): the throughput variant of
// GBM for massive runs. Shared by the CPU core (scalar path in mc_model.h, 16-lane lockstep
// path in mc_gbm32_lanes.inc) and the CUDA kernel (kernels/mc.cu); mirrored op for op by the
// TypeScript reference (src/mc/reference.ts, Math.fround after every operation).
//
// Why float32: a float32 normal costs about half the instructions of a float64 one on the CPU
// (16 SIMD lanes instead of 8) and runs on the GPU's FP32 units (64x the FP64 rate on
// consumer parts, 2x on H100). Terminal statistics of a 252-step path do not need more: the
// log-price is summed in float32 (relative error ~1e-7 on S_T after 252 steps, far below any
// Monte Carlo standard error); moments, quantiles and VaR are accumulated in float64 as for
// every model. Prices, the accumulator and the default `gbm` model stay float64.
//
// Keying: the same Philox4x32-10 blocks as `gbm` (counter (step >> 2, path lo, path hi,
// stream 0), word step & 3), so gbm and gbm-f32 simulate the same scenario up to float32
// rounding of the normals (tested).
//
//  * u  = ((w >> 9) + 0.5) 2^-23: exact in float32, in [2^-24, 1 - 2^-24]; so |z| <= 5.77
//    (tails beyond 5.77 sd are not sampled: probability 8e-9 per draw).
//  * mc32_log: Cephes logf (reduction to sqrt(1/2) <= m < sqrt(2), degree-8 polynomial,
//    no division), about 1 ulp.
//  * mc32_sincos_turn(u): exact quadrant reduction of the turn u (as mc_sincos_turn), then
//    Cephes sinf/cosf kernels on [-pi/4, pi/4], about 1 ulp.
//  * Every operation is a separate IEEE float32 multiply / add / sqrt (no FMA: CPU
//    -ffp-contract=off, CUDA --fmad=false), so the CPU scalar and lockstep paths and the GPU
//    agree bit for bit, and the TypeScript reference reproduces them exactly with Math.fround.
//    (The GPU's special-function unit -- __logf, __sinf -- would save ~10 instructions per
//    path-step at ~2^-21 absolute error; we keep one bit-exact definition instead: see
//    kernels/README.md for the instruction budget.)
#pragma once
#include <cstdint>
#include <cstring>
#include "../common/hd.h"
#include "../common/philox.h"
#include "mc_math.h"  // NEURION_MC_FN

#if !defined(__CUDACC__) && defined(__GNUC__)
// 64-byte vectors only ever pass between always_inline functions: no ABI boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace neurion::mc {

NEURION_HD uint32_t bits_of_f(float x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint32_t>(__float_as_uint(x));
#else
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}

NEURION_HD float float_of(uint32_t b) {
#if defined(__CUDA_ARCH__)
  return __uint_as_float(b);
#else
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

// The float32 functions below are templates over the lane type so that the scalar path (float,
// here and on the GPU) and the CPU's 16-lane lockstep path (GCC vector types Vf32 / Vi32 /
// Vu32, mc_gbm32_lanes.inc) are ONE definition: the same operations in the same order, hence
// the same bits. A type's helpers: f32_bits (reinterpret as uint32), f32_from_bits, f32_of
// (int32 -> float), i32_of (float -> int32, truncating), i32_bits (uint32 -> int32).
NEURION_HD float f32_from_bits(uint32_t b) { return float_of(b); }
NEURION_HD float f32_of(int32_t i) { return static_cast<float>(i); }
NEURION_HD int32_t i32_of(float x) { return static_cast<int32_t>(x); }
NEURION_HD int32_t i32_bits(uint32_t u) { return static_cast<int32_t>(u); }
NEURION_HD uint32_t f32_bits(float x) { return bits_of_f(x); }

#if !defined(__CUDACC__) && defined(__GNUC__)
constexpr int kLanes32 = 16;
typedef float Vf32 __attribute__((vector_size(4 * kLanes32)));
typedef uint32_t Vu32 __attribute__((vector_size(4 * kLanes32)));
typedef int32_t Vi32 __attribute__((vector_size(4 * kLanes32)));
inline __attribute__((always_inline)) Vf32 f32_from_bits(Vu32 b) { return (Vf32)b; }
inline __attribute__((always_inline)) Vf32 f32_of(Vi32 i) { return __builtin_convertvector(i, Vf32); }
inline __attribute__((always_inline)) Vi32 i32_of(Vf32 x) { return __builtin_convertvector(x, Vi32); }
inline __attribute__((always_inline)) Vi32 i32_bits(Vu32 u) { return (Vi32)u; }
inline __attribute__((always_inline)) Vu32 f32_bits(Vf32 x) { return (Vu32)x; }
#endif

// Uniform in (0, 1) from a Philox word, exact in float32.
template <class U>
NEURION_MC_FN auto mc32_u01(U w) {
  return (f32_of(i32_bits(w >> 9)) + 0.5f) * 1.1920928955078125e-07f;
}

// Natural log of a normal positive float (u01 outputs only: never 0, inf or subnormal).
template <class F>
NEURION_MC_FN F mc32_log(F x) {
  const auto b = f32_bits(x);
  auto e = i32_bits(b >> 23) - 126;                   // x = m 2^e, m in [0.5, 1)
  F m = f32_from_bits((b & 0x007fffffu) | 0x3f000000u);
  // m < sqrt(1/2): m = 2m - 1 and e - 1, else m = m - 1 (branch-free selects).
  const auto lo = m < 0.707106781186547524f;
  e = lo ? e - 1 : e;
  m = lo ? (m + m) - 1.0f : m - 1.0f;
  const F ef = f32_of(e);
  const F z = m * m;
  F y = m * 7.0376836292e-2f + -1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m + -1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m + -1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m + -2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = (y * m) * z;
  y = y + ef * -2.12194440e-4f;
  y = y + -0.5f * z;
  F r = m + y;
  r = r + ef * 0.693359375f;
  return r;
}

// sin and cos of 2 pi u, u in (0, 1).
template <class F>
NEURION_MC_FN void mc32_sincos_turn(F u, F* sn, F* cs) {
  const auto q = i32_of(4.0f * u + 0.5f);              // 0..4
  const F r = u - 0.25f * f32_of(q);                   // exact, in [-1/8, 1/8]
  const F a = r * 6.28318530717958648f;                // [-pi/4, pi/4]
  const F z = a * a;
  F ps = z * -1.9515295891e-4f + 8.3321608736e-3f;
  ps = ps * z + -1.6666654611e-1f;
  const F s = a + (a * z) * ps;
  F pc = z * 2.443315711809948e-5f + -1.388731625493765e-3f;
  pc = pc * z + 4.166664568298827e-2f;
  const F c = (1.0f - 0.5f * z) + (z * z) * pc;
  // angle = a + q pi/2 (q & 3 picks the quadrant; q = 4 is quadrant 0)
  const auto odd = (q & 1) != 0, neg_s = (q & 2) != 0, neg_c = ((q + 1) & 2) != 0;
  const F sa = odd ? c : s;
  const F ca = odd ? s : c;
  *sn = neg_s ? -sa : sa;
  *cs = neg_c ? -ca : ca;
}

// Four float32 standard normals from one Philox block, in the order of mc_box_muller4.
NEURION_HD void mc32_box_muller4(const Philox4x32& b, float z[4]) {
  const float r0 = sqrtf(-2.0f * mc32_log(mc32_u01(b.v[0])));
  const float r1 = sqrtf(-2.0f * mc32_log(mc32_u01(b.v[2])));
  float s0, c0, s1, c1;
  mc32_sincos_turn(mc32_u01(b.v[1]), &s0, &c0);
  mc32_sincos_turn(mc32_u01(b.v[3]), &s1, &c1);
  z[0] = r0 * c0;
  z[1] = r0 * s0;
  z[2] = r1 * c1;
  z[3] = r1 * s1;
}

}  // namespace neurion::mc

#if !defined(__CUDACC__) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
