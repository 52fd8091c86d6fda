// CPU driver of mc.simulate. Paths are split into contiguous per-thread ranges; each thread
// reduces its paths into its own accumulator (scalar state + histograms), and the partial
// accumulators are merged in thread order, so a given thread count always gives the same
// bits (different thread counts agree within float rounding; counts exactly).
//
// GBM, the hot case, runs kLanes paths in lockstep: the Philox rounds, the Box-Muller
// transform (branch-free log / sincos from mc_math.h) and the log-price update are loops
// over lanes that GCC vectorizes (AVX-512 / AVX2 clones picked at load time by
// target_clones, SSE2 otherwise). Same operations in the same order as the scalar path
// (simulate_path), so lockstep and scalar results are identical bit for bit.
// gbm-f32 runs 16 paths in lockstep the same way (float32 lanes, mc_gbm32_lanes.inc; the
// 32x32-bit Philox products as two vpmuludq + blend per 16 lanes).
//
// sqrt never sees a negative argument here (-2 log u > 0), so errno handling is off for this
// file: it would otherwise block vectorization of sqrt.
#include "mc_cpu.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>
#include "../common/parallel.h"
#include "mc_acc.h"
#include "mc_math.h"
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace neurion::mc {

namespace {

constexpr int kLanes = kLanes64;

// The lockstep GBM kernel per instruction set (body: mc_gbm_lanes.inc), on GCC vector
// extensions; log and sin/cos are mc_math.h's templates instantiated on the 8-lane types (the
// scalar path's operations in the same order, so the same bits). GCC keeps errno semantics for sqrt (no -fno-math-errno in
// this build), so sqrt and the 32x32->64 multiply use the vector instructions directly.
// 64-byte vectors passed between always_inline helpers: no ABI boundary is ever crossed.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef Vf64 VD;  // mc_math.h's 8-lane types, on which mc_log / mc_sincos_turn are instantiated
typedef Vu64 VU;
typedef Vi64 VI;
typedef Vi32x8 VI32;

// gbm-f32: 16 float32 lanes (one zmm); the log / sincos / u01 templates of mc_f32.h
// instantiated on its vector types.
typedef Vf32 VF;
typedef Vu32 VW;
typedef Vi32 VIW;

using GbmLanesFn = void (*)(const Model&, uint32_t, uint32_t, uint64_t, int64_t, PathOut*);

#if defined(__x86_64__) && defined(__GNUC__)
#define NEURION_MC_V4 "avx512f,avx512dq,avx512bw,avx512vl,avx512cd,avx2,fma,bmi,bmi2,lzcnt,popcnt,movbe"
#define NEURION_MC_V3 "avx2,fma,bmi,bmi2,lzcnt,popcnt,movbe"

union LanesD { VD v; __m128d h2[kLanes / 2]; __m256d h4[kLanes / 4]; __m512d h8[kLanes / 8]; };
union LanesU { VU v; __m128i h2[kLanes / 2]; __m256i h4[kLanes / 4]; __m512i h8[kLanes / 8]; };

// GCC 12 warns about the intrinsics' own `__Y = __Y` placeholders (a known false positive).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
__attribute__((target(NEURION_MC_V4), always_inline)) inline VD sqrt_v4(VD v) {
  LanesD d; d.v = v;
  for (int h = 0; h < kLanes / 8; ++h) d.h8[h] = _mm512_sqrt_pd(d.h8[h]);
  return d.v;
}
__attribute__((target(NEURION_MC_V4), always_inline)) inline VU mulw_v4(VU a, uint32_t m) {
  LanesU d; d.v = a;
  for (int h = 0; h < kLanes / 8; ++h) d.h8[h] = _mm512_mul_epu32(d.h8[h], _mm512_set1_epi64(m));
  return d.v;
}
#define NEURION_MC_LANES_NAME gbm_lanes_v4
#define NEURION_MC_LANES_TARGET __attribute__((target(NEURION_MC_V4)))
#define NEURION_MC_SQRT(v) sqrt_v4(v)
#define NEURION_MC_MULW(a, M) mulw_v4(a, M)
#include "mc_gbm_lanes.inc"
#undef NEURION_MC_LANES_NAME
#undef NEURION_MC_LANES_TARGET
#undef NEURION_MC_SQRT
#undef NEURION_MC_MULW

union LanesF { VF v; __m128 h2[kLanes32 / 4]; __m256 h4[kLanes32 / 8]; __m512 h8[kLanes32 / 16]; };
union LanesW { VW v; __m128i h2[kLanes32 / 4]; __m256i h4[kLanes32 / 8]; __m512i h8[kLanes32 / 16]; };
__attribute__((target(NEURION_MC_V4), always_inline)) inline VF sqrt32_v4(VF v) {
  LanesF d; d.v = v;
  for (int h = 0; h < kLanes32 / 16; ++h) d.h8[h] = _mm512_sqrt_ps(d.h8[h]);
  return d.v;
}
// High halves of 16 32x32-bit products: even lanes from one vpmuludq, odd lanes (shifted
// down) from another, merged by a blend.
__attribute__((target(NEURION_MC_V4), always_inline)) inline VW mulhi32_v4(VW a, VW m) {
  LanesW d, mm; d.v = a; mm.v = m;
  const __m512i mv = mm.h8[0];
  for (int h = 0; h < kLanes32 / 16; ++h) {
    const __m512i ev = _mm512_mul_epu32(d.h8[h], mv);
    const __m512i od = _mm512_mul_epu32(_mm512_srli_epi64(d.h8[h], 32), mv);
    d.h8[h] = _mm512_mask_blend_epi32(static_cast<__mmask16>(0xAAAA), _mm512_srli_epi64(ev, 32), od);
  }
  return d.v;
}
#define NEURION_MC32_LANES_NAME gbm32_lanes_v4
#define NEURION_MC32_LANES_TARGET __attribute__((target(NEURION_MC_V4)))
#define NEURION_MC32_SQRT(v) sqrt32_v4(v)
#define NEURION_MC32_MULHI(a, M) mulhi32_v4(a, M)
#include "mc_gbm32_lanes.inc"
#undef NEURION_MC32_LANES_NAME
#undef NEURION_MC32_LANES_TARGET
#undef NEURION_MC32_SQRT
#undef NEURION_MC32_MULHI
#pragma GCC diagnostic pop

__attribute__((target(NEURION_MC_V3), always_inline)) inline VD sqrt_v3(VD v) {
  LanesD d; d.v = v;
  for (int h = 0; h < kLanes / 4; ++h) d.h4[h] = _mm256_sqrt_pd(d.h4[h]);
  return d.v;
}
__attribute__((target(NEURION_MC_V3), always_inline)) inline VU mulw_v3(VU a, uint32_t m) {
  LanesU d; d.v = a;
  for (int h = 0; h < kLanes / 4; ++h) d.h4[h] = _mm256_mul_epu32(d.h4[h], _mm256_set1_epi64x(m));
  return d.v;
}
#define NEURION_MC_LANES_NAME gbm_lanes_v3
#define NEURION_MC_LANES_TARGET __attribute__((target(NEURION_MC_V3)))
#define NEURION_MC_SQRT(v) sqrt_v3(v)
#define NEURION_MC_MULW(a, M) mulw_v3(a, M)
#include "mc_gbm_lanes.inc"
#undef NEURION_MC_LANES_NAME
#undef NEURION_MC_LANES_TARGET
#undef NEURION_MC_SQRT
#undef NEURION_MC_MULW

__attribute__((target(NEURION_MC_V3), always_inline)) inline VF sqrt32_v3(VF v) {
  LanesF d; d.v = v;
  for (int h = 0; h < kLanes32 / 8; ++h) d.h4[h] = _mm256_sqrt_ps(d.h4[h]);
  return d.v;
}
__attribute__((target(NEURION_MC_V3), always_inline)) inline VW mulhi32_v3(VW a, VW m) {
  LanesW d, mm; d.v = a; mm.v = m;
  const __m256i mv = mm.h4[0];
  for (int h = 0; h < kLanes32 / 8; ++h) {
    const __m256i ev = _mm256_mul_epu32(d.h4[h], mv);
    const __m256i od = _mm256_mul_epu32(_mm256_srli_epi64(d.h4[h], 32), mv);
    d.h4[h] = _mm256_blend_epi32(_mm256_srli_epi64(ev, 32), od, 0xAA);
  }
  return d.v;
}
#define NEURION_MC32_LANES_NAME gbm32_lanes_v3
#define NEURION_MC32_LANES_TARGET __attribute__((target(NEURION_MC_V3)))
#define NEURION_MC32_SQRT(v) sqrt32_v3(v)
#define NEURION_MC32_MULHI(a, M) mulhi32_v3(a, M)
#include "mc_gbm32_lanes.inc"
#undef NEURION_MC32_LANES_NAME
#undef NEURION_MC32_LANES_TARGET
#undef NEURION_MC32_SQRT
#undef NEURION_MC32_MULHI

inline __attribute__((always_inline)) VD sqrt_v1(VD v) {
  LanesD d; d.v = v;
  for (int h = 0; h < kLanes / 2; ++h) d.h2[h] = _mm_sqrt_pd(d.h2[h]);
  return d.v;
}
inline __attribute__((always_inline)) VU mulw_v1(VU a, uint32_t m) {
  LanesU d; d.v = a;
  for (int h = 0; h < kLanes / 2; ++h) d.h2[h] = _mm_mul_epu32(d.h2[h], _mm_set1_epi64x(m));
  return d.v;
}
#define NEURION_MC_LANES_NAME gbm_lanes_v1
#define NEURION_MC_LANES_TARGET
#define NEURION_MC_SQRT(v) sqrt_v1(v)
#define NEURION_MC_MULW(a, M) mulw_v1(a, M)
#include "mc_gbm_lanes.inc"
#undef NEURION_MC_LANES_NAME
#undef NEURION_MC_LANES_TARGET
#undef NEURION_MC_SQRT
#undef NEURION_MC_MULW

inline __attribute__((always_inline)) VF sqrt32_v1(VF v) {
  LanesF d; d.v = v;
  for (int h = 0; h < kLanes32 / 4; ++h) d.h2[h] = _mm_sqrt_ps(d.h2[h]);
  return d.v;
}
inline __attribute__((always_inline)) VW mulhi32_generic(VW a, VW m) {
  VW r;
  for (int l = 0; l < kLanes32; ++l) r[l] = static_cast<uint32_t>((static_cast<uint64_t>(a[l]) * m[l]) >> 32);
  return r;
}
#define NEURION_MC32_LANES_NAME gbm32_lanes_v1
#define NEURION_MC32_LANES_TARGET
#define NEURION_MC32_SQRT(v) sqrt32_v1(v)
#define NEURION_MC32_MULHI(a, M) mulhi32_generic(a, M)
#include "mc_gbm32_lanes.inc"
#undef NEURION_MC32_LANES_NAME
#undef NEURION_MC32_LANES_TARGET
#undef NEURION_MC32_SQRT
#undef NEURION_MC32_MULHI

GbmLanesFn pick_gbm32_lanes() {
  __builtin_cpu_init();
  const char* force = std::getenv("NEURION_MC_ISA");
  if (force != nullptr && std::string(force) == "v1") return gbm32_lanes_v1;
  if (force != nullptr && std::string(force) == "v3" && __builtin_cpu_supports("avx2")) return gbm32_lanes_v3;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("bmi2"))
    return gbm32_lanes_v4;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return gbm32_lanes_v3;
  return gbm32_lanes_v1;
}

GbmLanesFn pick_gbm_lanes() {
  __builtin_cpu_init();
  // NEURION_MC_ISA=v1|v3|v4 forces a version (tests of bit-identity across versions).
  const char* force = std::getenv("NEURION_MC_ISA");
  if (force != nullptr && std::string(force) == "v1") return gbm_lanes_v1;
  if (force != nullptr && std::string(force) == "v3" && __builtin_cpu_supports("avx2")) return gbm_lanes_v3;
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("bmi2"))
    return gbm_lanes_v4;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) return gbm_lanes_v3;
  return gbm_lanes_v1;
}
#else
inline VD sqrt_generic(VD v) {
  for (int l = 0; l < kLanes; ++l) v[l] = sqrt(v[l]);
  return v;
}
inline VU mulw_generic(VU a, uint32_t m) { return (a & 0xffffffffu) * static_cast<uint64_t>(m); }
#define NEURION_MC_LANES_NAME gbm_lanes_v1
#define NEURION_MC_LANES_TARGET
#define NEURION_MC_SQRT(v) sqrt_generic(v)
#define NEURION_MC_MULW(a, M) mulw_generic(a, M)
#include "mc_gbm_lanes.inc"
GbmLanesFn pick_gbm_lanes() { return gbm_lanes_v1; }
inline VF sqrt32_generic(VF v) {
  for (int l = 0; l < kLanes32; ++l) v[l] = sqrtf(v[l]);
  return v;
}
inline VW mulhi32_generic(VW a, VW m) {
  VW r;
  for (int l = 0; l < kLanes32; ++l) r[l] = static_cast<uint32_t>((static_cast<uint64_t>(a[l]) * m[l]) >> 32);
  return r;
}
#define NEURION_MC32_LANES_NAME gbm32_lanes_v1
#define NEURION_MC32_LANES_TARGET
#define NEURION_MC32_SQRT(v) sqrt32_generic(v)
#define NEURION_MC32_MULHI(a, M) mulhi32_generic(a, M)
#include "mc_gbm32_lanes.inc"
GbmLanesFn pick_gbm32_lanes() { return gbm32_lanes_v1; }
#endif

