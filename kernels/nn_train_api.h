// Interface between kernels/binding.cpp (host C++, no CUDA types) and kernels/nn_train.cu:
// recurrent-network training (loss, gradients, outputs) on the GPU. Host pointers only; the
// arguments are validated by the binding (native/nn/train_args.h, shared with the CPU addon).
#pragma once
#include <cstdint>
#include <string>
#include "../native/nn/nn_spec.h"

namespace neurion::cuda {

struct TrainGradJob {
  const nn::ModelSpec* spec = nullptr;  // validated, trainable (train::check_trainable)
  const float* params = nullptr;        // spec->weights_len floats
  const float* xs = nullptr;            // feature rows [x_rows, F]
  int64_t x_rows = 0;
  const int32_t* starts = nullptr;      // window b = rows starts[b] .. starts[b] + T - 1
  int64_t batch = 0;
  int T = 0;
  int mse = 0;                          // 0: softmax cross-entropy, 1: MSE
  const double* target = nullptr;       // CE: [batch] class indices; MSE: [batch, units]
  const double* sample_weight = nullptr;  // [batch] or null
  double* grads = nullptr;              // [weights_len] (overwritten) or null: forward only
  double* outputs = nullptr;            // [batch, units] or null
  const float* dropout = nullptr;       // [layers] input dropout rate per computing layer, or null
  uint32_t k0 = 0, k1 = 0;              // dropout key (native/nn/nn_dropout.h)
};

// Returns the mean (sample-weighted) loss. Throws cuda::Error on a device failure.
double nn_train_grad(const TrainGradJob& job);

// Sequences per device chunk for a model and length (no device needed), the largest chunk, and
// the description of the numerics, for nnTrainInfo.
int64_t nn_train_chunk_rows(const nn::ModelSpec& m, int T, int64_t batch);
int64_t nn_train_max_chunk_rows();
const char* nn_train_accumulation();

}  // namespace neurion::cuda
