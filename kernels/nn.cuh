// Recurrent-network inference on the GPU: per-layer metadata, the shared-memory plan of a
// block (host-testable, no CUDA types) and the float32 activations as __host__ __device__
// functions with exactly the constants and operation order of native/nn/nn_math.h (Cephes
// expf / tanhf), so the CPU and GPU activations agree to the last bit when given the same
// input (the kernels build with --fmad=false).
#pragma once
#include <cstdint>
#include <cstring>
#include "../native/nn/nn_spec.h"

#if defined(__CUDACC__)
#define NN_HD __host__ __device__
#else
#define NN_HD
#endif

namespace neurion::cuda::nnk {

// One layer as the kernel reads it (offsets in floats: weights in global memory, state and
// scratch in the block's shared memory, per sequence slot).
struct DevLayer {
  int kind, units, in, act, rec_act, return_sequences, use_bias, reset_after;
  int64_t kernel, recurrent, bias;  // weight offsets (-1: absent)
  int h, c, y;                      // shared-memory offsets of this layer's state / output within a slot (-1: none)
};

constexpr int kMaxDevLayers = nn::kMaxLayers;

struct SmemPlan {
  int per_slot = 0;  // floats per sequence slot: x_t, every layer's h/c/y, two gate rows, a temp row
  int x = 0, g = 0, g2 = 0, tmp = 0;  // offsets within a slot
  int gmax = 0;      // widest gate row
};

// Shared-memory layout of one sequence slot; fills the per-layer offsets.
inline SmemPlan plan_smem(const nn::ModelSpec& m, DevLayer* layers) {
  SmemPlan p;
  int off = 0;
  p.x = off; off += m.features;
  int umax = 1;
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const nn::LayerSpec& s = m.layers[l];
    DevLayer& d = layers[l];
    d.kind = static_cast<int>(s.kind); d.units = s.units; d.in = s.input_dim;
    d.act = static_cast<int>(s.act); d.rec_act = static_cast<int>(s.rec_act);
    d.return_sequences = s.return_sequences; d.use_bias = s.use_bias; d.reset_after = s.reset_after;
    d.kernel = s.kernel; d.recurrent = s.recurrent; d.bias = s.bias;
    d.h = d.c = d.y = -1;
    if (s.kind == nn::Kind::Dense) { d.y = off; off += s.units; }
    else { d.h = off; off += s.units; }
    if (s.kind == nn::Kind::LSTM) { d.c = off; off += s.units; }
    p.gmax = p.gmax > s.gates() * s.units ? p.gmax : s.gates() * s.units;
    umax = umax > s.units ? umax : s.units;
  }
  p.g = off; off += p.gmax;
  p.g2 = off; off += p.gmax;
  p.tmp = off; off += umax;
  p.per_slot = off;
  return p;
}

namespace k {
constexpr float exp_hi = 88.3762626647949f, exp_lo = -88.3762626647949f;
constexpr float log2e = 1.44269504088896341f, c1 = 0.693359375f, c2 = -2.12194440e-4f;
constexpr float p0 = 1.9875691500e-4f, p1 = 1.3981999507e-3f, p2 = 8.3334519073e-3f, p3 = 4.1665795894e-2f,
                p4 = 1.6666665459e-1f, p5 = 5.0000001201e-1f;
constexpr float t0 = -5.70498872745e-3f, t1 = 2.06390887954e-2f, t2 = -5.37397155531e-2f, t3 = 1.33314422036e-1f,
                t4 = -3.33332819422e-1f;
}  // namespace k

NN_HD inline float min1(float a, float b) { return a < b ? a : b; }
NN_HD inline float max1(float a, float b) { return a > b ? a : b; }

NN_HD inline float exp_f(float x) {
  x = min1(x, k::exp_hi);
  x = max1(x, k::exp_lo);
  float fx = x * k::log2e;
  fx = fx + 0.5f;
  fx = floorf(fx);
  const float tmp = fx * k::c1;
  float z = fx * k::c2;
  x = x - tmp;
  x = x - z;
  z = x * x;
  float y = k::p0;
  y = y * x; y = y + k::p1;
  y = y * x; y = y + k::p2;
  y = y * x; y = y + k::p3;
  y = y * x; y = y + k::p4;
  y = y * x; y = y + k::p5;
  y = y * z; y = y + x; y = y + 1.0f;
  const int32_t n = (static_cast<int32_t>(fx) + 127) << 23;
  float pow2n;
  std::memcpy(&pow2n, &n, 4);
  return y * pow2n;
}

NN_HD inline float tanh_f(float x) {
  const float ax = fabsf(x);
  if (ax < 0.625f) {
    const float z = x * x;
    float p = k::t0;
    p = p * z; p = p + k::t1;
    p = p * z; p = p + k::t2;
    p = p * z; p = p + k::t3;
    p = p * z; p = p + k::t4;
    p = p * z; p = p * x;
    return p + x;
  }
  const float e = exp_f(ax + ax);
  const float y = 1.0f - 2.0f / (e + 1.0f);
  return x < 0.0f ? -y : y;
}

NN_HD inline float act_f(int a, float x) {
  switch (a) {
    case 1: return tanh_f(x);
    case 2: return 1.0f / (1.0f + exp_f(-x));
    case 3: { float y = 0.2f * x; y = y + 0.5f; return max1(min1(y, 1.0f), 0.0f); }
    case 4: return max1(x, 0.0f);
    default: return x;
  }
}

// Sequences per block for a slot size, within `smem_bytes` (0 when even one does not fit).
inline int slots_for(int per_slot_floats, int64_t smem_bytes, int max_slots) {
  const int64_t fit = smem_bytes / (static_cast<int64_t>(per_slot_floats) * 4);
  return static_cast<int>(fit < max_slots ? fit : max_slots);
}

}  // namespace neurion::cuda::nnk
