// philox4x32(key: Uint32Array(2), counter: Uint32Array(4), blocks, out?: Uint32Array) -> Uint32Array(4*blocks)
//   Raw Philox4x32-10 blocks for counters counter, counter+1, ... (128-bit add, carry from word 0 up).
// philoxNormal(key: Uint32Array(2), stream, pathOffset, paths, steps, out?: Float64Array, threads?) -> Float64Array
//   [paths x steps] standard normals under Neurion's (seed, path, step) keying (common/philox.h).
#include "../common/calls.h"
#include "../common/parallel.h"
#include "../common/philox.h"
#include "ops.h"

namespace neurion {

static Napi::Value Philox(const Napi::CallbackInfo& info) {
  calls::PhiloxCall c = calls::parse_philox(info);
  uint32_t ctr[4] = {c.counter[0], c.counter[1], c.counter[2], c.counter[3]};
  uint32_t* po = c.out.Data();
  for (int64_t b = 0; b < c.blocks; ++b) {
    const Philox4x32 r = philox4x32_10(ctr[0], ctr[1], ctr[2], ctr[3], c.k0, c.k1);
    po[4 * b] = r.v[0]; po[4 * b + 1] = r.v[1]; po[4 * b + 2] = r.v[2]; po[4 * b + 3] = r.v[3];
    for (int w = 0; w < 4 && ++ctr[w] == 0; ++w) {}  // 128-bit increment
  }
  return c.out;
}

static Napi::Value PhiloxNormal(const Napi::CallbackInfo& info) {
  calls::PhiloxNormalCall c = calls::parse_philox_normal(info);
  const uint32_t k0 = c.k0, k1 = c.k1, st = c.stream;
  const int64_t steps = c.steps, path_offset = c.path_offset;
  double* po = c.out.Data();
  parallel_for(c.paths, c.threads, [=](int64_t p0, int64_t p1) {
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
  return c.out;
}

void register_philox(Napi::Env env, Napi::Object exports) {
  exports.Set("philox4x32", Napi::Function::New(env, Philox, "philox4x32"));
  exports.Set("philoxNormal", Napi::Function::New(env, PhiloxNormal, "philoxNormal"));
}

}  // namespace neurion