const GbmLanesFn gbm_lanes = pick_gbm_lanes();
const GbmLanesFn gbm32_lanes = pick_gbm32_lanes();

Key key_of(uint32_t k0, uint32_t k1, uint64_t gp) {
  Key k;
  k.k0 = k0; k.k1 = k1;
  k.plo = static_cast<uint32_t>(gp);
  k.phi = static_cast<uint32_t>(gp >> 32);
  return k;
}

// Calls f(PathOut) for paths [p0, p1) in order.
template <typename F>
void for_paths(const Model& m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t p0, int64_t p1, int64_t steps,
               bool lanes, F&& f) {
  int64_t p = p0;
  if (lanes && m.id == M_GBM) {
    PathOut o[kLanes];
    for (; p + kLanes <= p1; p += kLanes) {
      gbm_lanes(m, k0, k1, path_offset + static_cast<uint64_t>(p), steps, o);
      for (int l = 0; l < kLanes; ++l) f(o[l]);
    }
  }
  if (lanes && m.id == M_GBM_F32) {
    PathOut o[kLanes32];
    for (; p + kLanes32 <= p1; p += kLanes32) {
      gbm32_lanes(m, k0, k1, path_offset + static_cast<uint64_t>(p), steps, o);
      for (int l = 0; l < kLanes32; ++l) f(o[l]);
    }
  }
  for (; p < p1; ++p) f(simulate_path(m, key_of(k0, k1, path_offset + static_cast<uint64_t>(p)), steps));
}

}  // namespace

