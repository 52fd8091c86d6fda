#!/usr/bin/env python3
"""PyTorch peers for Neurion's GPU numbers, run on the GPU machine (PyTorch + cuDNN there; no
Node needed for this script). Three parts, results to <out>/torch_peers.json and a table:

  parity   Neurion's GRU (Keras/TF2 form: reset_after = true, sigmoid recurrent activation)
           and LSTM against torch.nn.GRU / torch.nn.LSTM on the SAME weights and inputs
           (cases written by bench/gpu/export-rnn-cases.mjs). Keras gate blocks are
           reordered to PyTorch's: GRU (z, r, h) -> (r, z, n); LSTM (i, f, c, o) is already
           PyTorch's (i, f, g, o). Float64 on the CPU and float32 on the GPU.
  rnn      cuDNN throughput of the issue's benchmark models, LSTM(128) -> LSTM(128) ->
           Linear(3) and the GRU twin, 60 steps x 16 features: inference at batch 4096 and
           training (cross-entropy, Adam) at batch 256, sequences/s (CUDA-event timing,
           median of repeats after warm-up).
  gbm      GBM terminal statistics in float32 with torch: vectorised randn + sum (the
           issue's "about 267 G path-steps/s") and a step loop (the "about 105 G"),
           path-steps/s.

  python3 bench/gpu/torch_peers.py --cases rnn-cases.json --out $OUT
  python3 bench/gpu/torch_peers.py --selfcheck --cases rnn-cases.json   # no torch needed:
      checks the weight mapping with a numpy transcription of PyTorch's documented GRU/LSTM
      equations against Neurion's outputs (run on the dev machine).
"""
import argparse
import json
import os
import statistics
import sys

import numpy as np


def keras_to_torch(case):
    """Keras layouts -> PyTorch (weight_ih [G*U, F], weight_hh [G*U, U], bias_ih, bias_hh)."""
    F, U = case["features"], case["units"]
    K = np.asarray(case["kernel"], dtype=np.float64).reshape(F, -1)
    R = np.asarray(case["recurrentKernel"], dtype=np.float64).reshape(U, -1)
    G = K.shape[1] // U
    if case["kind"] == "gru":
        order = [1, 0, 2]  # PyTorch (r, z, n) from Keras (z, r, h)
        b = np.asarray(case["bias"], dtype=np.float64).reshape(2, 3 * U) if case["bias"] else np.zeros((2, 3 * U))
        bi, bh = b[0], b[1]
    else:
        order = [0, 1, 2, 3]
        bi = np.asarray(case["bias"], dtype=np.float64) if case["bias"] else np.zeros(4 * U)
        bh = np.zeros(4 * U)
    blk = lambda M, g: M[..., g * U:(g + 1) * U]
    w_ih = np.concatenate([blk(K, g).T for g in order], axis=0)
    w_hh = np.concatenate([blk(R, g).T for g in order], axis=0)
    b_ih = np.concatenate([blk(bi, g) for g in order])
    b_hh = np.concatenate([blk(bh, g) for g in order])
    assert w_ih.shape == (G * U, F) and w_hh.shape == (G * U, U)
    return w_ih, w_hh, b_ih, b_hh


def numpy_torch_rnn(kind, x, w_ih, w_hh, b_ih, b_hh):
    """PyTorch's documented equations (torch.nn.GRU / torch.nn.LSTM), float64; returns h_T."""
    sig = lambda v: 1.0 / (1.0 + np.exp(-v))
    B, T, _ = x.shape
    U = w_hh.shape[1]
    h = np.zeros((B, U))
    c = np.zeros((B, U))
    for t in range(T):
        gi = x[:, t, :] @ w_ih.T + b_ih
        gh = h @ w_hh.T + b_hh
        if kind == "gru":
            r = sig(gi[:, :U] + gh[:, :U])
            z = sig(gi[:, U:2 * U] + gh[:, U:2 * U])
            n = np.tanh(gi[:, 2 * U:] + r * gh[:, 2 * U:])
            h = (1 - z) * n + z * h
        else:
            g = gi + gh
            i, f, gg, o = sig(g[:, :U]), sig(g[:, U:2 * U]), np.tanh(g[:, 2 * U:3 * U]), sig(g[:, 3 * U:])
            c = f * c + i * gg
            h = o * np.tanh(c)
    return h


def case_input(case):
    return np.asarray(case["x"], dtype=np.float64).reshape(case["batch"], case["timesteps"], case["features"])


def rel_err(a, b):
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300)), float(np.max(np.abs(a - b)))


def selfcheck(cases):
    ok = True
    for case in cases:
        h = numpy_torch_rnn(case["kind"], case_input(case), *keras_to_torch(case))
        rel, mx = rel_err(h, case["expectedReference"])
        print(f"selfcheck {case['kind']}: PyTorch equations on mapped weights vs Neurion reference: rel {rel:.2e}, max abs {mx:.2e}")
        ok = ok and rel < 1e-12
    return ok


