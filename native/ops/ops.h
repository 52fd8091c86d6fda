// One register_<op> per file in native/ops; addon.cpp calls each once.
#pragma once
#include <napi.h>

namespace neurion {
void register_sma(Napi::Env env, Napi::Object exports);
void register_philox(Napi::Env env, Napi::Object exports);
void register_ta(Napi::Env env, Napi::Object exports);
void register_features(Napi::Env env, Napi::Object exports);
void register_mc(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_nn_train(Napi::Env env, Napi::Object exports);
void register_sweep(Napi::Env env, Napi::Object exports);
}  // namespace neurion
