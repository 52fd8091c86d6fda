// Argument reading and validation of nnTrainGrad, shared by the CPU addon (native/ops/nn_train.cpp)
// and the CUDA addon (kernels/binding.cpp): same checks, same order, same messages, before any
// memory is touched (TypeError for a wrong type, RangeError naming the argument, index and value).
//
//   nnTrainGrad(spec, params, xs, starts, timesteps, loss, target, sampleWeight?, grads?, outputs?, threads?,
//               dropout?, dropoutKey?) -> loss
//   (arguments documented in native/ops/nn_train.cpp)
#pragma once
#include <cmath>
#include <cstdint>
#include <string>

#include "../common/args.h"
#include "nn_args.h"
#include "nn_spec.h"
#include "train_cpu.h"

namespace neurion::nn {

// The validated arguments of one nnTrainGrad call (the typed arrays keep their memory alive).
struct TrainCall {
  ModelSpec m;
  Napi::Int32Array spec;
  Napi::Float32Array params, xs;
  Napi::Int32Array starts;
  Napi::Float64Array target, sw, grads, outputs;
  Napi::Float32Array dropout;
  Napi::Uint32Array dropout_key;
  bool has_sw = false, has_grads = false, has_out = false, has_dropout = false;
  int64_t T = 0, rows = 0, batch = 0;
  train::Loss loss = train::Loss::CrossEntropy;
  int threads = 1;