def parity_torch(torch, cases, dev):
    rows = []
    for case in cases:
        F, U = case["features"], case["units"]
        cls = torch.nn.GRU if case["kind"] == "gru" else torch.nn.LSTM
        for dtype, device in ([(torch.float64, "cpu"), (torch.float32, dev)] if dev != "cpu" else [(torch.float64, "cpu")]):
            m = cls(F, U, batch_first=True).to(device=device, dtype=dtype)
            w_ih, w_hh, b_ih, b_hh = keras_to_torch(case)
            with torch.no_grad():
                for name, v in (("weight_ih_l0", w_ih), ("weight_hh_l0", w_hh), ("bias_ih_l0", b_ih), ("bias_hh_l0", b_hh)):
                    getattr(m, name).copy_(torch.tensor(v, dtype=dtype, device=device))
                y, _ = m(torch.tensor(case_input(case), dtype=dtype, device=device))
            h = y[:, -1, :].double().cpu().numpy()
            rel, mx = rel_err(h, case["expectedReference"])
            rows.append({"kind": case["kind"], "resetAfter": case["resetAfter"], "torchDtype": str(dtype), "device": device, "relErr": rel, "maxAbs": mx})
    return rows


def cuda_time_ms(torch, fn, warmup=5, repeats=30):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


def rnn_bench(torch):
    torch.backends.cudnn.benchmark = True
    dev = "cuda"
    rows = []
    for kind in ("lstm", "gru"):
        cls = torch.nn.LSTM if kind == "lstm" else torch.nn.GRU

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = cls(16, 128, num_layers=2, batch_first=True)
                self.head = torch.nn.Linear(128, 3)

            def forward(self, x):
                y, _ = self.rnn(x)
                return self.head(y[:, -1, :])

        net = Net().to(dev)
        xs = [torch.randn(4096, 60, 16, device=dev) for _ in range(3)]
        k = [0]

        def infer():
            with torch.no_grad():
                net(xs[k[0] % 3])
            k[0] += 1

        ms = cuda_time_ms(torch, infer)
        rows.append({"model": f"{kind}(128)x2 -> dense(3)", "what": "inference batch 4096", "ms": ms, "seqPerSec": 4096 / ms * 1e3})
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        xb = [torch.randn(256, 60, 16, device=dev) for _ in range(3)]
        yb = [torch.randint(0, 3, (256,), device=dev) for _ in range(3)]

        def train_step():
            i = k[0] % 3
            opt.zero_grad(set_to_none=True)
            loss_fn(net(xb[i]), yb[i]).backward()
            opt.step()
            k[0] += 1

        ms = cuda_time_ms(torch, train_step)
        rows.append({"model": f"{kind}(128)x2 -> dense(3)", "what": "training step batch 256 (Adam)", "ms": ms, "seqPerSec": 256 / ms * 1e3})
    return rows


def gbm_bench(torch):
    dev = "cuda"
    paths, steps = 1 << 20, 252
    mu, sigma, dt = 0.05, 0.2, 1.0 / 252
    drift, vol = (mu - 0.5 * sigma * sigma) * dt, sigma * dt ** 0.5
    gen = torch.Generator(device=dev)
    gen.manual_seed(7)

    def vectorised():
        z = torch.randn(paths, steps, device=dev, generator=gen)
        st = 100.0 * torch.exp(drift * steps + vol * z.sum(dim=1))
        st.mean(); st.var()

    def step_loop():
        x = torch.zeros(paths, device=dev)
        for _ in range(steps):
            x += drift + vol * torch.randn(paths, device=dev, generator=gen)
        st = 100.0 * torch.exp(x)
        st.mean(); st.var()

    rows = []
    for name, fn in (("randn + sum (vectorised)", vectorised), ("step loop", step_loop)):
        ms = cuda_time_ms(torch, fn, warmup=3, repeats=10)
        rows.append({"what": name, "paths": paths, "steps": steps, "ms": ms, "pathStepsPerSec": paths * steps / ms * 1e3})
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", default="rnn-cases.json")
    ap.add_argument("--out", default=os.environ.get("OUT", "."))
    ap.add_argument("--selfcheck", action="store_true")
    a = ap.parse_args()
    cases = json.load(open(a.cases))["cases"] if os.path.exists(a.cases) else []
    if a.selfcheck:
        sys.exit(0 if cases and selfcheck(cases) else 1)
    import torch
    res = {"torch": torch.__version__, "cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version(),
           "device": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None}
    res["selfcheck"] = selfcheck(cases) if cases else None
    res["parity"] = parity_torch(torch, cases, "cuda" if torch.cuda.is_available() else "cpu") if cases else []
    if torch.cuda.is_available():
        res["rnn"] = rnn_bench(torch)
        res["gbm"] = gbm_bench(torch)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "torch_peers.json"), "w") as f:
        json.dump(res, f, indent=2)
    for r in res["parity"]:
        print(f"parity {r['kind']:4} {r['device']:4} {r['torchDtype']:14} rel {r['relErr']:.2e} max abs {r['maxAbs']:.2e}")
    for r in res.get("rnn", []):
        print(f"cudnn  {r['model']:24} {r['what']:32} {r['ms']:8.3f} ms {r['seqPerSec']:12.0f} seq/s")
    for r in res.get("gbm", []):
        print(f"torch  gbm {r['what']:26} {r['ms']:8.3f} ms {r['pathStepsPerSec'] / 1e9:8.1f} G path-steps/s")


if __name__ == "__main__":
    main()
