// Recurrent-network inference on the GPU: per-layer metadata, the shared-memory plan of a
// block (host-testable, no CUDA types); the float32 activations come from native/nn/nn_act.h,
// the same __host__ __device__ code the CPU addon runs (the kernels build with --fmad=false; the
// activations' explicit fma1() = __fmaf_rn still fuses, as std::fmaf / vfmadd do on the CPU).
#pragma once
#include <cstdint>
#include <cstring>
#include "../native/nn/nn_act.h"
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

// The scalar activations are native/nn/nn_act.h (shared with the CPU addon, same constants,
// operation order and explicit FMAs: the same bits). Activation codes are nn::Act values (Softmax is applied over the row).
using nn::exp_f;
NN_HD inline float act_f(int a, float x) { return nn::act_f(static_cast<nn::Act>(a), x); }

// Sequences per block for a slot size, within `smem_bytes` (0 when even one does not fit).
inline int slots_for(int per_slot_floats, int64_t smem_bytes, int max_slots) {
  const int64_t fit = smem_bytes / (static_cast<int64_t>(per_slot_floats) * 4);
  return static_cast<int>(fit < max_slots ? fit : max_slots);
}

}  // namespace neurion::cuda::nnk
