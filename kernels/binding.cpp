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
//   nnCompile(spec, weights) / nnModelInfo(model) / nnForward(model, x, batch, timesteps, out?, threads?)
//                  -> recurrent-network inference (kernels/nn.cu); no nnSession (CPU only)
//   nnTrainGrad(spec, params, xs, starts, timesteps, loss, target, sampleWeight?, grads?, outputs?, threads?,
//               dropout?, dropoutKey?) -> loss;  nnTrainInfo() -> {chunk, simd, accumulation}
//                  -> recurrent-network training (kernels/nn_train.cu), CPU addon's validation
//
// Each call is synchronous on the calling thread (the worker pool runs large calls off
// the main thread); concurrent calls from several worker threads are safe (one CUDA
// stream and one set of device buffers per call).
#include <new>
#include <string>
#include <vector>
#include "../native/common/calls.h"
#include "../native/ta/binding.h"
#include "../native/ta/features.h"
#include "cuda_api.h"
#include "../native/mc/mc_args.h"
#include "../native/nn/nn_args.h"
#include "../native/nn/train_args.h"
#include "nn_train_api.h"

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

// Argument parsing shared with the CPU addon (native/common/calls.h); `threads` is validated
// there and ignored here.
Napi::Value Sma(const Napi::CallbackInfo& info) {
  neurion::calls::SmaCall c = neurion::calls::parse_sma(info);
  const double* px = c.x.Data();
  double* po = c.out.Data();
  run_device(info.Env(), "sma", [&] { cu::sma_f64(px, po, c.rows, c.cols, c.period); });
  return c.out;
}

Napi::Value Philox(const Napi::CallbackInfo& info) {
  neurion::calls::PhiloxCall c = neurion::calls::parse_philox(info);
  uint32_t* po = c.out.Data();
  run_device(info.Env(), "philox4x32", [&] { cu::philox4x32_raw(c.k0, c.k1, c.counter, c.blocks, po); });
  return c.out;
}

