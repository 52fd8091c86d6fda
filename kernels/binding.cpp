// Entry point of the CUDA addon (build-cuda/Release/neurion_cuda.node).
//
// Same function names, positional signatures and argument validation as the CPU addon
// (native/ops/*.cpp, native/common/args.h): a call that the CPU addon rejects with a
// TypeError/RangeError is rejected here with the same message, before any device work,
// so the check does not need a GPU. Device failures (no driver, no device, out of memory,
// a kernel fault) become a JS Error naming the op and the failing CUDA call.
//
//   sma(x, rows, cols, period, out?, threads?)                      -> Float64Array
//   philox4x32(key, counter, blocks, out?)                          -> Uint32Array
//   philoxNormal(key, stream, pathOffset, paths, steps, out?, threads?) -> Float64Array
//     (`threads` is validated exactly as on the CPU and otherwise ignored)
//   ta(name, inputs: Float64Array[], rows, cols, params: Float64Array, outputs?, threads?) -> Float64Array[]
//   taList()       -> the CPU addon's list (same table: native/ta/table.cpp is compiled in)
//   taLookback(name, params) -> number
//     (ta validation is native/ta/binding.h's parse_ta_call, shared with the CPU addon)
//   deviceCount()  -> number; 0 (never throws) without a driver or device
//   deviceInfo()   -> {index, name, totalMemoryBytes, computeCapability, multiprocessorCount,
//                      driverVersion, runtimeVersion}; throws Error without a device
//   lastTimings()  -> device time of the last op on this thread (h2d/kernel/d2h ms, bytes)
//   buildInfo()    -> compiler, nvcc and CUDA runtime versions, architectures, ...
//
// Each call is synchronous on the calling thread (the worker pool runs large calls off
// the main thread); concurrent calls from several worker threads are safe (one CUDA
// stream and one set of device buffers per call).
#include <new>
#include <string>
#include "../native/common/args.h"
#include "../native/ta/binding.h"
#include "cuda_api.h"
#include "../native/mc/mc_args.h"

namespace {

namespace args = neurion::args;
namespace cu = neurion::cuda;

template <typename Fn>
void run_device(const Napi::Env& env, const char* op, Fn&& fn) {
  try {
    fn();
  } catch (const cu::Error& e) {
    throw Napi::Error::New(env, std::string(op) + ": CUDA: " + e.what());
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(op) + ": out of host memory");
  }
}

Napi::Value Sma(const Napi::CallbackInfo& info) {
  const char* op = "sma";
  Napi::Env env = info.Env();
  Napi::Float64Array x = args::f64(info, 0, op, "x");
  const int64_t rows = args::integer(info, 1, op, "rows", 1, int64_t{1} << 40);
  const int64_t cols = args::integer(info, 2, op, "cols", 1, int64_t{1} << 40);
  const size_t n = static_cast<size_t>(rows) * static_cast<size_t>(cols);
  args::length_is(info, x, n, op, "x", "rows * cols");
  const int64_t period = args::integer(info, 3, op, "period", 1, cols);
  Napi::Float64Array out;
  if (args::present(info, 4)) {
    out = args::f64(info, 4, op, "out");
    args::length_is(info, out, n, op, "out", "rows * cols");
    args::no_overlap(info, x, out, op, "out", "x");
  } else {
    out = args::alloc_f64(env, static_cast<int64_t>(n), op);
  }
  if (args::present(info, 5)) args::integer(info, 5, op, "threads", 1, 256);
  const double* px = x.Data();
  double* po = out.Data();
  run_device(env, op, [&] { cu::sma_f64(px, po, rows, cols, period); });
  return out;
}

Napi::Value Philox(const Napi::CallbackInfo& info) {
  const char* op = "philox4x32";
  Napi::Env env = info.Env();
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  Napi::Uint32Array ctr = args::u32(info, 1, op, "counter");
  args::length_is(info, ctr, 4, op, "counter", "four 32-bit words");
  const int64_t blocks = args::integer(info, 2, op, "blocks", 1, int64_t{1} << 36);
  Napi::Uint32Array out;
  if (args::present(info, 3)) {
    out = args::u32(info, 3, op, "out");
    args::length_is(info, out, static_cast<size_t>(blocks * 4), op, "out", "4 * blocks");
  } else {
    out = args::alloc_u32(env, blocks * 4, op);
  }
  // Read key and counter before anything writes `out` (they may share memory).
  const uint32_t k0 = key[0], k1 = key[1];
  const uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  uint32_t* po = out.Data();
  run_device(env, op, [&] { cu::philox4x32_raw(k0, k1, c, blocks, po); });
  return out;
}

