// N-API argument handling for `ta`, shared by the CPU and CUDA addons so both validate
// identically. parse_ta_call checks every argument before any memory is touched.
#pragma once
#include <string>
#include <vector>
#include "../common/args.h"
#include "table.h"

namespace neurion::ta {

struct TaCall {
  int index = -1;
  const TaMeta* meta = nullptr;
  int64_t rows = 0, cols = 0;
  std::vector<const double*> in;
  std::vector<double*> out;
  std::vector<double> params;
  Napi::Array outputs;
  int threads = 1;
};

inline TaCall parse_ta_call(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TaCall c;
  if (!info[0].IsString()) args::type_error(env, std::string("ta: name must be a string, got ") + args::describe(info[0]));
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  c.meta = find_meta(name, &c.index);
  if (!c.meta) args::range_error(env, "ta: unknown indicator \"" + name + "\"");
  const TaMeta& m = *c.meta;
  const std::string who = "ta(" + name + ")";
  if (!info[1].IsArray()) args::type_error(env, who + ": inputs must be an array of Float64Array, got " + args::describe(info[1]));
  Napi::Array inputs = info[1].As<Napi::Array>();
  if (inputs.Length() != static_cast<uint32_t>(m.n_in))
    args::range_error(env, who + ": inputs must hold " + std::to_string(m.n_in) + " arrays, got " + std::to_string(inputs.Length()));
  c.rows = args::integer(info, 2, who.c_str(), "rows", 1, int64_t{1} << 40);
  c.cols = args::integer(info, 3, who.c_str(), "cols", 1, int64_t{1} << 40);
  const size_t len = static_cast<size_t>(c.rows * c.cols);
  std::vector<Napi::Float64Array> in_arrays;
  for (int k = 0; k < m.n_in; ++k) {
    Napi::Value v = inputs.Get(static_cast<uint32_t>(k));
    const std::string nm = std::string("inputs[") + std::to_string(k) + "] (" + m.inputs[k] + ")";
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      args::type_error(env, who + ": " + nm + " must be a Float64Array, got " + args::describe(v));
    Napi::Float64Array a = v.As<Napi::Float64Array>();
    args::length_is(info, a, len, who.c_str(), nm.c_str(), "rows * cols");
    in_arrays.push_back(a);
    c.in.push_back(a.Data());
  }
  Napi::Float64Array params = args::f64(info, 4, who.c_str(), "params");
  args::length_is(info, params, static_cast<size_t>(m.n_param), who.c_str(), "params", "one per parameter");
  c.params.assign(params.Data(), params.Data() + m.n_param);
  const std::string perr = params_error(m, c.params.data(), c.cols);
  if (!perr.empty()) args::range_error(env, who + ": " + perr);
  if (args::present(info, 5)) {
    if (!info[5].IsArray()) args::type_error(env, who + ": outputs must be an array of Float64Array, got " + args::describe(info[5]));
    c.outputs = info[5].As<Napi::Array>();
    if (c.outputs.Length() != static_cast<uint32_t>(m.n_out))
      args::range_error(env, who + ": outputs must hold " + std::to_string(m.n_out) + " arrays, got " + std::to_string(c.outputs.Length()));
    std::vector<Napi::Float64Array> outs;
    for (int k = 0; k < m.n_out; ++k) {
      Napi::Value v = c.outputs.Get(static_cast<uint32_t>(k));
      const std::string nm = std::string("outputs[") + std::to_string(k) + "] (" + m.outputs[k] + ")";
      if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
        args::type_error(env, who + ": " + nm + " must be a Float64Array, got " + args::describe(v));
      Napi::Float64Array a = v.As<Napi::Float64Array>();
      args::length_is(info, a, len, who.c_str(), nm.c_str(), "rows * cols");
      for (int j = 0; j < m.n_in; ++j) args::no_overlap(info, a, in_arrays[static_cast<size_t>(j)], who.c_str(), nm.c_str(), m.inputs[j]);
      for (size_t j = 0; j < outs.size(); ++j) args::no_overlap(info, a, outs[j], who.c_str(), nm.c_str(), "another output");
      outs.push_back(a);
      c.out.push_back(a.Data());
    }
  } else {
    args::check_alloc(env, static_cast<int64_t>(len) * m.n_out, who.c_str());
    c.outputs = Napi::Array::New(env, static_cast<size_t>(m.n_out));
    for (int k = 0; k < m.n_out; ++k) {
      Napi::Float64Array a = Napi::Float64Array::New(env, len);
      c.outputs.Set(static_cast<uint32_t>(k), a);
      c.out.push_back(a.Data());
    }
  }
  c.threads = args::present(info, 6) ? static_cast<int>(args::integer(info, 6, who.c_str(), "threads", 1, 256)) : 1;
  return c;
}

inline Napi::Value ta_list(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array list = Napi::Array::New(env);
  for (int i = 0; i < count(); ++i) {
    const TaMeta& m = meta_at(i);
    Napi::Object o = Napi::Object::New(env);
    o.Set("name", m.name);
    Napi::Array ins = Napi::Array::New(env), outs = Napi::Array::New(env), ps = Napi::Array::New(env);
    for (int k = 0; k < m.n_in; ++k) ins.Set(static_cast<uint32_t>(k), m.inputs[k]);
    for (int k = 0; k < m.n_out; ++k) outs.Set(static_cast<uint32_t>(k), m.outputs[k]);
    for (int k = 0; k < m.n_param; ++k) {
      Napi::Object p = Napi::Object::New(env);
      p.Set("name", m.params[k].name);
      p.Set("default", m.params[k].def);
      p.Set("min", m.params[k].min);
      p.Set("max", m.params[k].max);
      p.Set("integer", m.params[k].integer);
      p.Set("maxIsLength", m.params[k].max_is_length);
      ps.Set(static_cast<uint32_t>(k), p);
    }
    o.Set("inputs", ins);
    o.Set("outputs", outs);
    o.Set("params", ps);
    list.Set(static_cast<uint32_t>(i), o);
  }
  return list;
}

inline Napi::Value ta_lookback(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) args::type_error(env, "taLookback: name must be a string, got " + args::describe(info[0]));
  int index = -1;
  const TaMeta* m = find_meta(info[0].As<Napi::String>().Utf8Value(), &index);
  if (!m) args::range_error(env, "taLookback: unknown indicator \"" + info[0].As<Napi::String>().Utf8Value() + "\"");
  Napi::Float64Array params = args::f64(info, 1, "taLookback", "params");
  args::length_is(info, params, static_cast<size_t>(m->n_param), "taLookback", "params", "one per parameter");
  const std::string perr = params_error(*m, params.Data(), int64_t{1} << 40);
  if (!perr.empty()) args::range_error(env, std::string("taLookback(") + m->name + "): " + perr);
  return Napi::Number::New(env, static_cast<double>(lookback_at(index, params.Data())));
}

}  // namespace neurion::ta
