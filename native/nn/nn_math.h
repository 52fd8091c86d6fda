// Float32 activations for the recurrent-network inference core (native/nn/nn_cpu.cpp).
//
// exp is Cephes expf (range reduction to [-ln2/2, ln2/2], degree-6 polynomial; ~1-2 ulp over
// the clamped range), sigmoid(x) = 1 / (1 + exp(-x)), tanh is Cephes tanhf (odd polynomial for
// |x| < 0.625, 1 - 2 / (exp(2|x|) + 1) above). Max error vs float64 (tests/models.native.test.ts
// and the conformance tolerance): < 3e-7 absolute on every gate value.
//
// The AVX2 versions perform exactly the same IEEE operations in the same order as the scalar
// ones (no FMA contraction: the addon builds with -ffp-contract=off, and the vector code uses
// separate mul/add), so a value's activation never depends on which lane or tail loop computed
// it: the streaming step (one row) and the batched forward (many rows) give bit-identical results.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include "nn_spec.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define NEURION_NN_X86 1
#include <immintrin.h>
#define NEURION_AVX2 __attribute__((target("avx2,fma")))
#else
#define NEURION_NN_X86 0
#endif

namespace neurion::nn {

namespace c {
constexpr float exp_hi = 88.3762626647949f, exp_lo = -88.3762626647949f;
constexpr float log2e = 1.44269504088896341f, c1 = 0.693359375f, c2 = -2.12194440e-4f;
constexpr float p0 = 1.9875691500e-4f, p1 = 1.3981999507e-3f, p2 = 8.3334519073e-3f, p3 = 4.1665795894e-2f,
                p4 = 1.6666665459e-1f, p5 = 5.0000001201e-1f;
constexpr float t0 = -5.70498872745e-3f, t1 = 2.06390887954e-2f, t2 = -5.37397155531e-2f, t3 = 1.33314422036e-1f,
                t4 = -3.33332819422e-1f;
constexpr float tanh_small = 0.625f;
}  // namespace c

// minps/maxps semantics: the second operand when either is NaN.
inline float min_ps1(float a, float b) { return a < b ? a : b; }
inline float max_ps1(float a, float b) { return a > b ? a : b; }

inline float exp_f(float x) {
  x = min_ps1(x, c::exp_hi);
  x = max_ps1(x, c::exp_lo);
  float fx = x * c::log2e;
  fx = fx + 0.5f;
  fx = std::floor(fx);
  const float tmp = fx * c::c1;
  float z = fx * c::c2;
  x = x - tmp;
  x = x - z;
  z = x * x;
  float y = c::p0;
  y = y * x; y = y + c::p1;
  y = y * x; y = y + c::p2;
  y = y * x; y = y + c::p3;
  y = y * x; y = y + c::p4;
  y = y * x; y = y + c::p5;
  y = y * z; y = y + x; y = y + 1.0f;
  int32_t n = static_cast<int32_t>(fx);
  n = (n + 127) << 23;
  float pow2n;
  std::memcpy(&pow2n, &n, 4);
  return y * pow2n;
}

inline float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

inline float tanh_f(float x) {
  const float ax = std::fabs(x);
  float y;
  if (ax < c::tanh_small) {
    const float z = x * x;
    float p = c::t0;
    p = p * z; p = p + c::t1;
    p = p * z; p = p + c::t2;
    p = p * z; p = p + c::t3;
    p = p * z; p = p + c::t4;
    p = p * z; p = p * x;
    y = p + x;
  } else {
    const float e = exp_f(ax + ax);
    y = 1.0f - 2.0f / (e + 1.0f);
    if (x < 0.0f) y = -y;
  }
  return y;
}

inline float hard_sigmoid_f(float x) {
  float y = 0.2f * x;
  y = y + 0.5f;
  y = min_ps1(y, 1.0f);
  return max_ps1(y, 0.0f);
}

inline float relu_f(float x) { return max_ps1(x, 0.0f); }

inline float act_f(Act a, float x) {
  switch (a) {
    case Act::Tanh: return tanh_f(x);
    case Act::Sigmoid: return sigmoid_f(x);
    case Act::HardSigmoid: return hard_sigmoid_f(x);
    case Act::Relu: return relu_f(x);
    default: return x;
  }
}

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
#endif

}  // namespace neurion::nn
