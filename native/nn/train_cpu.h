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
};

// "" when the model can be trained here, else the reason (a RangeError's text after "op: ").
std::string check_trainable(const ModelSpec& spec, Loss loss);

// Runs the job; returns the mean (sample-weighted) loss over the batch.
double loss_and_grads(const GradJob& job);

// Which SIMD path runs ("avx+fma" or "scalar").
const char* simd_name();

}  // namespace neurion::nn::train
