// Device discovery, error reporting, build info and per-thread timings for the CUDA addon.
// The CUDA runtime is linked statically (CMAKE_CUDA_RUNTIME_LIBRARY Static): the addon has
// no libcudart.so dependency and loads on machines with no driver at all; the runtime
// loads libcuda.so.1 lazily on the first call and reports its absence as an error code,
// which device_count() turns into 0.
#include "runtime.cuh"

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#ifndef NEURION_CUDA_ARCHITECTURES
#define NEURION_CUDA_ARCHITECTURES "unknown"
#endif

namespace neurion::cuda {

namespace {

std::string version_string(int v) {
  if (v <= 0) return "none";
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

std::string err_text(cudaError_t e) {
  return std::string(cudaGetErrorString(e)) + " (" + cudaGetErrorName(e) + ")";
}

// Index requested through NEURION_CUDA_DEVICE, default 0; -1 when the variable is malformed.
int requested_device() {
  const char* s = std::getenv("NEURION_CUDA_DEVICE");
  if (s == nullptr || *s == '\0') return 0;
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (*end != '\0' || v < 0 || v > 1024) return -1;
  return static_cast<int>(v);
}

thread_local Timings t_last;

}  // namespace

void throw_cuda(const char* call, cudaError_t e, const char* file, int line) {
  std::string name(call);
  const size_t paren = name.find('(');
  if (paren != std::string::npos) name.resize(paren);
  while (!name.empty() && name.back() == ' ') name.pop_back();
  const char* base = std::strrchr(file, '/');
  throw Error(name + " failed: " + err_text(e) + " [" + (base ? base + 1 : file) + ":" + std::to_string(line) + "]");
}

int device_count(std::string* why) noexcept {
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    cudaGetLastError();  // clear the (non-sticky) error so later calls start clean
    if (why != nullptr) {
      int drv = 0;
      cudaDriverGetVersion(&drv);
      try {
        *why = "cudaGetDeviceCount: " + err_text(e) + "; " +
               (drv > 0 ? "driver supports CUDA " + version_string(drv)
                        : std::string("no NVIDIA driver found (libcuda.so.1 not loadable)")) +
               ", runtime needs CUDA " + version_string(CUDART_VERSION);
      } catch (...) {
      }
    }
    return 0;
  }
  if (n == 0 && why != nullptr) {
    try {
      *why = "cudaGetDeviceCount returned 0 devices";
    } catch (...) {
    }
  }
  return n;
}

int require_device() {
  std::string why;
  const int n = device_count(&why);
  if (n <= 0) throw Error("no CUDA device available (" + why + ")");
  const int dev = requested_device();
  if (dev < 0 || dev >= n)
    throw Error("NEURION_CUDA_DEVICE must be an integer in [0, " + std::to_string(n - 1) + "], got '" +
                std::string(std::getenv("NEURION_CUDA_DEVICE")) + "'");
  NEURION_CUDA_CHECK(cudaSetDevice(dev));
  return dev;
}

const DeviceProps& device_props(int dev) {
  static std::mutex mu;
  static std::vector<DeviceProps> cache;
  static std::vector<bool> have;
  std::lock_guard<std::mutex> lock(mu);
  if (static_cast<size_t>(dev) >= cache.size()) {
    cache.resize(static_cast<size_t>(dev) + 1);
    have.resize(static_cast<size_t>(dev) + 1, false);
  }
  if (!have[static_cast<size_t>(dev)]) {
    DeviceProps p;
    NEURION_CUDA_CHECK(cudaDeviceGetAttribute(&p.sm_count, cudaDevAttrMultiProcessorCount, dev));
    NEURION_CUDA_CHECK(cudaDeviceGetAttribute(&p.max_threads_per_sm, cudaDevAttrMaxThreadsPerMultiProcessor, dev));
    NEURION_CUDA_CHECK(cudaDeviceGetAttribute(&p.max_smem_optin, cudaDevAttrMaxSharedMemoryPerBlockOptin, dev));
    int pools = 0;
    NEURION_CUDA_CHECK(cudaDeviceGetAttribute(&pools, cudaDevAttrMemoryPoolsSupported, dev));
    p.mem_pools = pools != 0;
    if (p.mem_pools) {
      // Keep up to 2 GiB of freed memory in the default pool between calls instead of
      // returning it to the driver at every synchronization.
      cudaMemPool_t pool;
      NEURION_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, dev));
      uint64_t keep = uint64_t{2} << 30;
      NEURION_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &keep));
    }
    cache[static_cast<size_t>(dev)] = p;
    have[static_cast<size_t>(dev)] = true;
  }
  return cache[static_cast<size_t>(dev)];
}

int64_t chunk_bytes() {
  int64_t want = int64_t{1} << 30;
  if (const char* s = std::getenv("NEURION_CUDA_CHUNK_BYTES")) {
    char* end = nullptr;
    const long long v = std::strtoll(s, &end, 10);
    if (*end == '\0' && v >= 16) want = v;
  }
  size_t free_b = 0, total_b = 0;
  NEURION_CUDA_CHECK(cudaMemGetInfo(&free_b, &total_b));
  const int64_t quarter = static_cast<int64_t>(free_b / 4);
  if (quarter >= 16 && want > quarter) want = quarter;
  return want;
}

DeviceInfo device_info() {
  const int dev = require_device();
  cudaDeviceProp prop;
  NEURION_CUDA_CHECK(cudaGetDeviceProperties(&prop, dev));
  DeviceInfo d;
  d.index = dev;
  d.name = prop.name;
  d.total_memory_bytes = static_cast<double>(prop.totalGlobalMem);
  d.cc_major = prop.major;
  d.cc_minor = prop.minor;
  d.multiprocessor_count = prop.multiProcessorCount;
  NEURION_CUDA_CHECK(cudaDriverGetVersion(&d.driver_version));
  NEURION_CUDA_CHECK(cudaRuntimeGetVersion(&d.runtime_version));
  return d;
}

CudaBuildInfo build_info() {
  CudaBuildInfo b;
  b.nvcc_version = std::to_string(__CUDACC_VER_MAJOR__) + "." + std::to_string(__CUDACC_VER_MINOR__) + "." +
                   std::to_string(__CUDACC_VER_BUILD__);
  b.runtime_version = CUDART_VERSION;
  b.architectures = NEURION_CUDA_ARCHITECTURES;
#if defined(NEURION_CUDA_FMAD)
  b.fmad = true;
#else
  b.fmad = false;
#endif
  return b;
}

void set_last_timings(const Timings& t) { t_last = t; }
Timings last_timings() { return t_last; }

}  // namespace neurion::cuda
