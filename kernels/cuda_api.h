// Interface between the N-API binding (kernels/binding.cpp, compiled by the host C++
// compiler, knows nothing about CUDA) and the CUDA translation units (kernels/*.cu).
// Plain C++ only: no CUDA types, no napi types. Every function that touches the device
// throws neurion::cuda::Error (a std::runtime_error) whose what() names the failing CUDA
// call and carries cudaGetErrorString; the binding turns it into a JS Error.
//
// All pointers below are HOST pointers (the typed arrays' memory). Each op copies its
// inputs to the device, launches, and copies the results back before returning.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include "../native/mc/mc_model.h"
#include "../native/nn/nn_spec.h"

namespace neurion::cuda {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Number of usable CUDA devices. Never throws: no driver, a driver too old for this
// runtime, or no device all give 0, and *why (when given) says which.
int device_count(std::string* why) noexcept;

struct DeviceInfo {
  int index = 0;
  std::string name;
  double total_memory_bytes = 0;
  int cc_major = 0, cc_minor = 0;
  int multiprocessor_count = 0;
  int driver_version = 0;   // CUDA convention: 1000 * major + 10 * minor (0: no driver)
  int runtime_version = 0;  // idem, of the statically linked runtime
};

// The device the ops run on (NEURION_CUDA_DEVICE, default 0). Throws Error when there is none.
DeviceInfo device_info();

struct CudaBuildInfo {
  std::string nvcc_version;      // "13.0.88"
  int runtime_version = 0;       // CUDART_VERSION compiled against
  std::string architectures;     // CMAKE_CUDA_ARCHITECTURES
  bool fmad = false;             // --fmad (FMA contraction) in the kernels
};
CudaBuildInfo build_info();

// Device-side time of the last op called on this thread, from CUDA events, summed over
// its chunks. kernel_ms excludes the copies; h2d/d2h are the pageable-memory copies.
struct Timings {
  double h2d_ms = 0, kernel_ms = 0, d2h_ms = 0;
  double h2d_bytes = 0, d2h_bytes = 0;
  int64_t chunks = 0;
  std::string kernel;  // which kernel variant ran ("sma_tiled", "sma_direct", ...)
};
Timings last_timings();

// sma over a row-major [rows x cols] matrix; out may not alias x. 1 <= period <= cols.
void sma_f64(const double* x, double* out, int64_t rows, int64_t cols, int64_t period);

// Raw Philox4x32-10 blocks for counter, counter + 1, ... (128-bit add), 4 words each.
void philox4x32_raw(uint32_t k0, uint32_t k1, const uint32_t counter[4], int64_t blocks, uint32_t* out);

// [paths x steps] standard normals under Neurion's keying (native/common/philox.h).
void philox_normal(uint32_t k0, uint32_t k1, uint32_t stream, int64_t path_offset, int64_t paths, int64_t steps,
                   double* out);

// Indicator `index` (native/ta/table.cpp order, as parse_ta_call's TaCall::index) over
// row-major [rows x cols] matrices: in[0..n_in) and out[0..n_out) of the indicator's meta,
// params already validated (ta::params_error). One thread per row; rows chunked to the
// device budget. Throws Error when the CUDA kernel table does not match table.cpp.
void ta_f64(int index, const double* const* in, double* const* out, const double* params, int64_t rows,
            int64_t cols);

// Empty when the CUDA indicator table (kernels/ta.cu, expanded from native/ta/list.h) has the
// same indicators in the same order as native/ta/table.cpp; else what differs. No device needed.
std::string ta_table_mismatch();

// Monte Carlo paths [path_offset, path_offset + paths) of a prepared model (host `aux` of
// aux_len doubles, copied to the device) reduced into the accumulator acc (native/mc/mc_acc.h)
// for the 8-double spec; model and spec validated by the caller (mc_prepare.h).
void mc_simulate(const mc::Model& model, int64_t aux_len, uint32_t k0, uint32_t k1, int64_t path_offset, int64_t paths,
                 int64_t steps, const double* spec, double* acc);

// Recurrent-network inference (kernels/nn.cu): a validated model (native/nn/nn_spec.h) and its
// float32 weights, x [batch, T, F] float32 (finite, checked by the caller) -> out [batch, units]
// or [batch, T, units] float32. Throws Error when one sequence's state does not fit in shared memory.
// Fused feature kernel (kernels/features.cu, native/ta/features.h): in = open, high, low,
// close, volume [rows x cols] each; spec = a validated feature set of nf features
// ([id, p0, p1, p2] each); out = [rows x cols x nf] of float (f32) or double.
void ta_features(const double* const* in, int64_t rows, int64_t cols, const double* spec, int nf, void* out, bool f32);

void nn_forward_f32(const nn::ModelSpec& m, const float* weights, const float* x, int64_t batch, int64_t T, float* out);

}  // namespace neurion::cuda
