// Recurrent-network inference (LSTM / GRU / Dense Sequential models), CPU addon entry points.
// Models come from src/models/native.ts as (spec: Int32Array, weights: Float32Array): format
// and validation in native/nn/nn_spec.h, packing and math in native/nn/nn_cpu.*.
//
//   nnCompile(spec, weights)                                  -> model handle (packed weights)
//   nnForward(model, x, batch, timesteps, out?, threads?)     -> out
//       x: Float32Array | Float64Array [batch, T, F]; out: Float32Array | Float64Array
//       [batch, T, units] (sequence output) or [batch, units]; default a new Float64Array
//   nnSession(model)                                          -> session handle (state zeroed)
//   nnStep(session, features, out?)                           -> out (the output at this step)
//       features: Float32Array | Float64Array [F]; out [units], default a new Float64Array
//   nnReset(session)                                          -> undefined
//   nnModelInfo(model) -> {features, timesteps, outUnits, outSequence, layers, packedBytes, simd}
//
// Handles are type-tagged externals: anything else is rejected with a TypeError. Every input is
// checked before any memory is touched; non-finite (or, from Float64Array, out-of-float32-range)
// features are rejected with a RangeError naming the batch, time and feature index.
#include <memory>
#include <new>
#include <string>
#include <vector>
#include "../common/args.h"
#include "../nn/nn_args.h"
#include "../nn/nn_cpu.h"
#include "ops.h"

