// Scalar float32 activations of the recurrent-network core, shared by the CPU addon
// (native/nn/nn_math.h adds the AVX2 and AVX-512 lanes) and the CUDA kernels (kernels/nn.cuh,
// kernels/nn_train.cuh): one definition, so CPU and GPU activations agree to the last bit for
// the same input.
//
// exp: x clamped to [exp_lo, exp_hi], n = floor(x log2e + 0.5) (one FMA), r = x - n ln2 in one
// FMA step (ln2 rounded to float: |r error| <= |n| 1.9e-9, i.e. < 1 ulp of the result for
// |x| < 30), e^r by a degree-7 Horner polynomial (the Cephes expf coefficients, FMA at every
// step), times 2^n. The clamp keeps n in [-126, 127], so 2^n is a normal float and the AVX-512
// lanes may apply it with vscalefps (the same correctly rounded product y * 2^n).
// sigmoid(x) = 1 / (1 + exp(-x)); tanh: odd polynomial (Cephes tanhf, FMA Horner) for
// |x| < 0.625, sign(x) (1 - 2 / (exp(2|x|) + 1)) above (the sign as a sign-bit copy).
// Divisions are IEEE (no reciprocal estimates: those are not reproducible across ISAs / GPU).
//
// Every multiply-add in these polynomials is an explicit fused multiply-add: fma1() below
// (std::fmaf on the host: the hardware instruction through glibc's dispatch, or libm's exact
// software fmaf on a CPU without FMA; __fmaf_rn on the device, which nvcc fuses even under
// --fmad=false), _mm256_fmadd_ps / _mm512_fmadd_ps in nn_math.h. Everything else is a plain
// IEEE operation in a fixed order: the CPU builds with -ffp-contract=off and the CUDA kernels
// with --fmad=false, so nothing else is fused, and every path computes the same bits.
//
// Max error vs float64, dense sweep (native/nn/act_sweep.cpp: every 3rd float32 in [-30, 30],
// 7.4e8 inputs, subnormals included; scalar, AVX2 and AVX-512 agreed on every bit): sigmoid 8.9e-8 absolute, tanh 8.1e-8
// absolute (the contract, as before: < 3e-7 on every gate value; the separate-mul/add version
// measured 8.9e-8 and 7.9e-8 on the same sweep), exp 1.87 ulp relative (was 0.98: the one-step
// range reduction). Inputs beyond the clamp: exp(x > 88) = exp(88), exp(x < -87.5) = exp(-87.5)
// (sigmoid and tanh saturate to within 1e-38 there); NaN gives exp(88) (min/max semantics).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include "../common/hd.h"
#include "nn_spec.h"

namespace neurion::nn {

namespace c {
// 2^n stays normal: floor(exp_hi log2e + 0.5) = 127, floor(exp_lo log2e + 0.5) = -126.
constexpr float exp_hi = 88.0f, exp_lo = -87.5f;
constexpr float log2e = 1.44269504088896341f, ln2 = 0.693147180559945309f;
constexpr float p0 = 1.9875691500e-4f, p1 = 1.3981999507e-3f, p2 = 8.3334519073e-3f, p3 = 4.1665795894e-2f,
                p4 = 1.6666665459e-1f, p5 = 5.0000001201e-1f;
constexpr float t0 = -5.70498872745e-3f, t1 = 2.06390887954e-2f, t2 = -5.37397155531e-2f, t3 = 1.33314422036e-1f,
                t4 = -3.33332819422e-1f;
constexpr float tanh_small = 0.625f;
}  // namespace c

// minps/maxps semantics: the second operand when either is NaN.
NEURION_HD float min_ps1(float a, float b) { return a < b ? a : b; }
NEURION_HD float max_ps1(float a, float b) { return a > b ? a : b; }

// a * b + c with one rounding, on every path.
NEURION_HD float fma1(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return __fmaf_rn(a, b, c);
#else
  return std::fmaf(a, b, c);
#endif
}

NEURION_HD float exp_f(float x) {
  x = min_ps1(x, c::exp_hi);
  x = max_ps1(x, c::exp_lo);
  const float fx = floorf(fma1(x, c::log2e, 0.5f));
  const float r = fma1(-fx, c::ln2, x);
  float y = c::p0;
  y = fma1(y, r, c::p1);
  y = fma1(y, r, c::p2);
  y = fma1(y, r, c::p3);
  y = fma1(y, r, c::p4);
  y = fma1(y, r, c::p5);
  y = fma1(y, r, 1.0f);
  y = fma1(y, r, 1.0f);
  int32_t n = static_cast<int32_t>(fx);
  n = (n + 127) << 23;
  float pow2n;
  std::memcpy(&pow2n, &n, 4);
  return y * pow2n;
}

NEURION_HD float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

NEURION_HD float tanh_f(float x) {
  if (fabsf(x) < c::tanh_small) {  // NaN: the other branch (as the vector compare)
    const float z = x * x;
    float p = c::t0;
    p = fma1(p, z, c::t1);
    p = fma1(p, z, c::t2);
    p = fma1(p, z, c::t3);
    p = fma1(p, z, c::t4);
    p = p * z;
    return fma1(p, x, x);
  }
  const float ax = fabsf(x);
  const float e = exp_f(ax + ax);
  return copysignf(1.0f - 2.0f / (e + 1.0f), x);  // the quotient is >= 0: a sign-bit copy
}

NEURION_HD float hard_sigmoid_f(float x) {
  float y = fma1(0.2f, x, 0.5f);
  y = min_ps1(y, 1.0f);
  return max_ps1(y, 0.0f);
}

NEURION_HD float relu_f(float x) { return max_ps1(x, 0.0f); }

// Linear (and Softmax, which the callers apply over the whole row) pass x through.
NEURION_HD float act_f(Act a, float x) {
  switch (a) {
    case Act::Tanh: return tanh_f(x);
    case Act::Sigmoid: return sigmoid_f(x);
    case Act::HardSigmoid: return hard_sigmoid_f(x);
    case Act::Relu: return relu_f(x);
    default: return x;
  }
}

// d act(x) / dx written in terms of the ACTIVATED value y = act(x), as backpropagation has it;
// shared by the CPU training core (native/nn/train_cpu.cpp) and the CUDA one (kernels/nn_train.cuh).
// Softmax is differentiated per row by the loss; here it (and linear) passes the gradient through.
NEURION_HD float dact_f(Act a, float y) {
  switch (a) {
    case Act::Tanh: return 1.0f - y * y;
    case Act::Sigmoid: return y * (1.0f - y);
    case Act::HardSigmoid: return (y > 0.0f && y < 1.0f) ? 0.2f : 0.0f;
    case Act::Relu: return y > 0.0f ? 1.0f : 0.0f;
    default: return 1.0f;
  }
}

}  // namespace neurion::nn
