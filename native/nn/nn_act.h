// Scalar float32 activations of the recurrent-network core, shared by the CPU addon
// (native/nn/nn_math.h adds the AVX2 lanes) and the CUDA kernels (kernels/nn.cuh): one
// definition, so CPU and GPU activations agree to the last bit for the same input.
//
// exp is Cephes expf (range reduction to [-ln2/2, ln2/2], degree-6 polynomial; ~1-2 ulp over
// the clamped range), sigmoid(x) = 1 / (1 + exp(-x)), tanh is Cephes tanhf (odd polynomial for
// |x| < 0.625, 1 - 2 / (exp(2|x|) + 1) above). Plain IEEE operations in a fixed order: the CPU
// builds with -ffp-contract=off and the CUDA kernels with --fmad=false, so nothing is fused.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include "../common/hd.h"
#include "nn_spec.h"

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
NEURION_HD float min_ps1(float a, float b) { return a < b ? a : b; }
NEURION_HD float max_ps1(float a, float b) { return a > b ? a : b; }

NEURION_HD float exp_f(float x) {
  x = min_ps1(x, c::exp_hi);
  x = max_ps1(x, c::exp_lo);
  float fx = x * c::log2e;
  fx = fx + 0.5f;
  fx = floorf(fx);
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

NEURION_HD float sigmoid_f(float x) { return 1.0f / (1.0f + exp_f(-x)); }

NEURION_HD float tanh_f(float x) {
  const float ax = fabsf(x);
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

NEURION_HD float hard_sigmoid_f(float x) {
  float y = 0.2f * x;
  y = y + 0.5f;
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

}  // namespace neurion::nn