void simulate_paths_cpu(const Model& m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t paths, int64_t steps,
                        PathOut* out, bool lanes) {
  int64_t i = 0;
  for_paths(m, k0, k1, path_offset, 0, paths, steps, lanes, [&](const PathOut& o) { out[i++] = o; });
}

void simulate_cpu(const Model& m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t paths, int64_t steps,
                  const double* spec, double* acc, int threads) {
  acc_init(acc, spec, m.v0);
  const AccConfig cfg = acc_config(spec, m.v0);
  const int64_t hist_len = 2 * cfg.bins + 2 * cfg.dd_bins;
  const int64_t t = std::max<int64_t>(1, std::min<int64_t>(threads, paths));
  std::vector<AccState> states(static_cast<size_t>(t));
  // Thread 0 reduces straight into acc's histograms; the others into their own.
  std::vector<std::vector<double>> hists(static_cast<size_t>(t - 1));
  for (auto& h : hists) h.assign(static_cast<size_t>(hist_len), 0.0);
  const int64_t chunk = (paths + t - 1) / t;
  parallel_for(t, static_cast<int>(t), [&](int64_t w0, int64_t w1) {
    for (int64_t w = w0; w < w1; ++w) {
      const int64_t p0 = w * chunk, p1 = std::min(paths, p0 + chunk);
      AccState& st = states[static_cast<size_t>(w)];
      double* hist = w == 0 ? acc + kHeader : hists[static_cast<size_t>(w - 1)].data();
      if (p0 < p1)
        for_paths(m, k0, k1, path_offset, p0, p1, steps, true, [&](const PathOut& o) { acc_add_host(cfg, st, hist, o); });
    }
  });
  AccState total = states[0];
  for (int64_t w = 1; w < t; ++w) {
    acc_state_merge(total, states[static_cast<size_t>(w)]);
    const double* h = hists[static_cast<size_t>(w - 1)].data();
    double* dst = acc + kHeader;
    for (int64_t i = 0; i < hist_len; ++i) dst[i] += h[i];
  }
  acc_write(acc, total);
}

}  // namespace neurion::mc
