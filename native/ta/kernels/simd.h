// Host SIMD for the indicator kernels. x86 hosts built by GCC/Clang: a few loops also have an
// AVX version (4 bars per instruction: the same IEEE operations, so the same values), chosen
// at run time when the CPU has AVX (the addon itself is built for baseline x86-64).
#pragma once
#if !defined(__CUDACC__) && defined(__SSE2__)
#include <emmintrin.h>
#endif
#if !defined(__CUDACC__) && defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__)) && \
    (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#define NEURION_TA_AVX_DISPATCH 1
#define NEURION_TA_AVX __attribute__((target("avx")))
namespace neurion::ta::vs {
inline bool cpu_has_avx() {
  static const bool ok = __builtin_cpu_supports("avx");
  return ok;
}
}  // namespace neurion::ta::vs
#endif
