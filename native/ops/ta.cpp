// ta / taList / taLookback on the CPU: argument handling in native/ta/binding.h, kernels in
// native/ta/kernels/, the table in native/ta/table.cpp.
#include "../ta/binding.h"
#include "ops.h"

namespace neurion {

static Napi::Value Ta(const Napi::CallbackInfo& info) {
  ta::TaCall c = ta::parse_ta_call(info);
  ta::run_rows(c.index, c.in.data(), c.out.data(), c.params.data(), c.rows, c.cols, c.threads);
  return c.outputs;
}

void register_ta(Napi::Env env, Napi::Object exports) {
  exports.Set("ta", Napi::Function::New(env, Ta, "ta"));
  exports.Set("taList", Napi::Function::New(env, ta::ta_list, "taList"));
  exports.Set("taLookback", Napi::Function::New(env, ta::ta_lookback, "taLookback"));
}

}  // namespace neurion
