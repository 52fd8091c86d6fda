// Float32 activations for the recurrent-network inference core (native/nn/nn_cpu.cpp): the
// scalar ones from nn_act.h (shared with the CUDA kernels) plus AVX2 and AVX-512 lanes. Max error vs
// float64 (tests/models.native.test.ts and the conformance tolerance): < 3e-7 absolute on
// every gate value.
//
// The AVX2 and AVX-512 versions perform exactly the same IEEE operations in the same order as the scalar
// ones (no FMA contraction: the addon builds with -ffp-contract=off, and the vector code uses
// separate mul/add), so a value's activation never depends on which lane or tail loop computed
// it: the streaming step (one row) and the batched forward (many rows) give bit-identical results.
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
  __m256 fx = _mm256_mul_ps(x, _mm256_set1_ps(c::log2e));
  fx = _mm256_add_ps(fx, _mm256_set1_ps(0.5f));
  fx = _mm256_floor_ps(fx);
  const __m256 tmp = _mm256_mul_ps(fx, _mm256_set1_ps(c::c1));
  __m256 z = _mm256_mul_ps(fx, _mm256_set1_ps(c::c2));
  x = _mm256_sub_ps(x, tmp);
  x = _mm256_sub_ps(x, z);
  z = _mm256_mul_ps(x, x);
  __m256 y = _mm256_set1_ps(c::p0);
  y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c::p1));
  y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c::p2));
  y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c::p3));
  y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c::p4));
  y = _mm256_add_ps(_mm256_mul_ps(y, x), _mm256_set1_ps(c::p5));
  y = _mm256_add_ps(_mm256_mul_ps(y, z), x);
  y = _mm256_add_ps(y, _mm256_set1_ps(1.0f));
  __m256i n = _mm256_cvttps_epi32(fx);
  n = _mm256_slli_epi32(_mm256_add_epi32(n, _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(y, _mm256_castsi256_ps(n));
}

NEURION_AVX2 inline __m256 sigmoid_v(__m256 x) {
  const __m256 e = exp_v(_mm256_sub_ps(_mm256_setzero_ps(), x));
  return _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
}

NEURION_AVX2 inline __m256 tanh_v(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(c::t0);
  p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(c::t1));
  p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(c::t2));
  p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(c::t3));
  p = _mm256_add_ps(_mm256_mul_ps(p, z), _mm256_set1_ps(c::t4));
  p = _mm256_mul_ps(_mm256_mul_ps(p, z), x);
  const __m256 small = _mm256_add_ps(p, x);
  const __m256 e = exp_v(_mm256_add_ps(ax, ax));
  __m256 big = _mm256_sub_ps(_mm256_set1_ps(1.0f),
                             _mm256_div_ps(_mm256_set1_ps(2.0f), _mm256_add_ps(e, _mm256_set1_ps(1.0f))));
  // -y for x < 0 (x == -0 is in the small branch).
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  big = _mm256_blendv_ps(big, _mm256_xor_ps(big, sign), neg);
  const __m256 is_small = _mm256_cmp_ps(ax, _mm256_set1_ps(c::tanh_small), _CMP_LT_OQ);
  return _mm256_blendv_ps(big, small, is_small);
}

NEURION_AVX2 inline __m256 hard_sigmoid_v(__m256 x) {
  __m256 y = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(0.2f), x), _mm256_set1_ps(0.5f));
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
  __m512 fx = _mm512_mul_ps(x, _mm512_set1_ps(c::log2e));
  fx = _mm512_add_ps(fx, _mm512_set1_ps(0.5f));
  fx = _mm512_roundscale_ps(fx, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
  const __m512 tmp = _mm512_mul_ps(fx, _mm512_set1_ps(c::c1));
  __m512 z = _mm512_mul_ps(fx, _mm512_set1_ps(c::c2));
  x = _mm512_sub_ps(x, tmp);
  x = _mm512_sub_ps(x, z);
  z = _mm512_mul_ps(x, x);
  __m512 y = _mm512_set1_ps(c::p0);
  y = _mm512_add_ps(_mm512_mul_ps(y, x), _mm512_set1_ps(c::p1));
  y = _mm512_add_ps(_mm512_mul_ps(y, x), _mm512_set1_ps(c::p2));
  y = _mm512_add_ps(_mm512_mul_ps(y, x), _mm512_set1_ps(c::p3));
  y = _mm512_add_ps(_mm512_mul_ps(y, x), _mm512_set1_ps(c::p4));
  y = _mm512_add_ps(_mm512_mul_ps(y, x), _mm512_set1_ps(c::p5));
  y = _mm512_add_ps(_mm512_mul_ps(y, z), x);
  y = _mm512_add_ps(y, _mm512_set1_ps(1.0f));
  __m512i n = _mm512_cvttps_epi32(fx);
  n = _mm512_slli_epi32(_mm512_add_epi32(n, _mm512_set1_epi32(127)), 23);
  return _mm512_mul_ps(y, _mm512_castsi512_ps(n));
}

NEURION_AVX512 inline __m512 sigmoid_v16(__m512 x) {
  const __m512 e = exp_v16(_mm512_sub_ps(_mm512_setzero_ps(), x));
  return _mm512_div_ps(_mm512_set1_ps(1.0f), _mm512_add_ps(_mm512_set1_ps(1.0f), e));
}

NEURION_AVX512 inline __m512 tanh_v16(__m512 x) {
  const __m512 sign = _mm512_set1_ps(-0.0f);
  const __m512 ax = _mm512_andnot_ps(sign, x);
  const __m512 z = _mm512_mul_ps(x, x);
  __m512 p = _mm512_set1_ps(c::t0);
  p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(c::t1));
  p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(c::t2));
  p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(c::t3));
  p = _mm512_add_ps(_mm512_mul_ps(p, z), _mm512_set1_ps(c::t4));
  p = _mm512_mul_ps(_mm512_mul_ps(p, z), x);
  const __m512 small = _mm512_add_ps(p, x);
  const __m512 e = exp_v16(_mm512_add_ps(ax, ax));
  __m512 big = _mm512_sub_ps(_mm512_set1_ps(1.0f),
                             _mm512_div_ps(_mm512_set1_ps(2.0f), _mm512_add_ps(e, _mm512_set1_ps(1.0f))));
  // -y for x < 0 (x == -0 is in the small branch).
  const __mmask16 neg = _mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ);
  big = _mm512_mask_blend_ps(neg, big, _mm512_xor_ps(big, sign));
  const __mmask16 is_small = _mm512_cmp_ps_mask(ax, _mm512_set1_ps(c::tanh_small), _CMP_LT_OQ);
  return _mm512_mask_blend_ps(is_small, big, small);
}

NEURION_AVX512 inline __m512 hard_sigmoid_v16(__m512 x) {
  __m512 y = _mm512_add_ps(_mm512_mul_ps(_mm512_set1_ps(0.2f), x), _mm512_set1_ps(0.5f));
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