  // The CPU core's job for these arguments.
  train::GradJob job() {
    train::GradJob j;
    j.spec = &m;
    j.params = params.Data();
    j.xs = xs.Data();
    j.x_rows = rows;
    j.starts = starts.Data();
    j.batch = batch;
    j.T = static_cast<int>(T);
    j.loss = loss;
    j.target = target.Data();
    j.sample_weight = has_sw ? sw.Data() : nullptr;
    j.grads = has_grads ? grads.Data() : nullptr;
    j.outputs = has_out ? outputs.Data() : nullptr;
    j.threads = threads;
    if (has_dropout) {
      j.dropout = dropout.Data();
      j.dropout_k0 = dropout_key.Data()[0];
      j.dropout_k1 = dropout_key.Data()[1];
    }
    return j;
  }
};

namespace train_args_detail {
inline Napi::Float64Array optional_f64(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, bool* present) {
  *present = args::present(info, i);
  if (!*present) return Napi::Float64Array();
  return args::f64(info, i, op, name);
}
}  // namespace train_args_detail

// Reads and checks every argument of nnTrainGrad (op: the name in the messages, "nn.trainGrad").
inline TrainCall parse_train_call(const Napi::CallbackInfo& info, const char* op) {
  namespace tr = train;
  using train_args_detail::optional_f64;
  Napi::Env env = info.Env();
  TrainCall c;
  c.spec = args::typed<int32_t, napi_int32_array>(info, 0, op, "spec", "Int32Array");
  c.params = args::typed<float, napi_float32_array>(info, 1, op, "params", "Float32Array");
  c.xs = args::typed<float, napi_float32_array>(info, 2, op, "xs", "Float32Array");
  c.starts = args::typed<int32_t, napi_int32_array>(info, 3, op, "starts", "Int32Array");
  c.T = args::integer(info, 4, op, "timesteps", 1, nn::kMaxTimesteps);
  const int64_t loss_code = args::integer(info, 5, op, "loss", 0, 1);
  c.target = args::f64(info, 6, op, "target");
  c.sw = optional_f64(info, 7, op, "sampleWeight", &c.has_sw);
  c.grads = optional_f64(info, 8, op, "grads", &c.has_grads);
  c.outputs = optional_f64(info, 9, op, "outputs", &c.has_out);
  c.threads = args::present(info, 10) ? static_cast<int>(args::integer(info, 10, op, "threads", 1, 256)) : 1;
  c.has_dropout = args::present(info, 11);
  if (c.has_dropout) {
    c.dropout = args::typed<float, napi_float32_array>(info, 11, op, "dropout", "Float32Array");
    if (!args::present(info, 12))
      args::type_error(env, std::string(op) + ": dropoutKey must be a Uint32Array of length 2 when dropout is given, got " +
                                args::describe(info.Length() > 12 ? info[12] : env.Undefined()));
    c.dropout_key = args::u32(info, 12, op, "dropoutKey");
    args::length_is(info, c.dropout_key, 2, op, "dropoutKey", "the step's key k0, k1");
  }

  std::string err = nn::parse_spec(op, c.spec.Data(), static_cast<int64_t>(c.spec.ElementLength()),
                                   static_cast<int64_t>(c.params.ElementLength()), &c.m);
  if (!err.empty()) args::range_error(env, err);
  c.loss = loss_code == 0 ? tr::Loss::CrossEntropy : tr::Loss::MSE;
  err = tr::check_trainable(c.m, c.loss);
  if (!err.empty()) args::range_error(env, std::string(op) + ": " + err);
  if (c.m.timesteps != 0 && c.m.timesteps != c.T)
    args::range_error(env, std::string(op) + ": sequence length mismatch: the model expects " + std::to_string(c.m.timesteps) +
                               " timesteps, got " + std::to_string(c.T));
  if (c.has_dropout) {
    args::length_is(info, c.dropout, c.m.layers.size(), op, "dropout", "one input rate per LSTM / GRU / Dense layer");
    const float* dr = c.dropout.Data();
    for (size_t l = 0; l < c.m.layers.size(); ++l)
      if (!(dr[l] >= 0.0f && dr[l] < 1.0f))
        args::range_error(env, std::string(op) + ": dropout[" + std::to_string(l) + "] must be a rate in [0, 1), got " + num(dr[l]));
  }
  std::string what;
  const int64_t bad = nn::first_nonfinite_weight(c.m, c.params.Data(), &what);
  if (bad >= 0) args::range_error(env, std::string(op) + ": weight " + what + " is not finite (" + num(c.params.Data()[bad]) + ")");

  const int64_t F = c.m.features;
  const int64_t xlen = static_cast<int64_t>(c.xs.ElementLength());
  if (xlen % F != 0)
    args::range_error(env, std::string(op) + ": xs length must be a multiple of the feature count " + std::to_string(F) + ", got " + std::to_string(xlen));
  c.rows = xlen / F;
  c.batch = static_cast<int64_t>(c.starts.ElementLength());
  if (c.batch < 1) args::range_error(env, std::string(op) + ": starts must hold at least one window, got 0");
  const int32_t* st = c.starts.Data();
  for (int64_t b = 0; b < c.batch; ++b)
    if (st[b] < 0 || int64_t{st[b]} + c.T > c.rows)
      args::range_error(env, std::string(op) + ": starts[" + std::to_string(b) + "] = " + std::to_string(st[b]) +
                                 " must be in [0, " + std::to_string(c.rows - c.T) + "] (rows " + std::to_string(c.rows) + ", timesteps " + std::to_string(c.T) + ")");
  const float* xd = c.xs.Data();
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t t = 0; t < c.T; ++t)
      for (int64_t f = 0; f < F; ++f) {
        const float v = xd[(st[b] + t) * F + f];
        if (!(v - v == 0.0f))
          args::range_error(env, std::string(op) + ": xs at window " + std::to_string(b) + ", time " + std::to_string(t) + ", feature " +
                                     std::to_string(f) + " is not finite (" + num(v) + ")");
      }
  const int64_t units = c.m.out_units;
  const double* tg = c.target.Data();
  if (c.loss == tr::Loss::CrossEntropy) {
    args::length_is(info, c.target, static_cast<size_t>(c.batch), op, "target", "one class index per window");
    for (int64_t b = 0; b < c.batch; ++b)
      if (!(tg[b] >= 0 && tg[b] < static_cast<double>(units) && std::floor(tg[b]) == tg[b]))
        args::range_error(env, std::string(op) + ": target[" + std::to_string(b) + "] must be a class index in [0, " + std::to_string(units - 1) + "], got " + num(tg[b]));
  } else {
    args::length_is(info, c.target, static_cast<size_t>(c.batch * units), op, "target", "batch * output units");
    for (int64_t i = 0; i < c.batch * units; ++i)
      if (!std::isfinite(tg[i])) args::range_error(env, std::string(op) + ": target[" + std::to_string(i) + "] is not finite (" + num(tg[i]) + ")");
  }
  if (c.has_sw) {
    args::length_is(info, c.sw, static_cast<size_t>(c.batch), op, "sampleWeight", "one weight per window");
    for (int64_t b = 0; b < c.batch; ++b)
      if (!(std::isfinite(c.sw.Data()[b]) && c.sw.Data()[b] >= 0))
        args::range_error(env, std::string(op) + ": sampleWeight[" + std::to_string(b) + "] must be finite and >= 0, got " + num(c.sw.Data()[b]));
  }
  if (c.has_grads) {
    args::length_is(info, c.grads, static_cast<size_t>(c.m.weights_len), op, "grads", "one per parameter");
    args::no_overlap(info, c.grads, c.target, op, "grads", "target");
    if (c.has_sw) args::no_overlap(info, c.grads, c.sw, op, "grads", "sampleWeight");
  }
  if (c.has_out) {
    args::length_is(info, c.outputs, static_cast<size_t>(c.batch * units), op, "outputs", "batch * output units");
    args::no_overlap(info, c.outputs, c.target, op, "outputs", "target");
    if (c.has_sw) args::no_overlap(info, c.outputs, c.sw, op, "outputs", "sampleWeight");
    if (c.has_grads) args::no_overlap(info, c.outputs, c.grads, op, "outputs", "grads");
  }

  return c;
}

}  // namespace neurion::nn
