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
//   touched: TypeError for a wrong type, RangeError naming the argument, index and value.
//
//   nnTrainInfo() -> { chunk, simd, accumulation }
#include <cmath>
#include <limits>
#include <string>

#include "../common/args.h"
#include "../nn/nn_spec.h"
#include "../nn/train_cpu.h"
#include "ops.h"

namespace neurion {

namespace {

namespace nn = neurion::nn;
namespace tr = neurion::nn::train;

std::string fmt(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char b[40];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

Napi::Float64Array optional_f64(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, bool* present) {
  *present = args::present(info, i);
  if (!*present) return Napi::Float64Array();
  return args::f64(info, i, op, name);
}

Napi::Value TrainGrad(const Napi::CallbackInfo& info) {
  const char* op = "nn.trainGrad";
  Napi::Env env = info.Env();
  auto spec = args::typed<int32_t, napi_int32_array>(info, 0, op, "spec", "Int32Array");
  auto params = args::typed<float, napi_float32_array>(info, 1, op, "params", "Float32Array");
  auto xs = args::typed<float, napi_float32_array>(info, 2, op, "xs", "Float32Array");
  auto starts = args::typed<int32_t, napi_int32_array>(info, 3, op, "starts", "Int32Array");
  const int64_t T = args::integer(info, 4, op, "timesteps", 1, nn::kMaxTimesteps);
  const int64_t loss_code = args::integer(info, 5, op, "loss", 0, 1);
  auto target = args::f64(info, 6, op, "target");
  bool has_sw = false, has_grads = false, has_out = false;
  auto sw = optional_f64(info, 7, op, "sampleWeight", &has_sw);
  auto grads = optional_f64(info, 8, op, "grads", &has_grads);
  auto outputs = optional_f64(info, 9, op, "outputs", &has_out);
  const int threads = args::present(info, 10) ? static_cast<int>(args::integer(info, 10, op, "threads", 1, 256)) : 1;
  const bool has_dropout = args::present(info, 11);
  Napi::Float32Array dropout;
  Napi::Uint32Array dropout_key;
  if (has_dropout) {
    dropout = args::typed<float, napi_float32_array>(info, 11, op, "dropout", "Float32Array");
    if (!args::present(info, 12))
      args::type_error(env, std::string(op) + ": dropoutKey must be a Uint32Array of length 2 when dropout is given, got " +
                                args::describe(info.Length() > 12 ? info[12] : env.Undefined()));
    dropout_key = args::u32(info, 12, op, "dropoutKey");
    args::length_is(info, dropout_key, 2, op, "dropoutKey", "the step's key k0, k1");
  }

  nn::ModelSpec m;
  std::string err = nn::parse_spec(op, spec.Data(), static_cast<int64_t>(spec.ElementLength()),
                                   static_cast<int64_t>(params.ElementLength()), &m);
  if (!err.empty()) args::range_error(env, err);
  const tr::Loss loss = loss_code == 0 ? tr::Loss::CrossEntropy : tr::Loss::MSE;
  err = tr::check_trainable(m, loss);
  if (!err.empty()) args::range_error(env, std::string(op) + ": " + err);
  if (m.timesteps != 0 && m.timesteps != T)
    args::range_error(env, std::string(op) + ": sequence length mismatch: the model expects " + std::to_string(m.timesteps) +
                               " timesteps, got " + std::to_string(T));
  if (has_dropout) {
    args::length_is(info, dropout, m.layers.size(), op, "dropout", "one input rate per LSTM / GRU / Dense layer");
    const float* dr = dropout.Data();
    for (size_t l = 0; l < m.layers.size(); ++l)
      if (!(dr[l] >= 0.0f && dr[l] < 1.0f))
        args::range_error(env, std::string(op) + ": dropout[" + std::to_string(l) + "] must be a rate in [0, 1), got " + fmt(dr[l]));
  }
  std::string what;
  const int64_t bad = nn::first_nonfinite_weight(m, params.Data(), &what);
  if (bad >= 0) args::range_error(env, std::string(op) + ": weight " + what + " is not finite (" + fmt(params.Data()[bad]) + ")");

  const int64_t F = m.features;
  const int64_t xlen = static_cast<int64_t>(xs.ElementLength());
  if (xlen % F != 0)
    args::range_error(env, std::string(op) + ": xs length must be a multiple of the feature count " + std::to_string(F) + ", got " + std::to_string(xlen));
  const int64_t rows = xlen / F;
  const int64_t batch = static_cast<int64_t>(starts.ElementLength());
  if (batch < 1) args::range_error(env, std::string(op) + ": starts must hold at least one window, got 0");
  const int32_t* st = starts.Data();
  for (int64_t b = 0; b < batch; ++b)
    if (st[b] < 0 || int64_t{st[b]} + T > rows)
      args::range_error(env, std::string(op) + ": starts[" + std::to_string(b) + "] = " + std::to_string(st[b]) +
                                 " must be in [0, " + std::to_string(rows - T) + "] (rows " + std::to_string(rows) + ", timesteps " + std::to_string(T) + ")");
  const float* xd = xs.Data();
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t f = 0; f < F; ++f) {
        const float v = xd[(st[b] + t) * F + f];
        if (!(v - v == 0.0f))
          args::range_error(env, std::string(op) + ": xs at window " + std::to_string(b) + ", time " + std::to_string(t) + ", feature " +
                                     std::to_string(f) + " is not finite (" + fmt(v) + ")");
      }
  const int64_t units = m.out_units;
  const double* tg = target.Data();
  if (loss == tr::Loss::CrossEntropy) {
    args::length_is(info, target, static_cast<size_t>(batch), op, "target", "one class index per window");
    for (int64_t b = 0; b < batch; ++b)
      if (!(tg[b] >= 0 && tg[b] < static_cast<double>(units) && std::floor(tg[b]) == tg[b]))
        args::range_error(env, std::string(op) + ": target[" + std::to_string(b) + "] must be a class index in [0, " + std::to_string(units - 1) + "], got " + fmt(tg[b]));
  } else {
    args::length_is(info, target, static_cast<size_t>(batch * units), op, "target", "batch * output units");
    for (int64_t i = 0; i < batch * units; ++i)
      if (!std::isfinite(tg[i])) args::range_error(env, std::string(op) + ": target[" + std::to_string(i) + "] is not finite (" + fmt(tg[i]) + ")");
  }
  if (has_sw) {
    args::length_is(info, sw, static_cast<size_t>(batch), op, "sampleWeight", "one weight per window");
    for (int64_t b = 0; b < batch; ++b)
      if (!(std::isfinite(sw.Data()[b]) && sw.Data()[b] >= 0))
        args::range_error(env, std::string(op) + ": sampleWeight[" + std::to_string(b) + "] must be finite and >= 0, got " + fmt(sw.Data()[b]));
  }
  if (has_grads) {
    args::length_is(info, grads, static_cast<size_t>(m.weights_len), op, "grads", "one per parameter");
    args::no_overlap(info, grads, target, op, "grads", "target");
    if (has_sw) args::no_overlap(info, grads, sw, op, "grads", "sampleWeight");
  }
  if (has_out) {
    args::length_is(info, outputs, static_cast<size_t>(batch * units), op, "outputs", "batch * output units");
    args::no_overlap(info, outputs, target, op, "outputs", "target");
    if (has_sw) args::no_overlap(info, outputs, sw, op, "outputs", "sampleWeight");
    if (has_grads) args::no_overlap(info, outputs, grads, op, "outputs", "grads");
  }

  tr::GradJob job;
  job.spec = &m;
  job.params = params.Data();
  job.xs = xd;
  job.x_rows = rows;
  job.starts = st;
  job.batch = batch;
  job.T = static_cast<int>(T);
  job.loss = loss;
  job.target = tg;
  job.sample_weight = has_sw ? sw.Data() : nullptr;
  job.grads = has_grads ? grads.Data() : nullptr;
  job.outputs = has_out ? outputs.Data() : nullptr;
  job.threads = threads;
  if (has_dropout) {
    job.dropout = dropout.Data();
    job.dropout_k0 = dropout_key.Data()[0];
    job.dropout_k1 = dropout_key.Data()[1];
  }
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
