#!/usr/bin/env bash
# CI check of the CUDA addon, no GPU needed. Run from anywhere:  bash kernels/compile-check.sh
#
#   1. compiles every kernels/*.cu with nvcc for sm_90 (compile only, into a temp dir,
#      warnings shown, ptxas register/spill report with VERBOSE=1);
#   2. builds and runs the host emulation of the kernels' index logic
#      (kernels/test/emulate.cpp, g++ with AddressSanitizer/UBSan when available), and of the
#      training path (kernels/test/emulate_train.cpp: nn_train.cuh's launch sequence and GEMM
#      tiles on the host, checked against the CPU training core native/nn/train_cpu.cpp);
#   3. when cmake and the npm dev dependencies are present: the full `npm run build:cuda`
#      (timed), then kernels/test/smoke.cjs (the addon loads, deviceCount() works without
#      a GPU, argument errors match the CPU addon, conformance when a GPU is present).
#
# Exits 0 with "SKIP: ..." when nvcc is absent; non-zero when any step fails.
# Environment: NVCC (compiler, default nvcc on PATH or /usr/local/cuda/bin/nvcc),
# CUDA_ARCH (default 90), VERBOSE=1, SKIP_FULL_BUILD=1.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)

nvcc=${NVCC:-$(command -v nvcc || true)}
if [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ]; then nvcc=/usr/local/cuda/bin/nvcc; fi
if [ -z "$nvcc" ]; then
  echo "SKIP: nvcc not found (set NVCC or install the CUDA toolkit); CUDA kernels not checked"
  exit 0
fi

arch=${CUDA_ARCH:-90}
status=0
t_all=$(date +%s)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== nvcc compile check ($("$nvcc" --version | tail -1), sm_$arch)"
flags=(-std=c++17 -O3 --fmad=false --expt-relaxed-constexpr
       -gencode "arch=compute_$arch,code=sm_$arch"
       -Xcompiler=-Wall,-Wno-unknown-pragmas)
[ "${VERBOSE:-0}" = 1 ] && flags+=(--resource-usage)
pids=()
names=()
for f in kernels/*.cu; do
  o="$tmp/$(basename "$f" .cu).o"
  ("$nvcc" "${flags[@]}" -c "$f" -o "$o" > "$o.log" 2>&1) &
  pids+=($!)
  names+=("$f")
done
for i in "${!pids[@]}"; do
  f=${names[$i]}
  o="$tmp/$(basename "$f" .cu).o"
  if wait "${pids[$i]}"; then
    echo "ok   $f"
  else
    echo "FAIL $f"
    status=1
  fi
  # Warnings (or the resource report) are shown either way.
  [ -s "$o.log" ] && sed 's/^/     /' "$o.log"
done

echo "== host emulation of the kernels' index logic"
cxx=${CXX:-$(command -v g++ || command -v c++ || true)}
if [ -z "$cxx" ]; then
  echo "SKIP emulation: no host C++ compiler"
else
  san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
  echo 'int main(){return 0;}' > "$tmp/san.cpp"
  "$cxx" "${san[@]}" "$tmp/san.cpp" -o "$tmp/san" > /dev/null 2>&1 && "$tmp/san" || san=()
  if "$cxx" -std=c++17 -O1 -g -Wall -Wextra -Wno-unused-parameter "${san[@]}" kernels/test/emulate.cpp -o "$tmp/emulate" &&
     "$tmp/emulate"; then
    echo "ok   emulate${san:+ (ASan+UBSan)}"
  else
    echo "FAIL emulate"
    status=1
  fi
  # Training path (kernels/nn_train.cuh) against the CPU training core, linked in.
  if "$cxx" -std=c++17 -O1 -g -Wall -Wextra -Wno-unused-parameter "${san[@]}" kernels/test/emulate_train.cpp \
       native/nn/train_cpu.cpp -o "$tmp/emulate_train" -lpthread && "$tmp/emulate_train" > "$tmp/emulate_train.log" 2>&1; then
    tail -1 "$tmp/emulate_train.log" | sed 's/^ok   /     /'
    echo "ok   emulate_train${san:+ (ASan+UBSan)}"
  else
    [ -s "$tmp/emulate_train.log" ] && sed 's/^/     /' "$tmp/emulate_train.log"
    echo "FAIL emulate_train"
    status=1
  fi
fi

echo "== full build (npm run build:cuda)"
if [ "${SKIP_FULL_BUILD:-0}" = 1 ]; then
  echo "SKIP full build: SKIP_FULL_BUILD=1"
elif ! command -v cmake > /dev/null; then
  echo "SKIP full build: cmake not found"
elif [ ! -x node_modules/.bin/cmake-js ] || [ ! -d node_modules/node-addon-api ]; then
  echo "SKIP full build: node_modules/.bin/cmake-js or node-addon-api missing (run npm ci)"
else
  t0=$(date +%s)
  if PATH="$(dirname "$nvcc"):$PATH" CUDACXX="$nvcc" npm run --silent build:cuda > "$tmp/build.log" 2>&1; then
    t1=$(date +%s)
    size=$(stat -c %s build-cuda/Release/neurion_cuda.node 2> /dev/null || echo '?')
    echo "ok   build-cuda/Release/neurion_cuda.node ($size bytes) built in $((t1 - t0)) s"
    grep -iE 'warning|error' "$tmp/build.log" | sed 's/^/     /'
    if node kernels/test/smoke.cjs "$root/build-cuda/Release/neurion_cuda.node" > "$tmp/smoke.log" 2>&1; then
      sed 's/^/     /' "$tmp/smoke.log"
      echo "ok   smoke test"
    else
      sed 's/^/     /' "$tmp/smoke.log"
      echo "FAIL smoke test"
      status=1
    fi
  else
    tail -40 "$tmp/build.log" | sed 's/^/     /'
    echo "FAIL full build after $(($(date +%s) - t0)) s"
    status=1
  fi
fi

echo "== compile-check $([ $status = 0 ] && echo passed || echo FAILED) in $(($(date +%s) - t_all)) s"
exit $status