Napi::Value PhiloxNormal(const Napi::CallbackInfo& info) {
  const char* op = "philoxNormal";
  Napi::Env env = info.Env();
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  const int64_t stream = args::integer(info, 1, op, "stream", 0, 0xFFFFFFFFll);
  const int64_t path_offset = args::integer(info, 2, op, "pathOffset", 0, (int64_t{1} << 53) - 1);
  const int64_t paths = args::integer(info, 3, op, "paths", 1, int64_t{1} << 36);
  const int64_t steps = args::integer(info, 4, op, "steps", 1, int64_t{1} << 34);
  if (paths * steps > (int64_t{1} << 40)) args::range_error(env, "philoxNormal: paths * steps must be <= 2^40");
  Napi::Float64Array out;
  if (args::present(info, 5)) {
    out = args::f64(info, 5, op, "out");
    args::length_is(info, out, static_cast<size_t>(paths * steps), op, "out", "paths * steps");
  } else {
    out = args::alloc_f64(env, paths * steps, op);
  }
  if (args::present(info, 6)) args::integer(info, 6, op, "threads", 1, 256);
  const uint32_t k0 = key[0], k1 = key[1];
  const uint32_t st = static_cast<uint32_t>(stream);
  double* po = out.Data();
  run_device(env, op, [&] { cu::philox_normal(k0, k1, st, path_offset, paths, steps, po); });
  return out;
}

// Same arguments, validation and messages as the CPU addon (parse_ta_call); one device
// thread per row. `threads` is validated and ignored. Device errors name the indicator:
// "ta(<name>): CUDA: ...".
Napi::Value Ta(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  neurion::ta::TaCall c = neurion::ta::parse_ta_call(info);
  const std::string op = std::string("ta(") + c.meta->name + ")";
  run_device(env, op.c_str(), [&] {
    cu::ta_f64(c.index, c.in.data(), c.out.data(), c.params.data(), c.rows, c.cols);
  });
  return c.outputs;
}

// mcSimulate(model, params, data, key, pathOffset, paths, steps, dt, spec, out?, threads?):
// validation shared with the CPU addon (native/mc/mc_args.h); `threads` validated, ignored.
Napi::Value McSimulate(const Napi::CallbackInfo& info) {
  neurion::mc::SimulateCall c = neurion::mc::read_simulate_args(info);
  double* po = c.out.Data();
  run_device(info.Env(), "mc.simulate", [&] {
    cu::mc_simulate(c.model, static_cast<int64_t>(c.aux.size()), c.k0, c.k1, c.path_offset, c.paths, c.steps, c.spec, po);
  });
  return c.out;
}

Napi::Value DeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), cu::device_count(nullptr));
}

std::string version_string(int v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  cu::DeviceInfo d;
  run_device(env, "deviceInfo", [&] { d = cu::device_info(); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("index", d.index);
  o.Set("name", d.name);
  o.Set("totalMemoryBytes", d.total_memory_bytes);
  o.Set("computeCapability", std::to_string(d.cc_major) + "." + std::to_string(d.cc_minor));
  o.Set("multiprocessorCount", d.multiprocessor_count);
  o.Set("driverVersion", version_string(d.driver_version));
  o.Set("runtimeVersion", version_string(d.runtime_version));
  return o;
}

Napi::Value LastTimings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const cu::Timings t = cu::last_timings();
  Napi::Object o = Napi::Object::New(env);
  o.Set("kernel", t.kernel);
  o.Set("chunks", static_cast<double>(t.chunks));
  o.Set("h2dMs", t.h2d_ms);
  o.Set("kernelMs", t.kernel_ms);
  o.Set("d2hMs", t.d2h_ms);
  o.Set("h2dBytes", t.h2d_bytes);
  o.Set("d2hBytes", t.d2h_bytes);
  return o;
}

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const cu::CudaBuildInfo b = cu::build_info();
  Napi::Object o = Napi::Object::New(env);
  o.Set("backend", "cuda");
  o.Set("compiler", __VERSION__);
  o.Set("cplusplus", static_cast<double>(__cplusplus));
#if defined(__OPTIMIZE__)
  o.Set("optimized", true);
#else
  o.Set("optimized", false);
#endif
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("nvcc", b.nvcc_version);
  o.Set("cudaRuntime", version_string(b.runtime_version));
  o.Set("cudaRuntimeLinkage", "static");
  o.Set("cudaArchitectures", b.architectures);
  o.Set("fmad", b.fmad);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  exports.Set("deviceCount", Napi::Function::New(env, DeviceCount, "deviceCount"));
  exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo, "deviceInfo"));
  exports.Set("lastTimings", Napi::Function::New(env, LastTimings, "lastTimings"));
  exports.Set("sma", Napi::Function::New(env, Sma, "sma"));
  exports.Set("philox4x32", Napi::Function::New(env, Philox, "philox4x32"));
  exports.Set("philoxNormal", Napi::Function::New(env, PhiloxNormal, "philoxNormal"));
  exports.Set("mcSimulate", Napi::Function::New(env, McSimulate, "mcSimulate"));
  exports.Set("ta", Napi::Function::New(env, Ta, "ta"));
  exports.Set("taList", Napi::Function::New(env, neurion::ta::ta_list, "taList"));
  exports.Set("taLookback", Napi::Function::New(env, neurion::ta::ta_lookback, "taLookback"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurion_cuda, Init)
