// CPU driver of mc.simulate (native/mc/mc_cpu.cpp): simulates paths [path_offset,
// path_offset + paths) on `threads` threads and writes their accumulator (mc_acc.h) to acc.
#pragma once
#include <cstdint>
#include "mc_model.h"

namespace neurion::mc {

void simulate_cpu(const Model& m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t paths, int64_t steps,
                  const double* spec, double* acc, int threads);

// Exposed for tests of the lockstep path: simulates `paths` paths scalar (lanes = false) or
// in SIMD lockstep groups (lanes = true) into out[paths].
void simulate_paths_cpu(const Model& m, uint32_t k0, uint32_t k1, uint64_t path_offset, int64_t paths, int64_t steps,
                        PathOut* out, bool lanes);

}  // namespace neurion::mc