namespace neurion {

namespace {

namespace nn = neurion::nn;

struct NetHolder {
  std::shared_ptr<nn::Net> net;
  int64_t bytes = 0;
};
struct SessionHolder {
  std::unique_ptr<nn::Session> session;
};

const napi_type_tag kNetTag = {0x4e657572696f6e4eull, 0x6e4d6f64656c0001ull};
const napi_type_tag kSessionTag = {0x4e657572696f6e4eull, 0x6e53657373690002ull};

template <typename T>
T* unwrap(const Napi::CallbackInfo& info, size_t i, const napi_type_tag* tag, const char* op, const char* name,
          const char* what) {
  const Napi::Value v = info[i];
  if (!v.IsExternal() || !v.As<Napi::External<T>>().CheckTypeTag(tag))
    args::type_error(info.Env(), std::string(op) + ": " + name + " must be " + what + ", got " + args::describe(v));
  return v.As<Napi::External<T>>().Data();
}

Napi::Value Compile(const Napi::CallbackInfo& info) {
  const char* op = "nn.compile";
  Napi::Env env = info.Env();
  auto spec = args::typed<int32_t, napi_int32_array>(info, 0, op, "spec", "Int32Array");
  auto weights = args::typed<float, napi_float32_array>(info, 1, op, "weights", "Float32Array");
  nn::ModelSpec m;
  const std::string err = nn::parse_spec(op, spec.Data(), static_cast<int64_t>(spec.ElementLength()),
                                         static_cast<int64_t>(weights.ElementLength()), &m);
  if (!err.empty()) args::range_error(env, err);
  std::string what;
  const int64_t bad = nn::first_nonfinite_weight(m, weights.Data(), &what);
  if (bad >= 0) args::range_error(env, std::string(op) + ": weight " + what + " is not finite (" + nn::num(weights.Data()[bad]) + ")");
  auto* holder = new NetHolder();
  try {
    holder->net = nn::build_net(m, weights.Data());
  } catch (const std::bad_alloc&) {
    delete holder;
    throw Napi::Error::New(env, std::string(op) + ": out of memory packing the weights");
  }
  for (const auto& L : holder->net->layers)
    holder->bytes += 4 * (L.W.data.size() + L.U.data.size() + L.Uh.data.size() + L.bx.size() + L.bh.size());
  Napi::MemoryManagement::AdjustExternalMemory(env, holder->bytes);
  auto ext = Napi::External<NetHolder>::New(env, holder, [](Napi::Env e, NetHolder* h) {
    Napi::MemoryManagement::AdjustExternalMemory(e, -h->bytes);
    delete h;
  });
  ext.TypeTag(&kNetTag);
  return ext;
}

Napi::Value ModelInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const NetHolder* h = unwrap<NetHolder>(info, 0, &kNetTag, "nn.modelInfo", "model", "a model handle from nnCompile");
  const nn::ModelSpec& m = h->net->spec;
  Napi::Object o = Napi::Object::New(env);
  o.Set("features", m.features);
  o.Set("timesteps", m.timesteps);
  o.Set("outUnits", m.out_units);
  o.Set("outSequence", m.out_sequence);
  o.Set("layers", static_cast<double>(m.layers.size()));
  o.Set("packedBytes", static_cast<double>(h->bytes));
  o.Set("simd", nn::simd_name());
  return o;
}

Napi::Value Forward(const Napi::CallbackInfo& info) {
  const char* op = "nn.forward";
  Napi::Env env = info.Env();
  const NetHolder* h = unwrap<NetHolder>(info, 0, &kNetTag, op, "model", "a model handle from nnCompile");
  const nn::Net& net = *h->net;
  nn::ForwardCall c = nn::read_forward(info, op, net.spec);
  try {
    nn::forward(net, c.px, c.batch, c.T, c.out.w32, c.out.w64, c.threads);
  } catch (const std::bad_alloc&) {
    throw Napi::Error::New(env, std::string(op) + ": out of memory");
  }
  nn::check_output_finite(env, op, c);
  return c.out.arr;
}

Napi::Value NewSession(const Napi::CallbackInfo& info) {
  const char* op = "nn.session";
  Napi::Env env = info.Env();
  const NetHolder* h = unwrap<NetHolder>(info, 0, &kNetTag, op, "model", "a model handle from nnCompile");
  auto* holder = new SessionHolder();
  try {
    holder->session = std::make_unique<nn::Session>(h->net);
  } catch (const std::bad_alloc&) {
    delete holder;
    throw Napi::Error::New(env, std::string(op) + ": out of memory");
  }
  auto ext = Napi::External<SessionHolder>::New(env, holder, [](Napi::Env, SessionHolder* s) { delete s; });
  ext.TypeTag(&kSessionTag);
  return ext;
}

Napi::Value Step(const Napi::CallbackInfo& info) {
  const char* op = "nn.step";
  Napi::Env env = info.Env();
  SessionHolder* s = unwrap<SessionHolder>(info, 0, &kSessionTag, op, "session", "a session handle from nnSession");
  nn::Session& S = *s->session;
  const nn::ModelSpec& m = S.net->spec;
  nn::FloatArg x = nn::float_arg(info, 1, op, "features");
  args::length_is(info, x.arr, static_cast<size_t>(m.features), op, "features", "the model's feature count");
  nn::FloatArg out;
  Napi::TypedArray out_arr;
  if (args::present(info, 2)) {
    out = nn::float_arg(info, 2, op, "out");
    args::length_is(info, out.arr, static_cast<size_t>(m.out_units), op, "out", "the model's output units");
    args::no_overlap(info, out.arr, x.arr, op, "out", "features");
    out_arr = out.arr;
  } else {
    Napi::Float64Array o = Napi::Float64Array::New(env, static_cast<size_t>(m.out_units));
    out.arr = o; out.w64 = o.Data(); out.length = o.ElementLength();
    out_arr = o;
  }
  // Features into the session's input row (float32, checked) before the state is touched.
  float xin[256];
  std::vector<float> big;
  float* px = xin;
  if (m.features > 256) { big.resize(static_cast<size_t>(m.features)); px = big.data(); }
  nn::to_f32(env, x, px, [&](size_t i) { return std::string(op) + ": features[" + std::to_string(i) + "]"; });
  const float* y = nn::step_all(*S.net, S.ws, 1, px, m.features, true);
  const int U = m.out_units;
  for (int j = 0; j < U; ++j)
    if (!std::isfinite(y[j]))
      args::range_error(env, std::string(op) + ": output index " + std::to_string(j) +
                                 " is not finite (float32 overflow: inputs or weights too large); call reset()");
  if (out.w32 != nullptr) std::copy(y, y + U, out.w32);
  else for (int j = 0; j < U; ++j) out.w64[j] = static_cast<double>(y[j]);
  ++S.steps;
  return out_arr;
}

Napi::Value Reset(const Napi::CallbackInfo& info) {
  SessionHolder* s = unwrap<SessionHolder>(info, 0, &kSessionTag, "nn.reset", "session", "a session handle from nnSession");
  s->session->ws.reset_state();
  s->session->steps = 0;
  return info.Env().Undefined();
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  exports.Set("nnCompile", Napi::Function::New(env, Compile, "nnCompile"));
  exports.Set("nnModelInfo", Napi::Function::New(env, ModelInfo, "nnModelInfo"));
  exports.Set("nnForward", Napi::Function::New(env, Forward, "nnForward"));
  exports.Set("nnSession", Napi::Function::New(env, NewSession, "nnSession"));
  exports.Set("nnStep", Napi::Function::New(env, Step, "nnStep"));
  exports.Set("nnReset", Napi::Function::New(env, Reset, "nnReset"));
}

}  // namespace neurion
