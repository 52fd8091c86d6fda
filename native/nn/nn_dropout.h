// Training-time Dropout: one definition of the keep/drop decision, shared by the CPU training
// core (native/nn/train_cpu.cpp), the CUDA training kernels (kernels/nn_train.cu) and mirrored
// bit for bit by the float64 reference (src/models/train/grad-reference.ts, dropoutScale).
//
// Semantics (Keras `Dropout(rate)`, noise_shape null): during training every element of the
// tensor that reaches the NEXT computing layer is kept with probability 1 - rate and scaled by
// 1 / (1 - rate), else zeroed; at inference Dropout is the identity. Consecutive Dropout layers
// combine into one rate 1 - prod(1 - r_i). In the training spec a Dropout is therefore encoded
// as the INPUT dropout rate of the computing layer that follows it (layer index `layer` counts
// computing layers only: LSTM / GRU / Dense, 0-based); a Dropout after the last computing
// layer is refused by the trainers.
//
// The decision is a pure function of (key, window, t, unit, layer), so it is the same on every
// backend, for any thread count or chunking:
//   key     = (k0, k1): per training step, (seed low, seed high) of the step's dropout seed
//   counter = (unit, t, window, 0x44520000 | layer)    one Philox4x32-10 block per element,
//             word 0 -> uniform u = (x + 0.5) 2^-32;  keep iff u >= rate
//   window  = index of the sequence within the batch given to the call (0 .. batch - 1)
//   t       = time step of the element (0 for the input of a layer that sees one vector,
//             i.e. a Dense after a recurrent layer with return_sequences = false)
//   unit    = feature / unit index of the element within its row
// The tag 0x44520000 ("DR") keeps these counters apart from the Monte Carlo streams.
#pragma once
#include <cstdint>
#include "../common/hd.h"
#include "../common/philox.h"

namespace neurion::nn {

constexpr uint32_t kDropoutTag = 0x44520000u;

// 0 (dropped) or 1 / (1 - rate) (kept); rate in [0, 1). rate == 0 -> 1 without drawing.
NEURION_HD float dropout_scale(uint32_t k0, uint32_t k1, uint32_t window, uint32_t t, uint32_t unit,
                               uint32_t layer, float rate) {
  if (rate <= 0.0f) return 1.0f;
  const Philox4x32 b = philox4x32_10(unit, t, window, kDropoutTag | layer, k0, k1);
  const double u = philox_u01(b.v[0]);
  return u >= static_cast<double>(rate) ? 1.0f / (1.0f - rate) : 0.0f;
}

}  // namespace neurion::nn