Napi::Value PhiloxNormal(const Napi::CallbackInfo& info) {
  neurion::calls::PhiloxNormalCall c = neurion::calls::parse_philox_normal(info);
  double* po = c.out.Data();
  run_device(info.Env(), "philoxNormal", [&] { cu::philox_normal(c.k0, c.k1, c.stream, c.path_offset, c.paths, c.steps, po); });
  return c.out;
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

// taFeatures(inputs[5], rows, cols, spec, out?, threads?): the fused feature kernel, with
// the CPU addon's validation and messages (native/ta/features.cpp); `threads` validated, ignored.
Napi::Value TaFeatures(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return neurion::ta::features_entry(info, [&](const neurion::ta::FeaturesJob& j) {
    run_device(env, "ta.features", [&] { cu::ta_features(j.in, j.rows, j.cols, j.spec, j.nf, j.out, j.f32); });
  });
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

// Recurrent-network inference: nnCompile(spec, weights) -> handle, nnModelInfo(handle),
// nnForward(handle, x, batch, timesteps, out?, threads?) with the CPU addon's validation and
// messages (native/nn/nn_spec.h, native/nn/nn_args.h); `threads` validated, ignored. Streaming
// sessions (nnSession/nnStep) are CPU-only: one bar is too little work for a GPU round trip.
struct CudaNet {
  neurion::nn::ModelSpec spec;
  std::vector<float> weights;
};
const napi_type_tag kCudaNetTag = {0x4e657572696f6e4eull, 0x6e4375646103ull};

CudaNet* unwrap_net(const Napi::CallbackInfo& info, const char* op) {
  const Napi::Value v = info[0];
  if (!v.IsExternal() || !v.As<Napi::External<CudaNet>>().CheckTypeTag(&kCudaNetTag))
    args::type_error(info.Env(), std::string(op) + ": model must be a model handle from nnCompile, got " + args::describe(v));
  return v.As<Napi::External<CudaNet>>().Data();
}

Napi::Value NnCompile(const Napi::CallbackInfo& info) {
  const char* op = "nn.compile";
  Napi::Env env = info.Env();
  auto spec = args::typed<int32_t, napi_int32_array>(info, 0, op, "spec", "Int32Array");
  auto weights = args::typed<float, napi_float32_array>(info, 1, op, "weights", "Float32Array");
  auto* net = new CudaNet();
  const std::string err = neurion::nn::parse_spec(op, spec.Data(), static_cast<int64_t>(spec.ElementLength()),
                                                  static_cast<int64_t>(weights.ElementLength()), &net->spec);
  if (!err.empty()) { delete net; args::range_error(env, err); }
  std::string what;
  const int64_t bad = neurion::nn::first_nonfinite_weight(net->spec, weights.Data(), &what);
  if (bad >= 0) {
    const double v = weights.Data()[bad];
    delete net;
    args::range_error(env, std::string(op) + ": weight " + what + " is not finite (" + neurion::nn::num(v) + ")");
  }
  net->weights.assign(weights.Data(), weights.Data() + weights.ElementLength());
  auto ext = Napi::External<CudaNet>::New(env, net, [](Napi::Env, CudaNet* p) { delete p; });
  ext.TypeTag(&kCudaNetTag);
  return ext;
}

Napi::Value NnModelInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CudaNet* net = unwrap_net(info, "nn.modelInfo");
  Napi::Object o = Napi::Object::New(env);
  o.Set("features", net->spec.features);
  o.Set("timesteps", net->spec.timesteps);
  o.Set("outUnits", net->spec.out_units);
  o.Set("outSequence", net->spec.out_sequence);
  o.Set("layers", static_cast<double>(net->spec.layers.size()));
  o.Set("packedBytes", static_cast<double>(net->weights.size() * 4));
  o.Set("simd", "cuda");
  return o;
}

Napi::Value NnForward(const Napi::CallbackInfo& info) {
  const char* op = "nn.forward";
  Napi::Env env = info.Env();
  const CudaNet* net = unwrap_net(info, op);
  neurion::nn::ForwardCall c = neurion::nn::read_forward(info, op, net->spec);
  std::vector<float> tmp;
  float* dst = c.out.w32;
  run_device(env, op, [&] {
    if (dst == nullptr) { tmp.resize(static_cast<size_t>(c.out_len)); dst = tmp.data(); }
    cu::nn_forward_f32(net->spec, net->weights.data(), c.px, c.batch, c.T, dst);
  });
  if (c.out.w64 != nullptr)
    for (int64_t i = 0; i < c.out_len; ++i) c.out.w64[i] = static_cast<double>(tmp[static_cast<size_t>(i)]);
  neurion::nn::check_output_finite(env, op, c);
  return c.out.arr;
}

// Recurrent-network training: nnTrainGrad with the CPU addon's arguments, validation and messages
// (native/nn/train_args.h, shared); `threads` validated, ignored. Loss, float64 gradients and
// outputs as on the CPU (kernels/nn_train.cu states the numerics).
Napi::Value NnTrainGrad(const Napi::CallbackInfo& info) {
  const char* op = "nn.trainGrad";
  Napi::Env env = info.Env();
  neurion::nn::TrainCall c = neurion::nn::parse_train_call(info, op);
  const neurion::nn::train::GradJob j = c.job();
  double loss = 0.0;
  run_device(env, op, [&] { loss = cu::nn_train_grad(j); });
  return Napi::Number::New(env, loss);
}

Napi::Value NnTrainInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("chunk", static_cast<double>(cu::nn_train_max_chunk_rows()));
  o.Set("simd", "cuda");
  o.Set("accumulation", cu::nn_train_accumulation());
  return o;
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
  exports.Set("taFeatures", Napi::Function::New(env, TaFeatures, "taFeatures"));
  exports.Set("nnCompile", Napi::Function::New(env, NnCompile, "nnCompile"));
  exports.Set("nnModelInfo", Napi::Function::New(env, NnModelInfo, "nnModelInfo"));
  exports.Set("nnForward", Napi::Function::New(env, NnForward, "nnForward"));
  exports.Set("nnTrainGrad", Napi::Function::New(env, NnTrainGrad, "nnTrainGrad"));
  exports.Set("nnTrainInfo", Napi::Function::New(env, NnTrainInfo, "nnTrainInfo"));
  exports.Set("taLookback", Napi::Function::New(env, neurion::ta::ta_lookback, "taLookback"));
  return exports;
}

}  // namespace

NODE_API_MODULE(neurion_cuda, Init)
