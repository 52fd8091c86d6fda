// Host side of the fused feature kernel (native/ta/features.h): feature-set validation,
// the CPU row loop, and the N-API argument handling shared by the CPU addon
// (native/ops/features.cpp) and the CUDA addon (kernels/binding.cpp), so both validate
// identically and before any memory is touched.
#include "features.h"

#include <cstdio>
#include <string>
#include <vector>
#include "../common/args.h"
#include "../common/parallel.h"

namespace neurion::ta {

namespace {

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return v != v ? std::string("NaN") : std::string(buf);
}

}  // namespace

std::string features_spec_error(const double* spec, int64_t len, int64_t cols) {
  if (len % kFeatureStride != 0)
    return "spec must have length a multiple of " + std::to_string(kFeatureStride) + " ([id, p0, p1, p2] per feature), got " +
           std::to_string(len);
  const int64_t nf = len / kFeatureStride;
  if (nf < 1 || nf > kMaxFeatures)
    return "spec must hold 1 to " + std::to_string(kMaxFeatures) + " features, got " + std::to_string(nf);
  const FeatureDef* menu = feature_menu();
  for (int64_t f = 0; f < nf; ++f) {
    const double* e = spec + f * kFeatureStride;
    const std::string at = "features[" + std::to_string(f) + "]";
    const double id = e[0];
    if (!(id >= 0 && id < kFeatureCount && static_cast<double>(static_cast<int>(id)) == id))
      return at + ": feature id must be an integer in [0, " + std::to_string(kFeatureCount - 1) + "], got " + num(id);
    const FeatureDef& d = menu[static_cast<int>(id)];
    for (int k = 0; k < d.n_param; ++k) {
      const FeatureParamDef& q = d.params[k];
      const bool capped = q.max_is_length && static_cast<double>(cols) < q.max;
      const double hi = capped ? static_cast<double>(cols) : q.max;
      const double v = e[1 + k];
      const bool ok = v == v && v >= q.min && v <= hi && (!q.integer || static_cast<double>(static_cast<int64_t>(v)) == v);
      if (!ok)
        return at + " (" + d.name + "): " + q.name + " must be " + (q.integer ? "an integer" : "a number") + " in [" +
               num(q.min) + ", " + num(hi) + "]" + (capped ? " (the series length)" : "") + ", got " + num(v);
    }
  }
  return "";
}

namespace {

// Each thread: its rows one after the other, each in one pass (tiles of kFeatureCpuTile bars),
// with its own ring buffers (features_scratch doubles, reused from row to row).
template <typename T>
void run_cpu(const FeaturesJob& j) {
  const int64_t scratch = features_scratch(j.spec, j.nf, j.cols);
  T* out = static_cast<T*>(j.out);
  parallel_for(j.rows, j.threads, [&](int64_t r0, int64_t r1) {
    std::vector<double> buf(static_cast<size_t>(scratch));
    for (int64_t r = r0; r < r1; ++r) {
      const double* in[5];
      for (int k = 0; k < 5; ++k) in[k] = j.in[k] + r * j.cols;
      features_row<T, kFeatureCpuTile>(j.spec, j.nf, in, j.cols, buf.data(), out + r * j.cols * j.nf);
    }
  });
}

}  // namespace

void features_cpu(const FeaturesJob& job) {
  if (job.f32) run_cpu<float>(job);
  else run_cpu<double>(job);
}

Napi::Value features_entry(const Napi::CallbackInfo& info, const std::function<void(const FeaturesJob&)>& run) {
  const char* op = "ta.features";
  static const char* const kNames[5] = {"open", "high", "low", "close", "volume"};
  Napi::Env env = info.Env();
  FeaturesJob j;
  if (!info[0].IsArray()) args::type_error(env, std::string(op) + ": inputs must be an array of 5 Float64Array (open, high, low, close, volume), got " + args::describe(info[0]));
  Napi::Array inputs = info[0].As<Napi::Array>();
  if (inputs.Length() != 5)
    args::range_error(env, std::string(op) + ": inputs must hold 5 arrays (open, high, low, close, volume), got " + std::to_string(inputs.Length()));
  j.rows = args::integer(info, 1, op, "rows", 1, int64_t{1} << 40);
  j.cols = args::integer(info, 2, op, "cols", 1, int64_t{1} << 40);
  const size_t len = static_cast<size_t>(j.rows * j.cols);
  std::vector<Napi::Float64Array> ins;
  for (int k = 0; k < 5; ++k) {
    Napi::Value v = inputs.Get(static_cast<uint32_t>(k));
    const std::string nm = "inputs[" + std::to_string(k) + "] (" + kNames[k] + ")";
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      args::type_error(env, std::string(op) + ": " + nm + " must be a Float64Array, got " + args::describe(v));
    Napi::Float64Array a = v.As<Napi::Float64Array>();
    args::length_is(info, a, len, op, nm.c_str(), "rows * cols");
    ins.push_back(a);
    j.in[k] = a.Data();
  }
  Napi::Float64Array spec = args::f64(info, 3, op, "spec");
  const std::string serr = features_spec_error(spec.Data(), static_cast<int64_t>(spec.ElementLength()), j.cols);
  if (!serr.empty()) args::range_error(env, std::string(op) + ": " + serr);
  j.nf = static_cast<int>(spec.ElementLength() / kFeatureStride);
  // Copy the spec: `out` may share its memory.
  std::vector<double> spec_copy(spec.Data(), spec.Data() + spec.ElementLength());
  j.spec = spec_copy.data();
  const int64_t total = static_cast<int64_t>(len) * j.nf;
  Napi::Value result;
  if (args::present(info, 4)) {
    const Napi::Value v = info[4];
    const bool is64 = v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float64_array;
    const bool is32 = v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array;
    if (!is64 && !is32) args::type_error(env, std::string(op) + ": out must be a Float64Array or a Float32Array, got " + args::describe(v));
    Napi::TypedArray a = v.As<Napi::TypedArray>();
    args::length_is(info, a, static_cast<size_t>(total), op, "out", "rows * cols * features");
    for (int k = 0; k < 5; ++k) args::no_overlap(info, a, ins[static_cast<size_t>(k)], op, "out", kNames[k]);
    j.f32 = is32;
    j.out = is32 ? static_cast<void*>(v.As<Napi::Float32Array>().Data()) : static_cast<void*>(v.As<Napi::Float64Array>().Data());
    result = v;
  } else {
    Napi::Float64Array a = args::alloc_f64(env, total, op);
    j.out = a.Data();
    result = a;
  }
  j.threads = args::present(info, 5) ? static_cast<int>(args::integer(info, 5, op, "threads", 1, 256)) : 1;
  run(j);
  return result;
}

}  // namespace neurion::ta
