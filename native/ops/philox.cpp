// philox4x32(key: Uint32Array(2), counter: Uint32Array(4), blocks, out?: Uint32Array) -> Uint32Array(4*blocks)
//   Raw Philox4x32-10 blocks for counters counter, counter+1, ... (128-bit add, carry from word 0 up).
// philoxNormal(key: Uint32Array(2), stream, pathOffset, paths, steps, out?: Float64Array, threads?) -> Float64Array
//   [paths x steps] standard normals under Neurion's (seed, path, step) keying (common/philox.h).
#include "../common/args.h"
#include "../common/parallel.h"
#include "../common/philox.h"
#include "ops.h"

namespace neurion {

static Napi::Value Philox(const Napi::CallbackInfo& info) {
  const char* op = "philox4x32";
  Napi::Env env = info.Env();
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  Napi::Uint32Array ctr = args::u32(info, 1, op, "counter");
  args::length_is(info, ctr, 4, op, "counter", "four 32-bit words");
  const int64_t blocks = args::integer(info, 2, op, "blocks", 1, int64_t{1} << 36);
  Napi::Uint32Array out;
  if (args::present(info, 3)) {
    out = args::u32(info, 3, op, "out");
    args::length_is(info, out, static_cast<size_t>(blocks * 4), op, "out", "4 * blocks");
  } else {
    out = args::alloc_u32(env, blocks * 4, op);
  }
  const uint32_t k0 = key[0], k1 = key[1];
  uint32_t c[4] = {ctr[0], ctr[1], ctr[2], ctr[3]};
  uint32_t* po = out.Data();
  for (int64_t b = 0; b < blocks; ++b) {
    const Philox4x32 r = philox4x32_10(c[0], c[1], c[2], c[3], k0, k1);
    po[4 * b] = r.v[0]; po[4 * b + 1] = r.v[1]; po[4 * b + 2] = r.v[2]; po[4 * b + 3] = r.v[3];
    for (int w = 0; w < 4 && ++c[w] == 0; ++w) {}  // 128-bit increment
  }
  return out;
}

static Napi::Value PhiloxNormal(const Napi::CallbackInfo& info) {
  const char* op = "philoxNormal";
  Napi::Env env = info.Env();
  Napi::Uint32Array key = args::u32(info, 0, op, "key");
  args::length_is(info, key, 2, op, "key", "two 32-bit words");
  const int64_t stream = args::integer(info, 1, op, "stream", 0, 0xFFFFFFFFll);
  const int64_t path_offset = args::integer(info, 2, op, "pathOffset", 0, (int64_t{1} << 53) - 1);
  const int64_t paths = args::integer(info, 3, op, "paths", 1, int64_t{1} << 36);
  const int64_t steps = args::integer(info, 4, op, "steps", 1, int64_t{1} << 34);
  if (paths * steps > (int64_t{1} << 40)) args::range_error(env, "philoxNormal: paths * steps must be <= 2^40");
  Napi::Float64Array out;
  if (args::present(info, 5)) {
    out = args::f64(info, 5, op, "out");
    args::length_is(info, out, static_cast<size_t>(paths * steps), op, "out", "paths * steps");
  } else {
    out = args::alloc_f64(env, paths * steps, op);
  }
  const int threads = args::present(info, 6) ? static_cast<int>(args::integer(info, 6, op, "threads", 1, 256)) : 1;
  const uint32_t k0 = key[0], k1 = key[1];
  const uint32_t st = static_cast<uint32_t>(stream);
  double* po = out.Data();
  parallel_for(paths, threads, [=](int64_t p0, int64_t p1) {
    double z[4];
    for (int64_t p = p0; p < p1; ++p) {
      const uint64_t gp = static_cast<uint64_t>(path_offset + p);
      double* row = po + p * steps;
      for (int64_t s = 0; s < steps; s += 4) {
        const Philox4x32 b = philox4x32_10(static_cast<uint32_t>(s >> 2), static_cast<uint32_t>(gp),
                                           static_cast<uint32_t>(gp >> 32), st, k0, k1);
        philox_box_muller4(b, z);
        const int64_t m = steps - s < 4 ? steps - s : 4;
        for (int64_t j = 0; j < m; ++j) row[s + j] = z[j];
      }
    }
  });
  return out;
}

void register_philox(Napi::Env env, Napi::Object exports) {
  exports.Set("philox4x32", Napi::Function::New(env, Philox, "philox4x32"));
  exports.Set("philoxNormal", Napi::Function::New(env, PhiloxNormal, "philoxNormal"));
}

}  // namespace neurion
