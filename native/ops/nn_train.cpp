// Recurrent-network training, CPU addon entry point (core in native/nn/train_cpu.*).
//
//   nnTrainGrad(spec, params, xs, starts, timesteps, loss, target, sampleWeight?, grads?, outputs?, threads?,
//               dropout?, dropoutKey?) -> loss
//     spec     Int32Array   the model description (native/nn/nn_spec.h; src/models/native.ts encodeModel)
//     params   Float32Array the weights, flat in manifest order
//     xs       Float32Array feature rows [rows, F]; window b is rows starts[b] .. starts[b] + T - 1
//     starts   Int32Array   [batch]
//     loss     0 = softmax cross-entropy (target: class index per window), 1 = MSE (target [batch, units])
//     target   Float64Array
//     sampleWeight Float64Array [batch] | null
//     grads    Float64Array [params.length] (overwritten with d mean-loss / d params) | null: forward only
//     outputs  Float64Array [batch, units] | null (softmax probabilities for cross-entropy)
//     threads  1..256 (default 1); the result does not depend on it
//     dropout  Float32Array [computing layers] | null: the INPUT dropout rate of each computing
//              layer (LSTM / GRU / Dense, in spec order), each in [0, 1); training-time Keras
//              Dropout, keep/drop per (window, t, unit, layer) as in native/nn/nn_dropout.h
//     dropoutKey Uint32Array [2]: the step's dropout key (k0, k1); required with dropout
//   Returns the mean (sample-weighted) loss. Every argument is checked before any memory is
//   touched: TypeError for a wrong type, RangeError naming the argument, index and value
//   (native/nn/train_args.h, shared with the CUDA addon's nnTrainGrad).
//
//   nnTrainInfo() -> { chunk, simd, accumulation }
#include <cmath>
#include <limits>
#include <string>

#include "../common/args.h"
#include "../nn/nn_spec.h"
#include "../nn/train_args.h"
#include "../nn/train_cpu.h"
#include "ops.h"

namespace neurion {

namespace {

namespace nn = neurion::nn;
namespace tr = neurion::nn::train;

Napi::Value TrainGrad(const Napi::CallbackInfo& info) {
  const char* op = "nn.trainGrad";
  Napi::Env env = info.Env();
  // validation shared with the CUDA addon (kernels/binding.cpp)
  nn::TrainCall c = nn::parse_train_call(info, op);
  const tr::GradJob job = c.job();
  double result = 0.0;
  try {
    result = tr::loss_and_grads(job);
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(op) + ": out of memory for the training workspace");
  }
  return Napi::Number::New(env, result);
}

Napi::Value TrainInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("chunk", tr::kChunk);
  o.Set("simd", tr::simd_name());
  o.Set("accumulation", "float32 per chunk of sequences, float64 across chunks (fixed order)");
  return o;
}

}  // namespace

void register_nn_train(Napi::Env env, Napi::Object exports) {
  exports.Set("nnTrainGrad", Napi::Function::New(env, TrainGrad, "nnTrainGrad"));
  exports.Set("nnTrainInfo", Napi::Function::New(env, TrainInfo, "nnTrainInfo"));
}

}  // namespace neurion
