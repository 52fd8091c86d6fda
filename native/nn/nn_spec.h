// Model description shared by the CPU addon (native/ops/nn.cpp) and the CUDA addon
// (kernels/binding.cpp): the Int32Array "spec" that src/models/native.ts encodes, its
// validation (plain C++, no N-API, no SIMD) and the weight offsets of every layer.
//
// spec (Int32Array):
//   [0] format version (1)   [1] layer count L (1..64)   [2] features F (1..65536)
//   [3] timesteps T (0 = any length, else 1..2^20)
//   then 8 ints per layer:
//   [kind, units, inputDim, activation, recurrentActivation, returnSequences, useBias, resetAfter]
//     kind: 1 LSTM, 2 GRU, 3 Dense          (Dropout is identity at inference: not encoded)
//     activation / recurrentActivation: 0 linear, 1 tanh, 2 sigmoid, 3 hard_sigmoid, 4 relu,
//       5 softmax (Dense only)
//
// weights (Float32Array): every layer's arrays, in layer order and in the TF.js manifest order
// and layout (row-major, Keras shapes):
//   LSTM  kernel [in, 4u] (gates i, f, c, o), recurrent_kernel [u, 4u], bias [4u] (if useBias)
//   GRU   kernel [in, 3u] (gates z, r, h),    recurrent_kernel [u, 3u],
//         bias [3u] (reset_after = 0) or [2, 3u] (reset_after = 1: input bias row, recurrent bias row)
//   Dense kernel [in, units], bias [units] (if useBias)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace neurion::nn {

enum class Kind : int32_t { LSTM = 1, GRU = 2, Dense = 3 };
enum class Act : int32_t { Linear = 0, Tanh = 1, Sigmoid = 2, HardSigmoid = 3, Relu = 4, Softmax = 5 };

constexpr int kSpecVersion = 1;
constexpr int kHeader = 4;
constexpr int kPerLayer = 8;
constexpr int kMaxLayers = 64;
constexpr int kMaxUnits = 4096;
constexpr int kMaxFeatures = 65536;
constexpr int kMaxTimesteps = 1 << 20;

struct LayerSpec {
  Kind kind = Kind::Dense;
  int units = 0;
  int input_dim = 0;
  Act act = Act::Linear;
  Act rec_act = Act::Sigmoid;
  bool return_sequences = false;
  bool use_bias = true;
  bool reset_after = false;
  // Offsets (in floats) into the weights array; -1 when absent.
  int64_t kernel = -1, recurrent = -1, bias = -1;
  int64_t kernel_len = 0, recurrent_len = 0, bias_len = 0;
  int gates() const { return kind == Kind::LSTM ? 4 : kind == Kind::GRU ? 3 : 1; }
  const char* kind_name() const { return kind == Kind::LSTM ? "lstm" : kind == Kind::GRU ? "gru" : "dense"; }
};

struct ModelSpec {
  int features = 0;
  int timesteps = 0;  // 0: any length
  std::vector<LayerSpec> layers;
  int64_t weights_len = 0;
  int out_units = 0;        // width of one output row
  bool out_sequence = false;  // output is [T, out_units] per sequence (else [out_units])
};

inline const char* act_name(Act a) {
  switch (a) {
    case Act::Linear: return "linear";
    case Act::Tanh: return "tanh";
    case Act::Sigmoid: return "sigmoid";
    case Act::HardSigmoid: return "hard_sigmoid";
    case Act::Relu: return "relu";
    case Act::Softmax: return "softmax";
  }
  return "?";
}

