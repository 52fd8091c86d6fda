// mcSimulate(model, params, data, key, pathOffset, paths, steps, dt, spec, out?, threads?)
//   -> Float64Array accumulator (layout: native/mc/mc_acc.h)
// Simulates paths [pathOffset, pathOffset + paths) of a Monte Carlo model (native/mc/mc_model.h)
// and reduces them into one mergeable accumulator; nothing per path is stored.
#include "../mc/mc_args.h"
#include "../mc/mc_cpu.h"
#include "ops.h"

namespace neurion {

static Napi::Value McSimulate(const Napi::CallbackInfo& info) {
  mc::SimulateCall c = mc::read_simulate_args(info);
  mc::simulate_cpu(c.model, c.k0, c.k1, static_cast<uint64_t>(c.path_offset), c.paths, c.steps, c.spec, c.out.Data(),
                   c.threads);
  return c.out;
}

void register_mc(Napi::Env env, Napi::Object exports) {
  exports.Set("mcSimulate", Napi::Function::New(env, McSimulate, "mcSimulate"));
}

}  // namespace neurion
