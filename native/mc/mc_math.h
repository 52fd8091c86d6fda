// Branch-free float64 log and sin/cos for the Monte Carlo kernels, shared by the CPU core
// (scalar and lockstep/SIMD loops) and the CUDA kernels, so that every backend computes the
// same normals bit for bit (CPU compiled with -ffp-contract=off, CUDA with --fmad=false):
// no library calls, no data-dependent branches, so GCC vectorizes loops over lanes.
//
//  * mc_log(x), x normal and > 0: fdlibm's e_log.c algorithm (reduction to
//    sqrt(2)/2 <= 1+f < sqrt(2), s = f/(2+f), degree-14 odd minimax in s), error < 1 ulp.
//  * mc_sincos_turn(u, s, c): sin and cos of 2*pi*u for u in [0, 1). The reduction is exact
//    because u is a fraction of a full turn: q = round(4u), r = u - q/4 in [-1/8, 1/8]
//    (exact: u is a multiple of 2^-33 below 1), a = 2*pi*r in [-pi/4, pi/4] (one rounding),
//    then musl/fdlibm's __sin/__cos kernels (< 1 ulp) and a quadrant swap. Same value as
//    sin/cos(2*pi*u) of any libm up to a few ulp.
//  * mc_box_muller4: Neurion's four normals per Philox block (native/common/philox.h
//    documents the convention) computed with the functions above.
#pragma once
#include <cstdint>
#include <cstring>
#include "../common/hd.h"
#include "../common/philox.h"

#if !defined(__CUDACC__) && defined(__GNUC__)
// 64-byte vectors only ever pass between always_inline functions: no ABI boundary.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
#endif

