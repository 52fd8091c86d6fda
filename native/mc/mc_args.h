// Argument reading and validation of mcSimulate, shared by the CPU binding (native/ops/mc.cpp)
// and the CUDA binding (kernels/binding.cpp): the same checks, in the same order, with the
// same messages, before any memory is touched.
//
//   mcSimulate(model, params: Float64Array, data: Float64Array, key: Uint32Array(2), pathOffset,
//              paths, steps, dt, spec: Float64Array(8), out?: Float64Array, threads?) -> Float64Array
#pragma once
#include <string>
#include <vector>
#include "../common/args.h"
#include "mc_acc.h"
#include "mc_model.h"
#include "mc_prepare.h"

namespace neurion::mc {

struct SimulateCall {
  Model model;
  std::vector<double> aux;
  uint32_t k0 = 0, k1 = 0;
  int64_t path_offset = 0, paths = 0, steps = 0;
  double spec[kSpecLength];
  Napi::Float64Array out;
  int threads = 1;
};

inline SimulateCall read_simulate_args(const Napi::CallbackInfo& info) {
  const char* op = "mc.simulate";
  Napi::Env env = info.Env();
  SimulateCall c;
  const int model = static_cast<int>(args::integer(info, 0, op, "model", 0, kModelCount - 1));
  Napi::Float64Array params = args::f64(info, 1, op, "params");
  Napi::Float64Array data = args::f64(info, 2, op, "data");
  Napi::Uint32Array key = args::u32(info, 3, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  c.path_offset = args::integer(info, 4, op, "pathOffset", 0, (int64_t{1} << 53) - 1);
  c.paths = args::integer(info, 5, op, "paths", 1, int64_t{1} << 40);
  if (c.path_offset + c.paths > (int64_t{1} << 53)) args::range_error(env, "mc.simulate: pathOffset + paths must be <= 2^53");
  c.steps = args::integer(info, 6, op, "steps", 1, int64_t{1} << 31);
  if (!info[7].IsNumber()) args::type_error(env, std::string(op) + ": dt must be a number, got " + args::describe(info[7]));
  const double dt = info[7].As<Napi::Number>().DoubleValue();
  Napi::Float64Array spec = args::f64(info, 8, op, "spec");
  args::length_is(info, spec, kSpecLength, op, "spec", "histBins, histLo, histHi, ddBins, ddHi, barrier, ruinLevel, strike");
  for (int i = 0; i < kSpecLength; ++i) c.spec[i] = spec[i];
  const std::string bad_spec = check_spec(op, c.spec);
  if (!bad_spec.empty()) args::range_error(env, bad_spec);
  PrepareError err;
  if (!prepare_model(op, model, params.Data(), static_cast<int64_t>(params.ElementLength()), data.Data(),
                     static_cast<int64_t>(data.ElementLength()), dt, c.model, c.aux, err)) {
    if (err.type) args::type_error(env, err.message);
    args::range_error(env, err.message);
  }
  if (c.steps * (c.model.nu > 0 ? c.model.nu : 1) > (int64_t{1} << 34))
    args::range_error(env, "mc.simulate: steps * nu must be <= 2^34 (Philox step counter)");
  const int64_t len = acc_length(static_cast<int64_t>(c.spec[0]), static_cast<int64_t>(c.spec[3]));
  if (args::present(info, 9)) {
    c.out = args::f64(info, 9, op, "out");
    args::length_is(info, c.out, static_cast<size_t>(len), op, "out", "the accumulator length 40 + 2 histBins + 2 ddBins");
    args::no_overlap(info, c.out, params, op, "out", "params");
    args::no_overlap(info, c.out, data, op, "out", "data");
    args::no_overlap(info, c.out, spec, op, "out", "spec");
  } else {
    c.out = args::alloc_f64(env, len, op);
  }
  c.threads = args::present(info, 10) ? static_cast<int>(args::integer(info, 10, op, "threads", 1, 256)) : 1;
  c.k0 = key[0];
  c.k1 = key[1];
  return c;
}

}  // namespace neurion::mc
