"""Fit the engine's speed constants on shared/data/measurements_public.csv (llama.cpp) and
shared/data/serving/h200_bf16_cudagraph.csv (vLLM-class) and write planner/engine/calibration.py.

Decode, per device class and for the vLLM-class profile: seconds per step = a · bytes/(bandwidth·1e9) + b + c · layers
by least squares on relative error with the physical bounds held (a ≥ 1, so efficiency = 1/a ≤ 1; b, c ≥ 0).
Bands: the cross-validated 10th/90th percentile of measured/predicted (leave one GPU out for llama.cpp, one model
out for the vLLM-class set). Prefill: efficiency = median of measured tok/s × FLOPs/token / (TFLOPS·1e12).
Run: make bench-calibrate (then commit the regenerated module).
"""

import statistics
from datetime import date

from common import ROOT, StepRow, decode_bytes, ensure_seeded, measurement_rows, percentile, prefill_flops, serving_rows

MIN_ROWS = 4


def fit_decode(rows):
    """A llama.cpp device class's decode step (fit_step on its measurements), with its band: the 10th-90th
    percentile of measured / predicted, cross-validated by leaving each GPU out."""
    steps = [StepRow(r.label, 1, r.arch.num_layers, decode_bytes(r), r.device, 1.0 / r.tok_s) for r in rows]
    fit = fit_step(steps)
    gpus = {r.model for r in steps}  # StepRow.model carries the GPU label here
    ratios = cross_validated_ratios(steps, fit_step, key=lambda r: r.model) if len(gpus) > 1 else \
        [step_seconds(fit, r) / r.seconds for r in steps]
    return {**fit, "low": round(percentile(ratios, 0.1), 3), "high": round(percentile(ratios, 0.9), 3),
            "rows": len(rows)}


def _solve(rows, weights, free):
    """Weighted least squares of seconds = a·x + b + c·layers over the parameters in ``free`` (the others held
    at their bounds: a = 1, i.e. efficiency 1, b = c = 0)."""
    fixed = {"a": 1.0, "b": 0.0, "c": 0.0}
    feats = {"a": lambda r: r.read_bytes / (r.device.bandwidth_gbs * 1e9), "b": lambda r: 1.0, "c": lambda r: r.layers}
    names = [n for n in "abc" if n in free]
    target = [r.seconds - sum(fixed[n] * feats[n](r) for n in "abc" if n not in free) for r in rows]
    k = len(names)
    m = [[sum(w * feats[p](r) * feats[q](r) for r, w in zip(rows, weights, strict=True)) for q in names] for p in names]
    v = [sum(w * feats[p](r) * t for r, w, t in zip(rows, weights, target, strict=True)) for p in names]
    for i in range(k):  # Gauss-Jordan on the k×k normal equations (k ≤ 3)
        pivot = max(range(i, k), key=lambda j: abs(m[j][i]))
        m[i], m[pivot], v[i], v[pivot] = m[pivot], m[i], v[pivot], v[i]
        if abs(m[i][i]) < 1e-30:
            return None
        for j in range(k):
            if j != i:
                f = m[j][i] / m[i][i]
                m[j] = [a - f * b for a, b in zip(m[j], m[i], strict=True)]
                v[j] -= f * v[i]
    return {**fixed, **{n: v[i] / m[i][i] for i, n in enumerate(names)}}


def fit_step(rows):
    """Decode step time = bytes / (bandwidth · efficiency) + t_fixed + t_layer · layers, fitted on relative error
    with the physical bounds held: efficiency ≤ 1 (a ≥ 1), t_fixed ≥ 0, t_layer ≥ 0. The optimum of this convex
    problem is the best feasible solution among the ways of pinning parameters at their bounds."""
    weights = [1.0 / r.seconds**2 for r in rows]
    best, best_loss = None, float("inf")
    for free in ("abc", "ab", "ac", "bc", "a", "b", "c", ""):
        p = _solve(rows, weights, free)
        if p is None or p["a"] < 1 or p["b"] < 0 or p["c"] < 0:
            continue
        loss = sum(w * (p["a"] * r.read_bytes / (r.device.bandwidth_gbs * 1e9) + p["b"] + p["c"] * r.layers
                        - r.seconds) ** 2 for r, w in zip(rows, weights, strict=True))
        if loss < best_loss:
            best, best_loss = p, loss
    return {"efficiency": round(1 / best["a"], 4), "t_fixed_s": round(best["b"], 7), "t_layer_s": round(best["c"], 8)}


def step_seconds(fit, row):
    return row.read_bytes / (row.device.bandwidth_gbs * 1e9 * fit["efficiency"]) + fit["t_fixed_s"] + \
        fit["t_layer_s"] * row.layers


def cross_validated_ratios(rows, fit_fn, key):
    """measured / predicted speed for each row, predicted by a fit that never saw rows sharing its ``key``."""
    ratios = []
    for value in sorted({key(r) for r in rows}):
        fit = fit_fn([r for r in rows if key(r) != value])
        ratios += [step_seconds(fit, r) / r.seconds for r in rows if key(r) == value]
    return ratios


