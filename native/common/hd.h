// Shared by the C++ CPU core (native/) and the CUDA kernels (kernels/): one definition
// of each numeric primitive so both backends compute the same function.
#pragma once
#if defined(__CUDACC__)
#define NEURION_HD __host__ __device__ __forceinline__
#else
#define NEURION_HD inline
#endif
