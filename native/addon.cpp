// Entry point of the CPU addon (build/Release/neurion.node). Coarse, synchronous functions
// over typed arrays; the worker pool (src/compute/pool.ts) runs large calls off the main
// thread. Nothing here knows about trading.
#include <thread>
#include "common/args.h"
#include "ops/ops.h"

namespace {

Napi::Value BuildInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("compiler", __VERSION__);
  o.Set("cplusplus", static_cast<double>(__cplusplus));
#if defined(__OPTIMIZE__)
  o.Set("optimized", true);
#else
  o.Set("optimized", false);
#endif
  o.Set("napiVersion", NAPI_VERSION);
  o.Set("hardwareThreads", static_cast<double>(std::thread::hardware_concurrency()));
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("buildInfo", Napi::Function::New(env, BuildInfo, "buildInfo"));
  neurion::register_sma(env, exports);
  neurion::register_philox(env, exports);
  neurion::register_ta(env, exports);
  neurion::register_features(env, exports);
  neurion::register_mc(env, exports);
  neurion::register_nn(env, exports);
  neurion::register_nn_train(env, exports);
  neurion::register_sweep(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(neurion, Init)