namespace neurion::mc {

NEURION_HD uint64_t bits_of(double x) {
#if defined(__CUDA_ARCH__)
  return static_cast<uint64_t>(__double_as_longlong(x));
#else
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
#endif
}

NEURION_HD double double_of(uint64_t b) {
#if defined(__CUDA_ARCH__)
  return __longlong_as_double(static_cast<long long>(b));
#else
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
#endif
}

// mc_log and mc_sincos_turn are templates over the lane type, so that the scalar path (double,
// here and on the GPU) and the CPU's 8-lane lockstep kernel (GCC vector types Vf64 / Vu64 /
// Vi64 / Vi32x8, mc_gbm_lanes.inc) are ONE definition: the same operations in the same order,
// hence the same bits. A type's helpers: f64_bits / f64_from_bits (reinterpret), i32_narrow
// (uint64 -> int32), f64_of (int32 -> double), i32_trunc (double -> int32, truncating),
// lane_int (int32 -> an integer of the lane's width, for selects).
#if defined(__CUDACC__)
#define NEURION_MC_FN __host__ __device__ __forceinline__
#else
// always_inline: the templates must be inlined into the lockstep kernels' target("avx512...")
// bodies, never called out of line through the baseline vector ABI.
#define NEURION_MC_FN inline __attribute__((always_inline))
#endif

NEURION_HD uint64_t f64_bits(double x) { return bits_of(x); }
NEURION_HD double f64_from_bits(uint64_t b) { return double_of(b); }
NEURION_HD int32_t i32_narrow(uint64_t u) { return static_cast<int32_t>(u); }
NEURION_HD double f64_of(int32_t i) { return static_cast<double>(i); }
NEURION_HD int32_t i32_trunc(double x) { return static_cast<int32_t>(x); }
NEURION_HD int32_t lane_int(int32_t q) { return q; }

#if !defined(__CUDACC__) && defined(__GNUC__)
constexpr int kLanes64 = 8;
typedef double Vf64 __attribute__((vector_size(8 * kLanes64)));
typedef uint64_t Vu64 __attribute__((vector_size(8 * kLanes64)));
typedef int64_t Vi64 __attribute__((vector_size(8 * kLanes64)));
typedef int32_t Vi32x8 __attribute__((vector_size(4 * kLanes64)));
inline __attribute__((always_inline)) Vu64 f64_bits(Vf64 x) { return (Vu64)x; }
inline __attribute__((always_inline)) Vf64 f64_from_bits(Vu64 b) { return (Vf64)b; }
inline __attribute__((always_inline)) Vi32x8 i32_narrow(Vu64 u) { return __builtin_convertvector(u, Vi32x8); }
inline __attribute__((always_inline)) Vf64 f64_of(Vi32x8 i) { return __builtin_convertvector(i, Vf64); }
inline __attribute__((always_inline)) Vi32x8 i32_trunc(Vf64 x) { return __builtin_convertvector(x, Vi32x8); }
inline __attribute__((always_inline)) Vi64 lane_int(Vi32x8 q) { return __builtin_convertvector(q, Vi64); }
#endif

// Natural log of a positive normal double (fdlibm e_log.c, branch-free form).
template <class D>
NEURION_MC_FN D mc_log(D x) {
  const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
  const double Lg1 = 6.666666666666735130e-01, Lg2 = 3.999999999940941908e-01, Lg3 = 2.857142874366239149e-01,
               Lg4 = 2.222219843214978396e-01, Lg5 = 1.818357216161805012e-01, Lg6 = 1.531383769920937332e-01,
               Lg7 = 1.479819860511658591e-01;
  const auto b = f64_bits(x);
  const auto e = i32_narrow(b >> 52) - 1023;           // int32: converts to double without AVX-512
  const auto m = b & 0x000fffffffffffffull;
  const auto i = ((m >> 32) + 0x95f64ull) & 0x100000ull;  // 1 << 20 when the mantissa >= sqrt(2)
  const D xr = f64_from_bits(m | ((i ^ 0x3ff00000ull) << 32));  // in [sqrt(2)/2, sqrt(2))
  const D k = f64_of(e + i32_narrow(i >> 20));
  const D f = xr - 1.0;
  const D s = f / (2.0 + f);
  const D z = s * s;
  const D w = z * z;
  const D t1 = w * (Lg2 + w * (Lg4 + w * Lg6));
  const D t2 = z * (Lg1 + w * (Lg3 + w * (Lg5 + w * Lg7)));
  const D R = t2 + t1;
  const D hfsq = 0.5 * f * f;
  return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

// sin and cos of 2*pi*u, u in [0, 1).
template <class D>
NEURION_MC_FN void mc_sincos_turn(D u, D* sn, D* cs) {
  const double S1 = -1.66666666666666324348e-01, S2 = 8.33333333332248946124e-03,
               S3 = -1.98412698298579493134e-04, S4 = 2.75573137070700676789e-06,
               S5 = -2.50507602534068634195e-08, S6 = 1.58969099521155010221e-10;
  const double C1 = 4.16666666666666019037e-02, C2 = -1.38888888888741095749e-03,
               C3 = 2.48015872894767294178e-05, C4 = -2.75573143513906633035e-07,
               C5 = 2.08757232129817482790e-09, C6 = -1.13596475577881948265e-11;
  const auto q = i32_trunc(4.0 * u + 0.5);  // 0..4 (u >= 0: truncation is floor)
  const D r = u - 0.25 * f64_of(q);          // exact
  const D a = r * 6.283185307179586;
  const D z = a * a;
  const D w = z * z;
  const D rs = S2 + z * (S3 + z * S4) + z * w * (S5 + z * S6);
  const D s = a + (z * a) * (S1 + z * rs);
  const D rc = z * (C1 + z * (C2 + z * C3)) + w * w * (C4 + z * (C5 + z * C6));
  const D hz = 0.5 * z;
  const D one_m = 1.0 - hz;
  const D c = one_m + (((1.0 - one_m) - hz) + z * rc);
  // angle = a + q * pi/2 (q & 3 picks the quadrant; q = 4 is quadrant 0)
  const auto qw = lane_int(q);
  const auto odd = (qw & 1) != 0, neg_s = (qw & 2) != 0, neg_c = ((qw + 1) & 2) != 0;
  const D sa = odd ? c : s;
  const D ca = odd ? s : c;
  *sn = neg_s ? -sa : sa;
  *cs = neg_c ? -ca : ca;
}

// Four standard normals from one Philox block (Box-Muller on (u0,u1) and (u2,u3)).
NEURION_HD void mc_box_muller4(const Philox4x32& b, double z[4]) {
  const double r0 = sqrt(-2.0 * mc_log(philox_u01(b.v[0])));
  const double r1 = sqrt(-2.0 * mc_log(philox_u01(b.v[2])));
  double s0, c0, s1, c1;
  mc_sincos_turn(philox_u01(b.v[1]), &s0, &c0);
  mc_sincos_turn(philox_u01(b.v[3]), &s1, &c1);
  z[0] = r0 * c0;
  z[1] = r0 * s0;
  z[2] = r1 * c1;
  z[3] = r1 * s1;
}

}  // namespace neurion::mc

#if !defined(__CUDACC__) && defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
