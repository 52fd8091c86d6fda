// Argument reading for the nn entry points, shared by the CPU binding (native/ops/nn.cpp) and
// the CUDA binding (kernels/binding.cpp): same checks, same order, same messages, before any
// memory is touched.
//
//   nnForward(model, x, batch, timesteps, out?, threads?)
//     x: Float32Array | Float64Array [batch, T, F]; out: Float32Array | Float64Array (default a
//     new Float64Array) of batch * (T if the output is a sequence, else 1) * units.
#pragma once
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>
#include "../common/args.h"
#include "nn_spec.h"

namespace neurion::nn {

// A Float32Array or Float64Array argument (exactly one of the pointers is set).
struct FloatArg {
  Napi::TypedArray arr;
  const float* f32 = nullptr;
  const double* f64 = nullptr;
  float* w32 = nullptr;
  double* w64 = nullptr;
  size_t length = 0;
};

inline FloatArg float_arg(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  const Napi::Value v = info[i];
  FloatArg a;
  if (v.IsTypedArray()) {
    const auto t = v.As<Napi::TypedArray>().TypedArrayType();
    if (t == napi_float32_array) {
      auto f = v.As<Napi::Float32Array>();
      a.arr = f; a.f32 = f.Data(); a.w32 = f.Data(); a.length = f.ElementLength();
      return a;
    }
    if (t == napi_float64_array) {
      auto f = v.As<Napi::Float64Array>();
      a.arr = f; a.f64 = f.Data(); a.w64 = f.Data(); a.length = f.ElementLength();
      return a;
    }
  }
  args::type_error(info.Env(), std::string(op) + ": " + name + " must be a Float32Array or Float64Array, got " + args::describe(v));
}

// A number as JavaScript prints it (NaN, Infinity, 1e+39).
inline std::string num(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char b[40];
  std::snprintf(b, sizeof b, "%.9g", v);
  return b;
}

// Copies features into float32, rejecting non-finite values and float64 values outside the
// float32 range; `where(i)` names element i in the message.
template <typename Where>
void to_f32(const Napi::Env& env, const FloatArg& a, float* dst, Where where) {
  const double fmax = std::numeric_limits<float>::max();
  for (size_t i = 0; i < a.length; ++i) {
    const double v = a.f32 != nullptr ? static_cast<double>(a.f32[i]) : a.f64[i];
    if (!std::isfinite(v)) args::range_error(env, where(i) + " is not finite (" + num(v) + ")");
    if (std::fabs(v) > fmax) args::range_error(env, where(i) + " = " + num(v) + " is outside the float32 range");
    dst[i] = static_cast<float>(v);
  }
}

struct ForwardCall {
  FloatArg x;
  int64_t batch = 0, T = 0;
  FloatArg out;
  int64_t out_len = 0;
  int threads = 1;
  std::vector<float> xs;     // float32 copy of a Float64Array x
  const float* px = nullptr;  // float32 input, checked finite
};

// Reads arguments 1..5 of nnForward for the model `m` (argument 0, the handle, is the caller's).
inline ForwardCall read_forward(const Napi::CallbackInfo& info, const char* op, const ModelSpec& m) {
  Napi::Env env = info.Env();
  ForwardCall c;
  c.x = float_arg(info, 1, op, "x");
  c.batch = args::integer(info, 2, op, "batch", 1, int64_t{1} << 30);
  c.T = args::integer(info, 3, op, "timesteps", 1, kMaxTimesteps);
  if (m.timesteps != 0 && c.T != m.timesteps)
    args::range_error(env, std::string(op) + ": sequence length mismatch: the model expects " + std::to_string(m.timesteps) +
                               " timesteps, got " + std::to_string(c.T));
  const int64_t F = m.features, T = c.T;
  if (c.batch * T * F > (int64_t{1} << 31))
    args::range_error(env, std::string(op) + ": batch * timesteps * features must be <= 2^31, got " + std::to_string(c.batch * T * F));
  args::length_is(info, c.x.arr, static_cast<size_t>(c.batch * T * F), op, "x", "batch * timesteps * features");
  c.out_len = c.batch * (m.out_sequence ? T : 1) * m.out_units;
  if (args::present(info, 4)) {
    c.out = float_arg(info, 4, op, "out");
    args::length_is(info, c.out.arr, static_cast<size_t>(c.out_len), op, "out",
                    m.out_sequence ? "batch * timesteps * units" : "batch * units");
    args::no_overlap(info, c.out.arr, c.x.arr, op, "out", "x");
  } else {
    Napi::Float64Array o = args::alloc_f64(env, c.out_len, op);
    c.out.arr = o; c.out.w64 = o.Data(); c.out.length = o.ElementLength();
  }
  c.threads = args::present(info, 5) ? static_cast<int>(args::integer(info, 5, op, "threads", 1, 256)) : 1;
  auto where = [&](size_t i) {
    const int64_t ii = static_cast<int64_t>(i);
    return std::string(op) + ": x at batch " + std::to_string(ii / (T * F)) + ", time " + std::to_string((ii / F) % T) +
           ", feature " + std::to_string(ii % F);
  };
  if (c.x.f64 != nullptr) {
    c.xs.resize(c.x.length);
    to_f32(env, c.x, c.xs.data(), where);
    c.px = c.xs.data();
  } else {
    for (size_t i = 0; i < c.x.length; ++i)
      if (!std::isfinite(c.x.f32[i])) args::range_error(env, where(i) + " is not finite (" + num(c.x.f32[i]) + ")");
    c.px = c.x.f32;
  }
  return c;
}

// Float32 overflow (huge inputs or weights) must not pass as a silent Inf/NaN.
inline void check_output_finite(const Napi::Env& env, const char* op, const ForwardCall& c) {
  const int64_t row = c.out_len / c.batch;
  for (int64_t i = 0; i < c.out_len; ++i) {
    const double v = c.out.w32 != nullptr ? static_cast<double>(c.out.w32[i]) : c.out.w64[i];
    if (!std::isfinite(v))
      args::range_error(env, std::string(op) + ": output at batch " + std::to_string(i / row) + ", index " +
                                 std::to_string(i % row) + " is not finite (float32 overflow: inputs or weights too large)");
  }
}

}  // namespace neurion::nn
