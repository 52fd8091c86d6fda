// Argument validation for native entry points. Every entry point checks types, lengths,
// shapes and parameter ranges here before any memory is touched, and throws a JS
// TypeError/RangeError that names the op, the argument and the value it got.
#pragma once
#ifndef NAPI_VERSION
#define NAPI_VERSION 8
#endif
#include <napi.h>
#include <cmath>
#include <cstdint>
#include <string>

namespace neurion::args {

inline std::string describe(const Napi::Value& v) {
  if (v.IsUndefined()) return "undefined";
  if (v.IsNull()) return "null";
  if (v.IsTypedArray()) {
    switch (v.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float64_array: return "Float64Array";
      case napi_float32_array: return "Float32Array";
      case napi_uint32_array: return "Uint32Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint8_array: return "Uint8Array";
      default: return "TypedArray";
    }
  }
  if (v.IsArray()) return "Array";
  if (v.IsNumber()) return "number " + v.ToString().Utf8Value();
  if (v.IsBigInt()) return "bigint";
  if (v.IsString()) return "string";
  if (v.IsBoolean()) return "boolean";
  if (v.IsFunction()) return "function";
  return "object";
}

[[noreturn]] inline void type_error(const Napi::Env& env, const std::string& msg) {
  throw Napi::TypeError::New(env, msg);
}
[[noreturn]] inline void range_error(const Napi::Env& env, const std::string& msg) {
  throw Napi::RangeError::New(env, msg);
}

template <typename T, napi_typedarray_type K>
inline Napi::TypedArrayOf<T> typed(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name,
                                   const char* type_name) {
  const Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != K)
    type_error(info.Env(), std::string(op) + ": " + name + " must be a " + type_name + ", got " + describe(v));
  return v.As<Napi::TypedArrayOf<T>>();
}

inline Napi::Float64Array f64(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  return typed<double, napi_float64_array>(info, i, op, name, "Float64Array");
}
inline Napi::Uint32Array u32(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name) {
  return typed<uint32_t, napi_uint32_array>(info, i, op, name, "Uint32Array");
}

// An integer in [lo, hi], given as a JS number (must be an exact integer).
inline int64_t integer(const Napi::CallbackInfo& info, size_t i, const char* op, const char* name, int64_t lo,
                       int64_t hi) {
  const Napi::Value v = info[i];
  if (!v.IsNumber()) type_error(info.Env(), std::string(op) + ": " + name + " must be a number, got " + describe(v));
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(std::floor(d) == d) || d < static_cast<double>(lo) || d > static_cast<double>(hi))
    range_error(info.Env(), std::string(op) + ": " + name + " must be an integer in [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "], got " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

inline void length_is(const Napi::CallbackInfo& info, const Napi::TypedArray& a, size_t expected, const char* op,
                      const char* name, const std::string& why) {
  if (a.ElementLength() != expected)
    range_error(info.Env(), std::string(op) + ": " + name + " must have length " + std::to_string(expected) + " (" +
                                why + "), got " + std::to_string(a.ElementLength()));
}

// Rejects outputs that share memory with an input: the kernels read inputs after writing
// earlier outputs, so aliasing would silently corrupt results.
inline void no_overlap(const Napi::CallbackInfo& info, const Napi::TypedArray& a, const Napi::TypedArray& b,
                       const char* op, const char* na, const char* nb) {
  // napi_get_typedarray_info gives the data pointer for ArrayBuffer- and
  // SharedArrayBuffer-backed arrays alike (Napi::TypedArray::ArrayBuffer() rejects the latter).
  auto span = [&](const Napi::TypedArray& t) {
    napi_typedarray_type type;
    size_t length = 0, offset = 0;
    void* data = nullptr;
    napi_value buffer;
    if (napi_get_typedarray_info(info.Env(), t, &type, &length, &data, &buffer, &offset) != napi_ok)
      type_error(info.Env(), std::string(op) + ": cannot read typed array " + na);
    return static_cast<const uint8_t*>(data);
  };
  const uint8_t* pa = span(a);
  const uint8_t* pb = span(b);
  if (pa < pb + b.ByteLength() && pb < pa + a.ByteLength())
    range_error(info.Env(), std::string(op) + ": " + na + " must not share memory with " + nb);
}

// Largest result a native call allocates by itself (2^28 elements = 2 GiB of float64).
// Larger jobs pass their own `out` or run in chunks through the pool: an accidental
// multi-terabyte request must fail with a clear error, not invite the OOM killer.
constexpr int64_t kMaxAllocElements = int64_t{1} << 28;

inline void check_alloc(const Napi::Env& env, int64_t elements, const char* op) {
  if (elements > kMaxAllocElements)
    range_error(env, std::string(op) + ": result of " + std::to_string(elements) +
                         " elements exceeds the 2^28-element limit for one call; pass `out` or split the job");
}

inline Napi::Float64Array alloc_f64(const Napi::Env& env, int64_t elements, const char* op) {
  check_alloc(env, elements, op);
  return Napi::Float64Array::New(env, static_cast<size_t>(elements));
}

inline Napi::Uint32Array alloc_u32(const Napi::Env& env, int64_t elements, const char* op) {
  check_alloc(env, elements, op);
  return Napi::Uint32Array::New(env, static_cast<size_t>(elements));
}

inline bool present(const Napi::CallbackInfo& info, size_t i) {
  return info.Length() > i && !info[i].IsUndefined() && !info[i].IsNull();
}

}  // namespace neurion::args
