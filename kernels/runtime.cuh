// CUDA runtime helpers for the kernels/*.cu translation units: error checking that
// throws neurion::cuda::Error, RAII owners for streams, events and device buffers (freed
// on every path, error paths included), device selection and chunk budgets.
#pragma once
#include <cuda_runtime.h>
#include <cstdint>
#include <string>
#include "cuda_api.h"

namespace neurion::cuda {

// Throws Error("<call> failed: <cudaGetErrorString> (<cudaGetErrorName>) [file:line]").
// `call` is the stringized call; only the function name is kept.
[[noreturn]] void throw_cuda(const char* call, cudaError_t e, const char* file, int line);

#define NEURION_CUDA_CHECK(...)                                                                   \
  do {                                                                                            \
    const cudaError_t neurion_e_ = (__VA_ARGS__);                                                 \
    if (neurion_e_ != cudaSuccess) ::neurion::cuda::throw_cuda(#__VA_ARGS__, neurion_e_, __FILE__, __LINE__); \
  } while (0)

// After every <<<>>> launch: configuration errors surface from cudaGetLastError.
#define NEURION_CUDA_CHECK_LAUNCH(kernel_name)                                                    \
  do {                                                                                            \
    const cudaError_t neurion_e_ = cudaGetLastError();                                            \
    if (neurion_e_ != cudaSuccess) ::neurion::cuda::throw_cuda(kernel_name "<<<>>>", neurion_e_, __FILE__, __LINE__); \
  } while (0)

// Selects the op device (NEURION_CUDA_DEVICE, default 0) for this host thread. Throws
// Error("no CUDA device available (...)") when there is no usable device.
int require_device();

struct DeviceProps {
  int sm_count = 0;
  int max_threads_per_sm = 0;
  int max_smem_optin = 0;  // bytes of dynamic shared memory a block may opt in to
  bool mem_pools = false;  // cudaMallocAsync supported
};
const DeviceProps& device_props(int dev);

// Bytes per device array per round trip: NEURION_CUDA_CHUNK_BYTES (for tests), else
// 1 GiB, and never more than a quarter of the free device memory.
int64_t chunk_bytes();

class Stream {
 public:
  Stream() { NEURION_CUDA_CHECK(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  ~Stream() {
    if (s_ != nullptr) cudaStreamDestroy(s_);  // pending work still completes
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }
  void sync() const { NEURION_CUDA_CHECK(cudaStreamSynchronize(s_)); }

 private:
  cudaStream_t s_ = nullptr;
};

// Device allocation owned for the duration of one op. Stream-ordered (cudaMallocAsync
// from the device's default pool, whose release threshold keeps recently freed memory
// cached across calls: the "arena") where supported, cudaMalloc otherwise.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer(int64_t count, cudaStream_t s, bool pooled) : s_(s), pooled_(pooled) {
    const size_t bytes = static_cast<size_t>(count) * sizeof(T);
    void* p = nullptr;
    if (pooled_) NEURION_CUDA_CHECK(cudaMallocAsync(&p, bytes, s_));
    else NEURION_CUDA_CHECK(cudaMalloc(&p, bytes));
    p_ = static_cast<T*>(p);
  }
  ~DeviceBuffer() {
    if (p_ == nullptr) return;
    if (pooled_) cudaFreeAsync(p_, s_);  // errors ignored: nothing sensible to do in a destructor
    else cudaFree(p_);
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return p_; }

 private:
  T* p_ = nullptr;
  cudaStream_t s_;
  bool pooled_;
};

// Start/stop event pair accumulating elapsed device time into a double (milliseconds).
class PhaseTimer {
 public:
  PhaseTimer() {
    NEURION_CUDA_CHECK(cudaEventCreate(&a_));
    const cudaError_t e = cudaEventCreate(&b_);
    if (e != cudaSuccess) {
      cudaEventDestroy(a_);
      a_ = nullptr;
      throw_cuda("cudaEventCreate", e, __FILE__, __LINE__);
    }
  }
  ~PhaseTimer() {
    if (a_ != nullptr) cudaEventDestroy(a_);
    if (b_ != nullptr) cudaEventDestroy(b_);
  }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;
  void start(cudaStream_t s) { NEURION_CUDA_CHECK(cudaEventRecord(a_, s)); }
  void stop(cudaStream_t s) { NEURION_CUDA_CHECK(cudaEventRecord(b_, s)); }
  // Call after the stream is synchronized.
  double elapsed_ms() const {
    float ms = 0.f;
    NEURION_CUDA_CHECK(cudaEventElapsedTime(&ms, a_, b_));
    return static_cast<double>(ms);
  }

 private:
  cudaEvent_t a_ = nullptr, b_ = nullptr;
};

void set_last_timings(const Timings& t);

// Grid size for grid-stride kernels: enough blocks to fill the device several times,
// never more than the work items nor the launch limit.
inline unsigned grid_for(int64_t items, int64_t per_block, int sm_count, int blocks_per_sm_target = 32) {
  int64_t g = (items + per_block - 1) / per_block;
  const int64_t cap = static_cast<int64_t>(sm_count > 0 ? sm_count : 1) * blocks_per_sm_target;
  if (g > cap) g = cap;
  if (g < 1) g = 1;
  return static_cast<unsigned>(g);
}

}  // namespace neurion::cuda
