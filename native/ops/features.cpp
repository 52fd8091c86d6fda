// taFeatures on the CPU: the fused feature kernel (native/ta/features.h). Argument handling
// and the row loop are in native/ta/features.cpp (shared with the CUDA addon's binding).
#include "../ta/features.h"
#include "../common/args.h"
#include "ops.h"

namespace neurion {

static Napi::Value TaFeatures(const Napi::CallbackInfo& info) {
  return ta::features_entry(info, [](const ta::FeaturesJob& j) { ta::features_cpu(j); });
}

void register_features(Napi::Env env, Napi::Object exports) {
  exports.Set("taFeatures", Napi::Function::New(env, TaFeatures, "taFeatures"));
}

}  // namespace neurion