def fit_serving():
    """The vLLM-class decode profile, on the dense H200 serving measurements (batch 1 to 128)."""
    rows = serving_rows("h200_bf16_cudagraph.csv")
    fit = fit_step(rows)
    ratios = cross_validated_ratios(rows, fit_step, key=lambda r: r.model)  # leave one model out
    return {**fit, "low": round(percentile(ratios, 0.1), 3), "high": round(percentile(ratios, 0.9), 3),
            "rows": len(rows), "models": len({r.model for r in rows})}


def fit_serving_prefill():
    """The vLLM-class prefill (BF16 GEMMs at the matrix rate) on the H200 serving set's prompt passes: efficiency =
    median of measured tok/s × FLOPs per token / matrix TFLOPS; band: leave one model out."""
    from common import serving_prefill_rows

    rows = serving_prefill_rows("h200_bf16_cudagraph.csv")
    fit = round(statistics.median(matrix_efficiency(r) for r in rows), 4)
    ratios = prefill_cv_ratios(rows)
    return {"efficiency": fit, "low": round(percentile(ratios, 0.1), 3), "high": round(percentile(ratios, 0.9), 3),
            "rows": len(rows)}


def matrix_efficiency(row) -> float:
    """The share of the matrix rate one measured prompt pass achieved."""
    from planner.engine.speed import prefill_flops_per_token
    from planner.engine.weights import active_params

    flops = prefill_flops_per_token(row.arch, active_params(row.arch), row.prompt)
    return row.tok_s * flops / (row.device.matrix_tflops * 1e12)


def prefill_cv_ratios(rows) -> list[float]:
    """measured / predicted for each prompt pass, by an efficiency fitted without its model."""
    ratios = []
    for model in sorted({r.model for r in rows}):
        held = statistics.median(matrix_efficiency(r) for r in rows if r.model != model)
        ratios += [matrix_efficiency(r) / held for r in rows if r.model == model]
    return ratios


def fit_prefill(rows):
    effs = [r.tok_s * prefill_flops(r) / (r.device.compute_tflops * 1e12) for r in rows]
    eff = statistics.median(effs)
    ratios = [e / eff for e in effs]
    return {"efficiency": round(eff, 4), "low": round(percentile(ratios, 0.1), 3),
            "high": round(percentile(ratios, 0.9), 3), "rows": len(rows)}


def main():
    ensure_seeded()
    rows = measurement_rows()
    decode, prefill = {}, {}
    for cls in sorted({r.device_class for r in rows}):
        d = [r for r in rows if r.device_class == cls and r.kind == "decode"]
        p = [r for r in rows if r.device_class == cls and r.kind == "prefill" and r.device.compute_tflops]
        if len(d) >= MIN_ROWS:
            decode[cls] = fit_decode(d)
        if len(p) >= MIN_ROWS:
            prefill[cls] = fit_prefill(p)
    every = [r for r in rows if r.kind == "decode"]
    decode.setdefault("nvidia", fit_decode(every))
    prefill.setdefault("nvidia", fit_prefill([r for r in rows if r.kind == "prefill" and r.device.compute_tflops]))
    for table in (decode, prefill):
        for cls in ("nvidia", "amd", "intel", "apple", "integrated"):
            table.setdefault(cls, {**table["nvidia"], "rows": 0})
    serving, serving_prefill = fit_serving(), fit_serving_prefill()
    body = (
        '"""Speed calibration, generated by bench/calibrate.py on ' + date.today().isoformat() + ".\n\n"
        "DECODE and PREFILL are fitted on shared/data/measurements_public.csv (single-GPU llama.cpp rows whose\n"
        "GPU and model map to the catalog; see bench/measured_gpus.py). ``rows`` is how many measurements each\n"
        "fit used; a class with rows 0 borrows the NVIDIA fit. VLLM_DECODE, the vLLM-class (CUDA graphs, BF16)\n"
        "decode step, is fitted on shared/data/serving/h200_bf16_cudagraph.csv with efficiency <= 1 and fixed\n"
        "costs >= 0; its band is the leave-one-model-out 10th-90th percentile. VLLM_PREFILL is fitted on the same\n"
        "set's prompt passes against the GPU's dense FP16/BF16 matrix rate. Do not edit by hand: re-run the script.\n"
        '"""\n\n'
        f"DECODE = {decode!r}\n\nPREFILL = {prefill!r}\n\nVLLM_DECODE = {serving!r}\n\n"
        f"VLLM_PREFILL = {serving_prefill!r}\n"
    )
    (ROOT / "planner" / "engine" / "calibration.py").write_text(body)
    for name, table in (("decode", decode), ("prefill", prefill)):
        for cls, fit in table.items():
            print(name, cls, fit)
    print("vllm decode", serving)
    print("vllm prefill", serving_prefill)


if __name__ == "__main__":
    main()
