// CPU training core for Sequential LSTM / GRU / Dense models: forward with caches,
// backpropagation through time, softmax cross-entropy / MSE losses (native/ops/nn_train.cpp
// binds it; src/models/train/grad-reference.ts is the float64 reference it is checked against).
//
// NUMERICS
//   weights, activations and the per-chunk gradients are float32 (FMA GEMMs, ascending k);
//   the batch is cut into FIXED chunks of kChunk sequences (independent of the thread count),
//   each chunk's gradient is computed into its own float32 buffer, and the chunk buffers are
//   summed into the float64 result in chunk order. The loss is summed in float64 in the same
//   order. So the result is bit-identical for any thread count (tests/models.train.native.test.ts).
//
// PARALLELISM
//   chunks are split statically over `threads` std::threads (common/parallel.h); each thread
//   owns one workspace (per-layer caches for one chunk: O(kChunk * T * gates * units)).
//
// LAYOUT inside a chunk: time-major, [T][R][width] with R = rows in the chunk; the input
//   projection x W + b of a layer runs as ONE GEMM over all T * R rows, the recurrent product
//   h U step by step; in the backward pass only dA_t U^T is sequential, dW = X^T dA,
//   dU = H^T dA, db and dX = dA W^T are single GEMMs over the whole chunk.
//
// DROPOUT (training only; contract and keep/drop decision in nn_dropout.h)
//   `dropout` holds the INPUT dropout rate of every computing layer (Keras Dropout layers folded
//   into the layer that follows them). For a layer with rate > 0 the forward pass multiplies its
//   input element (window b, t, unit) by dropout_scale(k0, k1, b, t, unit, layer, rate) (0 or
//   1 / (1 - rate)) into a per-layer copy (Xd, the scales in Md), the weight gradients use that
//   copy, and the gradient handed to the layer below is multiplied by the same scales. Window b
//   is the index in `starts` (global, not chunk-relative), t = 0 for a Dense layer's input, so the
//   mask does not depend on chunking or the thread count.
#pragma once
#include <cstdint>
#include <string>
#include "nn_spec.h"

namespace neurion::nn::train {

constexpr int kChunk = 16;

enum class Loss : int32_t { CrossEntropy = 0, MSE = 1 };

struct GradJob {
  const ModelSpec* spec = nullptr;
  const float* params = nullptr;      // spec->weights_len floats
  const float* xs = nullptr;          // feature rows [x_rows, F]
  int64_t x_rows = 0;
  const int32_t* starts = nullptr;    // window b = rows starts[b] .. starts[b] + T - 1
  int64_t batch = 0;
  int T = 0;
  Loss loss = Loss::CrossEntropy;
  const double* target = nullptr;     // CE: class per sequence [batch]; MSE: [batch, units]
  const double* sample_weight = nullptr;  // [batch] or null
  double* grads = nullptr;            // [weights_len] (overwritten) or null: forward only
  double* outputs = nullptr;          // [batch, units] or null (softmax probabilities for CE)
  int threads = 1;
  const float* dropout = nullptr;     // [spec->layers.size()] input dropout rate per computing layer, each in [0, 1); null: none
  uint32_t dropout_k0 = 0, dropout_k1 = 0;  // the step's dropout key (nn_dropout.h)
};

// "" when the model can be trained here, else the reason (a RangeError's text after "op: ").
std::string check_trainable(const ModelSpec& spec, Loss loss);

// Runs the job; returns the mean (sample-weighted) loss over the batch.
double loss_and_grads(const GradJob& job);

// Which SIMD path runs ("avx+fma" or "scalar").
const char* simd_name();

}  // namespace neurion::nn::train
