// Argument parsing of the sma / philox4x32 / philoxNormal entry points, shared by the CPU
// addon (native/ops/*.cpp) and the CUDA addon (kernels/binding.cpp) so both validate
// identically and name the same arguments. Each parse_* checks everything before any memory
// is touched and allocates the output when the caller gave none.
#pragma once
#include <cstdint>
#include "args.h"

namespace neurion::calls {

struct SmaCall {
  Napi::Float64Array x, out;
  int64_t rows = 0, cols = 0, period = 0;
  int threads = 1;
};

inline SmaCall parse_sma(const Napi::CallbackInfo& info) {
  const char* op = "sma";
  SmaCall c;
  c.x = args::f64(info, 0, op, "x");
  c.rows = args::integer(info, 1, op, "rows", 1, int64_t{1} << 40);
  c.cols = args::integer(info, 2, op, "cols", 1, int64_t{1} << 40);
  const int64_t n = c.rows * c.cols;
  args::length_is(info, c.x, static_cast<size_t>(n), op, "x", "rows * cols");
  c.period = args::integer(info, 3, op, "period", 1, c.cols);
  if (args::present(info, 4)) {
    c.out = args::f64(info, 4, op, "out");
    args::length_is(info, c.out, static_cast<size_t>(n), op, "out", "rows * cols");
    args::no_overlap(info, c.x, c.out, op, "out", "x");
  } else {
    c.out = args::alloc_f64(info.Env(), n, op);
  }
  c.threads = args::present(info, 5) ? static_cast<int>(args::integer(info, 5, op, "threads", 1, 256)) : 1;
  return c;
}

struct PhiloxCall {
  uint32_t k0 = 0, k1 = 0;
  uint32_t counter[4] = {0, 0, 0, 0};
  int64_t blocks = 0;
  Napi::Uint32Array out;
};

inline PhiloxCall parse_philox(const Napi::CallbackInfo& info) {
  const char* op = "philox4x32";
  PhiloxCall c;
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  Napi::Uint32Array ctr = args::u32(info, 1, op, "counter");
  args::length_is(info, ctr, 4, op, "counter", "four 32-bit words");
  c.blocks = args::integer(info, 2, op, "blocks", 1, int64_t{1} << 36);
  if (args::present(info, 3)) {
    c.out = args::u32(info, 3, op, "out");
    args::length_is(info, c.out, static_cast<size_t>(c.blocks * 4), op, "out", "4 * blocks");
  } else {
    c.out = args::alloc_u32(info.Env(), c.blocks * 4, op);
  }
  // Read key and counter before anything writes `out` (they may share memory).
  c.k0 = key[0];
  c.k1 = key[1];
  for (int w = 0; w < 4; ++w) c.counter[w] = ctr[static_cast<uint32_t>(w)];
  return c;
}

struct PhiloxNormalCall {
  uint32_t k0 = 0, k1 = 0, stream = 0;
  int64_t path_offset = 0, paths = 0, steps = 0;
  Napi::Float64Array out;
  int threads = 1;
};

inline PhiloxNormalCall parse_philox_normal(const Napi::CallbackInfo& info) {
  const char* op = "philoxNormal";
  PhiloxNormalCall c;
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  c.stream = static_cast<uint32_t>(args::integer(info, 1, op, "stream", 0, 0xFFFFFFFFll));
  c.path_offset = args::integer(info, 2, op, "pathOffset", 0, (int64_t{1} << 53) - 1);
  c.paths = args::integer(info, 3, op, "paths", 1, int64_t{1} << 36);
  c.steps = args::integer(info, 4, op, "steps", 1, int64_t{1} << 34);
  if (c.paths * c.steps > (int64_t{1} << 40)) args::range_error(info.Env(), "philoxNormal: paths * steps must be <= 2^40");
  if (args::present(info, 5)) {
    c.out = args::f64(info, 5, op, "out");
    args::length_is(info, c.out, static_cast<size_t>(c.paths * c.steps), op, "out", "paths * steps");
  } else {
    c.out = args::alloc_f64(info.Env(), c.paths * c.steps, op);
  }
  c.threads = args::present(info, 6) ? static_cast<int>(args::integer(info, 6, op, "threads", 1, 256)) : 1;
  c.k0 = key[0];
  c.k1 = key[1];
  return c;
}

}  // namespace neurion::calls