// Parses and validates `spec` against a weights array of `weights_len` floats. Returns "" and
// fills *out, or the error message (a RangeError's text, prefixed with `op`).
inline std::string parse_spec(const char* op, const int32_t* spec, int64_t n, int64_t weights_len, ModelSpec* out) {
  const std::string p = std::string(op) + ": ";
  if (n < kHeader) return p + "spec must have at least " + std::to_string(kHeader) + " entries, got " + std::to_string(n);
  if (spec[0] != kSpecVersion)
    return p + "spec format version must be " + std::to_string(kSpecVersion) + ", got " + std::to_string(spec[0]);
  const int layers = spec[1];
  if (layers < 1 || layers > kMaxLayers)
    return p + "spec layer count must be in [1, " + std::to_string(kMaxLayers) + "], got " + std::to_string(layers);
  if (n != kHeader + int64_t{kPerLayer} * layers)
    return p + "spec must have length " + std::to_string(kHeader + kPerLayer * layers) + " (4 + 8 * layers), got " +
           std::to_string(n);
  ModelSpec m;
  m.features = spec[2];
  if (m.features < 1 || m.features > kMaxFeatures)
    return p + "spec features must be in [1, " + std::to_string(kMaxFeatures) + "], got " + std::to_string(m.features);
  m.timesteps = spec[3];
  if (m.timesteps < 0 || m.timesteps > kMaxTimesteps)
    return p + "spec timesteps must be 0 (any) or in [1, " + std::to_string(kMaxTimesteps) + "], got " +
           std::to_string(m.timesteps);
  int width = m.features;
  bool sequence = true;
  int64_t off = 0;
  for (int l = 0; l < layers; ++l) {
    const int32_t* s = spec + kHeader + kPerLayer * l;
    const std::string at = p + "layer " + std::to_string(l) + ": ";
    LayerSpec L;
    if (s[0] < 1 || s[0] > 3) return at + "kind must be 1 (lstm), 2 (gru) or 3 (dense), got " + std::to_string(s[0]);
    L.kind = static_cast<Kind>(s[0]);
    L.units = s[1];
    if (L.units < 1 || L.units > kMaxUnits)
      return at + "units must be in [1, " + std::to_string(kMaxUnits) + "], got " + std::to_string(L.units);
    L.input_dim = s[2];
    if (L.input_dim != width)
      return at + "inputDim must equal the previous layer's output width " + std::to_string(width) + ", got " +
             std::to_string(L.input_dim);
    const int max_act = L.kind == Kind::Dense ? 5 : 4;
    if (s[3] < 0 || s[3] > max_act)
      return at + "activation code must be in [0, " + std::to_string(max_act) + "], got " + std::to_string(s[3]);
    L.act = static_cast<Act>(s[3]);
    if (L.kind != Kind::Dense) {
      if (s[4] < 0 || s[4] > 4) return at + "recurrentActivation code must be in [0, 4], got " + std::to_string(s[4]);
      L.rec_act = static_cast<Act>(s[4]);
      if (!sequence) return at + std::string(L.kind_name()) + " needs a sequence input: the previous recurrent layer has returnSequences false";
    }
    for (int f = 5; f <= 7; ++f)
      if (s[f] != 0 && s[f] != 1) return at + "flags (returnSequences, useBias, resetAfter) must be 0 or 1, got " + std::to_string(s[f]);
    L.return_sequences = s[5] == 1;
    L.use_bias = s[6] == 1;
    L.reset_after = s[7] == 1;
    if (L.kind == Kind::Dense && (L.return_sequences || L.reset_after))
      return at + "dense layers take no returnSequences/resetAfter flag";
    if (L.kind == Kind::LSTM && L.reset_after) return at + "resetAfter applies to GRU only";
    const int64_t g = L.gates(), u = L.units;
    L.kernel = off; L.kernel_len = int64_t{width} * g * u; off += L.kernel_len;
    if (L.kind != Kind::Dense) { L.recurrent = off; L.recurrent_len = u * g * u; off += L.recurrent_len; }
    if (L.use_bias) { L.bias = off; L.bias_len = (L.reset_after ? 2 : 1) * g * u; off += L.bias_len; }
    if (L.kind != Kind::Dense) sequence = L.return_sequences;
    width = L.units;
    m.layers.push_back(L);
  }
  if (off != weights_len)
    return p + "weights must have length " + std::to_string(off) + " (the sum of every layer's kernel, recurrent kernel and bias), got " +
           std::to_string(weights_len);
  m.weights_len = off;
  m.out_units = width;
  m.out_sequence = sequence;
  *out = std::move(m);
  return "";
}

// Index of the first non-finite weight, or -1; *what names the layer array holding it.
inline int64_t first_nonfinite_weight(const ModelSpec& m, const float* w, std::string* what) {
  for (size_t l = 0; l < m.layers.size(); ++l) {
    const LayerSpec& L = m.layers[l];
    const struct { int64_t off, len; const char* name; } parts[3] = {
        {L.kernel, L.kernel_len, "kernel"}, {L.recurrent, L.recurrent_len, "recurrent_kernel"}, {L.bias, L.bias_len, "bias"}};
    for (const auto& part : parts) {
      if (part.off < 0) continue;
      for (int64_t i = 0; i < part.len; ++i) {
        const float v = w[part.off + i];
        if (!(v - v == 0.0f)) {
          *what = "layer " + std::to_string(l) + " (" + L.kind_name() + ") " + part.name + " index " + std::to_string(i);
          return part.off + i;
        }
      }
    }
  }
  return -1;
}

}  // namespace neurion::nn
