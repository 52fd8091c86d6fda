// Interface between kernels/binding.cpp (host C++, no CUDA types) and kernels/nn_train.cu:
// recurrent-network training (loss, gradients, outputs) on the GPU. Host pointers only; the
// arguments are validated by the binding (native/nn/train_args.h, shared with the CPU addon).
#pragma once
#include <cstdint>
#include <string>
#include "../native/nn/nn_spec.h"
#include "../native/nn/train_cpu.h"  // train::GradJob: the job the CPU core takes, built by train_args.h

namespace neurion::cuda {


// The CPU core's job (`threads` ignored). Returns the mean (sample-weighted) loss. Throws
// cuda::Error on a device failure.
double nn_train_grad(const nn::train::GradJob& job);

// Sequences per device chunk for a model and length (no device needed), the largest chunk, and
// the description of the numerics, for nnTrainInfo.
int64_t nn_train_chunk_rows(const nn::ModelSpec& m, int T, int64_t batch);
int64_t nn_train_max_chunk_rows();
const char* nn_train_accumulation();

}  // namespace neurion::cuda
