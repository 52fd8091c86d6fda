#!/usr/bin/env bash
# Everything a lent GPU machine must check and measure for Neurion, in ONE device call
# (the device machine has no Node and keeps nothing between leases).
#
# Here, before the call (builds offline; sm_90 + PTX, static cudart):
#   npm run build:native && npm run build:cuda && npx tsc -p tsconfig.json
#   ../shared/device/pack build-cuda          # node + node_modules + build + dist + build-cuda
# The call (device tool, carry [".device"], timeout 600):
#   source .device/unpack.sh && bash kernels/gpu-session.sh
#
# Writes every log and the bench JSONs under $OUT (fetched back by the tool) and prints a
# short table last. Steps are independent: one failing does not stop the others. Order:
# correctness before speed (a failed conformance makes the timings meaningless).
set -u
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/neurion-gpu}
mkdir -p "$out"
summary=()
step() {
  local name=$1; shift
  local t0=$(date +%s)
  "$@" > "$out/$name.log" 2>&1
  local rc=$?
  summary+=("$(printf '%-22s rc=%-3s %4ss  %s' "$name" "$rc" "$(( $(date +%s) - t0 ))" "$(tail -n 1 "$out/$name.log" | cut -c1-90)")")
}

nvidia-smi > "$out/nvidia-smi.txt" 2>&1
node -e "const c=require('./build-cuda/Release/neurion_cuda.node'); console.log(JSON.stringify(c.deviceInfo()))" > "$out/device.json" 2>&1

# 1. Correctness: the smoke test (sma, philox), the fused features, then the vitest files whose
#    cuda sections only run with a device (conformance of every registered op on every backend,
#    mc.simulate incl. gbm-f32, nn training), all against the CPU / TypeScript references.
step smoke           node kernels/test/smoke.cjs
step features        node kernels/test/features.cjs
step features-chunks env NEURION_CUDA_CHUNK_BYTES=4194304 node kernels/test/features.cjs
step vitest-cuda     npx vitest run tests/conformance.test.ts tests/mc.native.test.ts tests/models.train.cuda.test.ts --testTimeout=300000

# 2. Speed (the issues' GPU targets: kernels >= 50% of the measured copy bandwidth, gbm-f32
#    >= 650 G path-steps/s, LSTM inference >= 420k seq/s at batch 4096 and training >= 50k seq/s
#    at batch 256): kernel bandwidth (sma, philox, ta), fused features, Monte Carlo (float64 and
#    gbm-f32 path-steps/s), LSTM/GRU inference and training (the suites skip what they cannot run).
step smoke-bench     env SMOKE_BENCH=1 node kernels/test/smoke.cjs
step features-bench  env NEURION_CUDA_CHUNK_BYTES=8589934592 FEATURES_BENCH=1 node kernels/test/features.cjs
step bench-mc        node dist/bench/run.js --suite mc
step bench-lstm      node dist/bench/run.js --suite lstm
step bench-train     node dist/bench/run.js --suite lstm-train
step train-bench     node kernels/test/train-bench.cjs 100   # nnTrainGrad alone: the per-call time split

# 3. PyTorch peers in the same lease: GRU(reset_after)/LSTM parity on Neurion's weights,
#    cuDNN inference/training throughput of the benchmark models, torch GBM path-steps/s.
step export-rnn      node bench/gpu/export-rnn-cases.mjs "$out/rnn-cases.json"
step torch-peers     python3 bench/gpu/torch_peers.py --cases "$out/rnn-cases.json" --out "$out"
cp bench/results/*.json "$out/" 2>/dev/null

printf '%s\n' "${summary[@]}"
