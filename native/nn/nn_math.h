// Float32 activations for the recurrent-network inference core (native/nn/nn_cpu.cpp): the
// scalar ones from nn_act.h (shared with the CUDA kernels) plus AVX2 and AVX-512 lanes. Max error vs
// float64 (tests/models.native.test.ts and the conformance tolerance): < 3e-7 absolute on
// every gate value (measured: see nn_act.h).
//
// The AVX2 and AVX-512 versions perform exactly the same IEEE operations in the same order as the scalar
// ones: an explicit FMA (_mm*_fmadd_ps / fnmadd) exactly where nn_act.h has fma1(), a separate
// mul / add everywhere else (the addon builds with -ffp-contract=off, so nothing else is fused);
// the AVX-512 exp applies 2^n with vscalefps, the same correctly rounded product as the scalar
// y * pow2n because the clamp keeps 2^n normal. So a value's activation never depends on which
// lane or tail loop computed it: the streaming step (one row) and the batched forward (many
// rows) give bit-identical results, and the CUDA kernels (same nn_act.h) the same bits.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include "nn_act.h"
#include "nn_spec.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NEURION_NN_X86 1
#include <immintrin.h>
#define NEURION_AVX2 __attribute__((target("avx2,fma")))
#define NEURION_AVX512 __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw,avx2,fma")))
#else
#define NEURION_NN_X86 0
#endif

namespace neurion::nn {

// The scalar activations (and their constants) are in nn_act.h, shared with the CUDA kernels.

#if NEURION_NN_X86
NEURION_AVX2 inline __m256 exp_v(__m256 x) {
  x = _mm256_min_ps(x, _mm256_set1_ps(c::exp_hi));
  x = _mm256_max_ps(x, _mm256_set1_ps(c::exp_lo));
  const __m256 fx = _mm256_floor_ps(_mm256_fmadd_ps(x, _mm256_set1_ps(c::log2e), _mm256_set1_ps(0.5f)));
  const __m256 r = _mm256_fnmadd_ps(fx, _mm256_set1_ps(c::ln2), x);  // fma(-fx, ln2, x)
  __m256 y = _mm256_set1_ps(c::p0);
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(c::p1));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(c::p2));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(c::p3));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(c::p4));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(c::p5));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.0f));
  y = _mm256_fmadd_ps(y, r, _mm256_set1_ps(1.0f));
  __m256i n = _mm256_cvttps_epi32(fx);
  n = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(n));
}

NEURION_AVX2 inline __m256 sigmoid_v(__m256 x) {
  const __m256 e = exp_v(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

NEURION_AVX2 inline __m256 tanh_small_v(__m256 x) {
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(c::t0);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(c::t1));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(c::t2));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(c::t3));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(c::t4));
  p = _mm256_mul_ps(p, z);
  return _mm256_fmadd_ps(p, x, x);
}

// copysignf(1 - 2 / (exp(2|x|) + 1), x): the quotient is >= 0, so the sign bit of x is or-ed in.
NEURION_AVX2 inline __m256 tanh_big_v(__m256 x, __m256 ax) {
  const __m256 e = exp_v(_mm256_add_ps(ax, ax));
  const __m256 y = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                                 _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
  return _mm256_or_ps(y, _mm256_and_ps(x, _mm256_set1_ps(-0.0f)));
}

// Each lane takes the branch the scalar tanh_f takes; a branch no lane needs is skipped.
NEURION_AVX2 inline __m256 tanh_v(__m256 x) {
  const __m256 ax = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
  const __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(c::tanh_small), _CMP_LT_OQ);
  const int m = _mm256_movemask_ps(is_small);
  if (m == 0xff) return tanh_small_v(x);
  if (m == 0) return tanh_big_v(x, ax);
  return _mm256_blendv_ps(tanh_big_v(x, ax), tanh_small_v(x), is_small);
}

NEURION_AVX2 inline __m256 hard_sigmoid_v(__m256 x) {
  __m256 y = _mm256_fmadd_ps(_mm256_set1_ps(0.2f), x, _mm256_set1_ps(0.5f));
  y = _mm256_min_ps(y, _mm256_set1_ps(1.0f));
  return _mm256_max_ps(y, _mm256_setzero_ps());
}

NEURION_AVX2 inline __m256 act_v(Act a, __m256 x) {
  switch (a) {
    case Act::Tanh: return tanh_v(x);
    case Act::Sigmoid: return sigmoid_v(x);
    case Act::HardSigmoid: return hard_sigmoid_v(x);
    case Act::Relu: return _mm256_max_ps(x, _mm256_setzero_ps());
    default: return x;
  }
}

NEURION_AVX2 inline void act_inplace_avx2(Act a, float* p, int64_t n) {
  if (a == Act::Linear) return;
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(p + i, act_v(a, _mm256_loadu_ps(p + i)));
  for (; i < n; ++i) p[i] = act_f(a, p[i]);
}

// ---- AVX-512: the same operations in the same order, 16 lanes -------------------------------
NEURION_AVX512 inline __m512 exp_v16(__m512 x) {
  x = _mm512_min_ps(x, _mm512_set1_ps(c::exp_hi));
  x = _mm512_max_ps(x, _mm512_set1_ps(c::exp_lo));
  const __m512 fx = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(c::log2e), _mm512_set1_ps(0.5f)),
                                         _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 r = _mm512_fnmadd_ps(fx, _mm512_set1_ps(c::ln2), x);  // fma(-fx, ln2, x)
  __m512 y = _mm512_set1_ps(c::p0);
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(c::p1));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(c::p2));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(c::p3));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(c::p4));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(c::p5));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.0f));
  y = _mm512_fmadd_ps(y, r, _mm512_set1_ps(1.0f));
  // fx is in [-126, 127] (the clamp): y * 2^fx is the scalar y * pow2n, correctly rounded.
  return _mm512_scalef_ps(y, fx);
}

NEURION_AVX512 inline __m512 sigmoid_v16(__m512 x) {
  const __m512 e = exp_v16(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

NEURION_AVX512 inline __m512 tanh_small_v16(__m512 x) {
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(c::t0);
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(c::t1));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(c::t2));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(c::t3));
  p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(c::t4));
  p = _mm512_mul_ps(p, z);
  return _mm512_fmadd_ps(p, x, x);
}

// copysignf(1 - 2 / (exp(2|x|) + 1), x): the quotient is >= 0, so y | (x & sign) (one vpternlogd).
NEURION_AVX512 inline __m512 tanh_big_v16(__m512 x, __m512 ax) {
  const __m512 e = exp_v16(_mm512_add_ps(ax, ax));
  const __m512 y = _mm512_sub_ps(_mm512_set1_ps(1.0f),
                                 _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
  // imm 0xF8: A | (B & C) with A = y, B = x, C = sign mask.
  return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(_mm512_castps_si512(y), _mm512_castps_si512(x),
                                                       _mm512_set1_epi32(INT32_MIN), 0xF8));
}

// Each lane takes the branch the scalar tanh_f takes; a branch no lane needs is skipped.
NEURION_AVX512 inline __m512 tanh_v16(__m512 x) {
  const __m512 ax = _mm512_abs_ps(x);
  const __mmask16 is_small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(c::tanh_small), _CMP_LT_OQ);
  if (is_small == 0xffff) return tanh_small_v16(x);
  if (is_small == 0) return tanh_big_v16(x, ax);
  return _mm512_mask_blend_ps(is_small, tanh_big_v16(x, ax), tanh_small_v16(x));
}

NEURION_AVX512 inline __m512 hard_sigmoid_v16(__m512 x) {
  __m512 y = _mm512_fmadd_ps(_mm512_set1_ps(0.2f), x, _mm512_set1_ps(0.5f));
  y = _mm512_min_ps(y, _mm512_set1_ps(1.0f));
  return _mm512_max_ps(y, _mm512_setzero_ps());
}

NEURION_AVX512 inline __m512 act_v16(Act a, __m512 x) {
  switch (a) {
    case Act::Tanh: return tanh_v16(x);
    case Act::Sigmoid: return sigmoid_v16(x);
    case Act::HardSigmoid: return hard_sigmoid_v16(x);
    case Act::Relu: return _mm512_max_ps(x, _mm512_setzero_ps());
    default: return x;
  }
}

NEURION_AVX512 inline void act_inplace_avx512(Act a, float* p, int64_t n) {
  if (a == Act::Linear) return;
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) _mm512_storeu_ps(p + i, act_v16(a, _mm512_loadu_ps(p + i)));
  if (i < n) {
    const __mmask16 m = static_cast<__mmask16>((1u << (n - i)) - 1u);
    _mm512_mask_storeu_ps(p + i, m, act_v16(a, _mm512_maskz_loadu_ps(m, p + i)));
  }
}
#endif


}  // namespace neurion::nn
