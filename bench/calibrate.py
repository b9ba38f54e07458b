"""Fit the engine's speed constants on the catalog's measurements (catalog.Measurement: the public llama.cpp set
of shared/data/measurements_public.csv, loaded by the seed, plus rows staff added in the admin) and
shared/data/serving/h200_bf16_cudagraph.csv (vLLM-class) and bench/cpu_decode.csv (llama.cpp on the CPU alone) and
write planner/engine/calibration.py.

Decode, per device class and for the vLLM-class profile: seconds per step = a · bytes/(bandwidth·1e9) + b + c · layers.
Prefill, the same way: seconds per token = a · GEMM FLOPs/matrix rate + (k · GEMM + t · attention FLOPs)/FP32 rate,
the matrix rate at the
precision the runtime multiplies in (INT8 for llama.cpp's quantized kernels, FP16/BF16 for float weights).
Both by least squares on relative error with the physical bounds held (a ≥ 1, so efficiency = 1/a ≤ 1; b, c, k, t ≥ 0).
Bands: the cross-validated 10th/90th percentile of measured/predicted (leave one GPU out for llama.cpp, one model
out for the vLLM-class set).
Run: make bench-calibrate (then commit the regenerated module).
"""

import math
import statistics
from dataclasses import dataclass
from datetime import date

from common import ROOT, StepRow, decode_bytes, ensure_seeded, measurement_rows, percentile, precision_of, serving_rows

from planner.engine.speed import attention_flops, gemm_flops, matrix_rate, prefill_seconds_per_token
from planner.engine.speed import read_rate_gbs as engine_read_rate
from planner.engine.weights import active_params, routed_expert_params

MIN_ROWS = 4
MIN_MOE_ROWS = 4
FULL_FIT_ROWS = 10  # below this a class is "few rows" (issue 16): one free parameter, the efficiency


def fit_decode(rows):
    """A llama.cpp device class's decode step; band: leave one GPU out (StepRow.model carries the GPU label).
    A class whose GPUs all have their compute units on record also gets the per-unit read cap
    (speed.read_rate_gbs) when that lowers the leave-one-GPU-out error (mean |log(predicted / measured)|);
    otherwise it stays uncapped."""
    steps = decode_steps(rows)
    return fit_with_band(steps, decode_fit_fn(steps), lambda r: r.model, step_seconds)


def decode_steps(rows) -> list[StepRow]:
    return [StepRow(r.label, 1, r.arch.num_layers, decode_bytes(r), r.device, 1.0 / r.tok_s) for r in rows]


MIN_CAP_GPUS = 3  # with two GPUs, leaving one out fits on one, where the cap and the efficiency are one parameter


def decode_fit_fn(steps):
    """fit_step_capped for a class of FULL_FIT_ROWS rows or more on MIN_CAP_GPUS GPUs or more, every one with its
    compute units, when the cap lowers the leave-one-GPU-out error; else fit_step."""
    gpus = {s.model for s in steps}
    if len(steps) < FULL_FIT_ROWS or len(gpus) < MIN_CAP_GPUS or not all(s.device.compute_units for s in steps):
        return fit_step
    return fit_step_capped if cv_log_error(steps, fit_step_capped) < cv_log_error(steps, fit_step) else fit_step


def cv_log_error(steps, fit_fn):
    """Mean |log(predicted / measured)| leaving each GPU out."""
    ratios = cross_validated_ratios(steps, fit_fn, lambda r: r.model)
    return sum(abs(math.log(q)) for q in ratios) / len(ratios)


# Each fitted time is a sum of terms p · feature(row) with every p at or above its floor: a (1 / efficiency) ≥ 1,
# the fixed costs b (per step), c (per layer) and k (shader work per GEMM FLOP) ≥ 0.
FLOORS = {"a": 1.0, "b": 0.0, "c": 0.0, "k": 0.0, "t": 0.0, "e": 0.0}
DECODE_TERMS = {
    "a": lambda r: r.read_bytes / (r.device.bandwidth_gbs * 1e9),
    "b": lambda r: 1.0,
    "c": lambda r: r.layers,
}
PREFILL_TERMS = {
    "a": lambda r: r.gemm / ((r.matrix or r.shader) * 1e12),
    "k": lambda r: r.gemm / (r.shader * 1e12),
    "t": lambda r: r.attention / (r.shader * 1e12),
    "e": lambda r: r.routed / ((r.matrix or r.shader) * 1e12),
}


def _solve(rows, weights, terms, free):
    """Weighted least squares of seconds = Σ p · term(row) over the parameters in ``free``, the others held at
    their floors. None when the free terms cannot be told apart on these rows (a singular system)."""
    names = [n for n in terms if n in free]
    target = [r.seconds - sum(FLOORS[n] * terms[n](r) for n in terms if n not in free) for r in rows]
    k = len(names)
    m = [[sum(w * terms[p](r) * terms[q](r) for r, w in zip(rows, weights, strict=True)) for q in names] for p in names]
    v = [sum(w * terms[p](r) * t for r, w, t in zip(rows, weights, target, strict=True)) for p in names]
    scale = max((m[i][i] for i in range(k)), default=1.0)
    for i in range(k):  # Gauss-Jordan on the k×k normal equations (k ≤ 3)
        pivot = max(range(i, k), key=lambda j: abs(m[j][i]))
        m[i], m[pivot], v[i], v[pivot] = m[pivot], m[i], v[pivot], v[i]
        if abs(m[i][i]) <= 1e-9 * scale:
            return None
        for j in range(k):
            if j != i:
                f = m[j][i] / m[i][i]
                m[j] = [a - f * b for a, b in zip(m[j], m[i], strict=True)]
                v[j] -= f * v[i]
    return {**{n: FLOORS[n] for n in terms}, **{n: v[i] / m[i][i] for i, n in enumerate(names)}}


def fit_bounded(rows, terms, free_terms=None):
    """Seconds = Σ p · term(row), fitted on relative error with every p at or above its floor. The optimum of this
    convex problem is the best feasible solution among the ways of pinning parameters at their floors; of equally
    good ones the one with fewer free parameters (then the earlier term) wins, so terms the rows cannot tell apart
    are not split between at random."""
    from itertools import combinations

    weights = [1.0 / r.seconds**2 for r in rows]
    best, best_loss = None, float("inf")
    candidates = [n for n in terms if free_terms is None or n in free_terms]
    for size in range(len(candidates) + 1):
        for free in combinations(candidates, size):
            p = _solve(rows, weights, terms, free)
            if p is None or any(p[n] < FLOORS[n] for n in terms):
                continue
            loss = sum(
                w * (sum(p[n] * terms[n](r) for n in terms) - r.seconds) ** 2
                for r, w in zip(rows, weights, strict=True)
            )
            if loss < best_loss * (1 - 1e-6):
                best, best_loss = p, loss
    return best


def fit_step_free(rows, free):
    """fit_step with only the terms in ``free`` free (None: all), the others at their floors."""
    return _step_fit(fit_bounded(rows, DECODE_TERMS, free))


def _step_fit(p):
    return {"efficiency": round(1 / p["a"], 4), "t_fixed_s": round(p["b"], 7), "t_layer_s": round(p["c"], 8)}


def fit_step(rows):
    """Decode step time = bytes / (bandwidth · efficiency) + t_fixed + t_layer · layers, within the bounds
    efficiency ≤ 1, t_fixed ≥ 0, t_layer ≥ 0."""
    return fit_step_free(rows, None)


# Per-compute-unit read rates tried for the cap, GB/s: 4 to 30 in steps of 0.25 (the rows' best achieved rate per
# SM runs from 5.5 to 9.2 GB/s: bench/gpu_units.py's counts against the measured rows).
UNIT_GBS_GRID = tuple(x / 4 for x in range(16, 121))


def fit_step_capped(rows):
    """fit_step with the read rate capped at compute units × unit_gbs (speed.read_rate_gbs): the other parameters
    by the bounded least squares for each unit_gbs of UNIT_GBS_GRID, and the unit_gbs of the least loss."""
    best, best_loss = None, float("inf")
    for unit_gbs in UNIT_GBS_GRID:
        terms = {**DECODE_TERMS, "a": lambda r, u=unit_gbs: r.read_bytes / (read_rate_gbs(r.device, u) * 1e9)}
        p = fit_bounded(rows, terms)
        loss = sum((sum(p[n] * terms[n](r) for n in terms) / r.seconds - 1) ** 2 for r in rows)
        if loss < best_loss * (1 - 1e-9):
            best, best_loss = {**_step_fit(p), "unit_gbs": unit_gbs}, loss
    return best


def read_rate_gbs(device, unit_gbs):
    return engine_read_rate(device, {"unit_gbs": unit_gbs} if unit_gbs else {})


def step_seconds(fit, row):
    return (
        row.read_bytes / (read_rate_gbs(row.device, fit.get("unit_gbs")) * 1e9 * fit["efficiency"])
        + fit["t_fixed_s"]
        + fit["t_layer_s"] * row.layers
    )


@dataclass
class PromptRow:
    """One measured prompt pass, per token: GEMM and attention FLOPs, the matrix rate at the precision the runtime
    multiplies in (None: no such matrix units), the FP32 shader rate, and seconds. ``key`` is what cross-validation
    leaves out (the GPU for llama.cpp, the model for the serving set)."""

    key: str
    prompt: int
    gemm: float
    attention: float
    matrix: float | None
    shader: float
    seconds: float
    routed: float = 0.0  # routed-expert GEMM FLOPs of a mixture of experts


def prompt_row(key, device, arch, prompt, precision, tok_s) -> PromptRow:
    matrix = matrix_rate(device, precision)
    return PromptRow(
        key,
        prompt,
        gemm_flops(active_params(arch)),
        attention_flops(arch, prompt),
        matrix,
        device.compute_tflops or matrix or 0.0,  # every calibration GPU has an FP32 rate (the catalog's)
        1.0 / tok_s,
        gemm_flops(routed_expert_params(arch)),
    )


def fit_prompt(rows, borrow: dict | None = None):
    """Prompt time per token = GEMM FLOPs / (matrix rate · efficiency) + (shader_cost · GEMM FLOPs + attention_cost ·
    attention FLOPs) / FP32 rate + expert_cost · routed-expert FLOPs / matrix rate, within the bounds
    efficiency ≤ 1, costs ≥ 0 (speed.prefill_seconds_per_token).
    A cost is free only where the rows can tell it from the others: the shader cost needs rows with matrix units,
    the attention cost more than one prompt length, the expert cost MIN_MOE_ROWS mixture-of-experts rows (else each
    would soak up whatever else differs). Fewer than FULL_FIT_ROWS rows fit the efficiency alone, as the median of
    the rows' own (robust to the one outlier a handful of rows from mixed builds and backends holds), with the
    costs of ``borrow`` (the reference class's fit: the costs are ratios to the device's own rates, the assumption
    being that they carry across vendors) or, without one, none and dense rows only."""
    free = {"a"}
    if len(rows) >= FULL_FIT_ROWS:
        free |= {"k"} if any(r.matrix for r in rows) else set()
        free |= {"t"} if len({r.prompt for r in rows}) > 1 else set()
        free |= {"e"} if sum(1 for r in rows if r.routed) >= MIN_MOE_ROWS else set()
    if free == {"a"}:
        costs = (
            {"k": borrow["shader_cost"], "t": borrow["attention_cost"], "e": borrow["expert_cost"]} if borrow else {}
        )
        use = rows if borrow else ([r for r in rows if not r.routed] or rows)
        implied = [
            (r.seconds - sum(v * PREFILL_TERMS[n](r) for n, v in costs.items())) / PREFILL_TERMS["a"](r) for r in use
        ]
        p = {**FLOORS, **costs, "a": max(1.0, statistics.median(implied))}
    else:
        p = fit_bounded(rows, PREFILL_TERMS, free)
    return {
        "efficiency": round(1 / p["a"], 4),
        "shader_cost": round(p["k"], 4),
        "attention_cost": round(p["t"], 4),
        "expert_cost": round(p["e"], 4),
    }


def prompt_seconds(fit, row):
    return prefill_seconds_per_token(fit, row.gemm, row.attention, row.matrix, row.shader, row.routed)


def cross_validated_ratios(rows, fit_fn, key, predict=step_seconds):
    """predicted / measured time for each row, predicted by a fit that never saw rows sharing its ``key``."""
    ratios = []
    for value in sorted({key(r) for r in rows}):
        fit = fit_fn([r for r in rows if key(r) != value])
        ratios += [predict(fit, r) / r.seconds for r in rows if key(r) == value]
    return ratios


def fit_with_band(rows, fit_fn, key, predict, **extra):
    """A fit on every row, with its band: the 10th-90th percentile of measured / predicted speed, each row
    predicted by a fit that never saw its ``key`` (in-sample when there is one key only), widened by a quarter each
    way for a class of fewer than FULL_FIT_ROWS rows, and always containing 1 (the estimate itself)."""
    fit = fit_fn(rows)
    ratios = (
        cross_validated_ratios(rows, fit_fn, key, predict)
        if len({key(r) for r in rows}) > 1
        else [predict(fit, r) / r.seconds for r in rows]
    )
    low, high = percentile(ratios, 0.1), percentile(ratios, 0.9)
    if len(rows) < FULL_FIT_ROWS:  # a few rows' percentiles understate the spread: a quarter wider each way
        low, high = low * 0.75, high * 1.25
    return {**fit, "low": round(min(low, 1.0), 3), "high": round(max(high, 1.0), 3), "rows": len(rows), **extra}


def fit_cpu(rows=None):
    """llama.cpp decode on the CPU alone (bench/cpu_decode.csv): the RAM read at an efficiency of its peak, the one
    free parameter (a handful of rows on a few CPUs cannot tell fixed costs apart); band: leave one CPU out.
    The same efficiency is what an offloaded layer or expert costs: the CPU computes those, reading RAM."""
    from common import cpu_rows

    steps = [
        StepRow(r.label, 1, r.arch.num_layers, decode_bytes(r), r.device, 1.0 / r.tok_s)
        for r in (rows if rows is not None else cpu_rows())
    ]

    def efficiency_only(rs):
        return fit_step_free(rs, {"a"})

    fit = fit_with_band(steps, efficiency_only, lambda r: r.model, step_seconds, cpus=len({r.model for r in steps}))
    return {k: v for k, v in fit.items() if k not in {"t_fixed_s", "t_layer_s"}}


def fit_handoff(planned, current: float) -> float:
    """The cost of one layer whose experts the CPU computes (t_handoff_s ≥ 0), by least squares on relative error
    over planned offload rows (common.offload_rows: row, plan, layers) whose plans used ``current`` for it."""
    num = den = 0.0
    for row, p, n in planned:
        measured = float(row["tok_s"])
        base = 1 / p.decode.tok_s - current * n
        num += n * measured * (1 - base * measured)
        den += (n * measured) ** 2
    return max(num / den, 0.0) if den else 0.0


def offload_fit(cpu: dict, decode: dict) -> dict:
    """The hand-off cost on bench/expert_offload.csv and the band of the rows it leaves: each source's rows
    predicted by a fit on the others (measured / predicted, 10th-90th percentile, a quarter wider each way for so
    few rows). The rows are planned by the engine, which reads its module constants: the new GPU and CPU fits are
    put in place for the fitting pass, with no hand-off cost."""
    from common import offload_rows, source_key

    from planner.engine import calibration

    calibration.DECODE.update(decode)  # the dicts the engine reads (planner.engine.speed imports these objects)
    calibration.CPU_DECODE.update({**cpu, "t_handoff_s": 0.0})
    planned = offload_rows()
    ratios = []
    for source in sorted({source_key(r) for r, _, _ in planned}):
        held = fit_handoff([x for x in planned if source_key(x[0]) != source], 0.0)
        ratios += [
            float(r["tok_s"]) * (1 / p.decode.tok_s + held * n)
            for r, p, n in planned
            if source_key(r) == source and p.decode
        ]
    return {
        "t_handoff_s": round(fit_handoff(planned, 0.0), 7),
        "handoff_rows": len(planned),
        "offload_low": round(min(percentile(ratios, 0.1) * 0.75, 1.0), 3),
        "offload_high": round(max(percentile(ratios, 0.9) * 1.25, 1.0), 3),
    }


def fit_serving():
    """The vLLM-class decode profile, on the dense H200 serving measurements (batch 1 to 128); band: leave one
    model out."""
    rows = serving_rows("h200_bf16_cudagraph.csv")
    return fit_with_band(rows, fit_step, lambda r: r.model, step_seconds, models=len({r.model for r in rows}))


def serving_prompt_rows() -> list[PromptRow]:
    """The H200 serving set's prompt passes (BF16 GEMMs)."""
    from common import serving_prefill_rows

    return [
        prompt_row(r.model, r.device, r.arch, r.prompt, "fp16", r.tok_s)
        for r in serving_prefill_rows("h200_bf16_cudagraph.csv")
    ]


def llamacpp_prompt_rows(rows) -> list[PromptRow]:
    """llama.cpp prompt passes (pp512 and the like) of GPUs with a shader rate on record, keyed by GPU."""
    return [
        prompt_row(r.label, r.device, r.arch, r.depth, precision_of(r), r.tok_s)
        for r in rows
        if r.kind == "prefill" and r.device.compute_tflops
    ]


def fit_serving_prefill():
    """The vLLM-class prefill on the H200 serving set's prompt passes; band: leave one model out."""
    return fit_with_band(serving_prompt_rows(), fit_prompt, lambda r: r.key, prompt_seconds)


def fit_prefill(rows, borrow: dict | None = None):
    """A llama.cpp device class's prompt pass (a small class borrows ``borrow``'s costs); band: leave one GPU out."""
    return fit_with_band(llamacpp_prompt_rows(rows), lambda rs: fit_prompt(rs, borrow), lambda r: r.key, prompt_seconds)


REFERENCE_CLASS = "nvidia"  # the class with the most measured prompts: small classes borrow its costs


def main():
    ensure_seeded()
    rows = measurement_rows()
    decode, prefill, without_units = {}, {}, {}
    prompts = [r for r in rows if r.kind == "prefill" and r.device.compute_tflops]
    reference = fit_prefill([r for r in prompts if r.device_class == REFERENCE_CLASS] or prompts)
    for cls in sorted({r.device_class for r in rows}):
        d = [r for r in rows if r.device_class == cls and r.kind == "decode"]
        p = [r for r in prompts if r.device_class == cls]
        if len(d) >= MIN_ROWS:
            decode[cls] = fit_decode(d)
            if "unit_gbs" in decode[cls]:  # a device of the class whose compute units are not on record
                without_units[cls] = fit_with_band(decode_steps(d), fit_step, lambda r: r.model, step_seconds)
        if len(p) >= MIN_ROWS:
            prefill[cls] = reference if cls == REFERENCE_CLASS else fit_prefill(p, reference)
    every = [r for r in rows if r.kind == "decode"]
    decode.setdefault("nvidia", fit_decode(every))
    prefill.setdefault("nvidia", reference)
    for table in (decode, prefill):
        for cls in ("nvidia", "amd", "intel", "apple", "integrated"):
            table.setdefault(cls, {**table["nvidia"], "rows": 0})
    serving, serving_prefill, cpu = fit_serving(), fit_serving_prefill(), fit_cpu()
    cpu.update(offload_fit(cpu, decode))
    body = (
        '"""Speed calibration, generated by bench/calibrate.py on ' + date.today().isoformat() + ".\n\n"
        "DECODE and PREFILL are fitted on catalog.Measurement (single-GPU llama.cpp rows: the public set the seed\n"
        "loads and any staff added; leave-one-out by catalog GPU). ``rows`` is how many measurements each\n"
        "fit used; a class with rows 0 borrows the NVIDIA fit. VLLM_DECODE, the vLLM-class (CUDA graphs, BF16)\n"
        "decode step, is fitted on shared/data/serving/h200_bf16_cudagraph.csv with efficiency <= 1 and fixed\n"
        "costs >= 0; its band is the leave-one-model-out 10th-90th percentile. VLLM_PREFILL is fitted on the same\n"
        "set's prompt passes against the GPU's dense FP16/BF16 matrix rate. PREFILL and VLLM_PREFILL: seconds per\n"
        "token = GEMM FLOPs / (matrix rate x efficiency) + (shader_cost x GEMM FLOPs + attention_cost x attention\n"
        "FLOPs) / FP32 rate, efficiency <= 1 and costs >= 0 (planner/engine/speed.py). CPU_DECODE: llama.cpp\n"
        "decode on the CPU alone, the RAM's peak x efficiency, fitted on bench/cpu_decode.csv (band: leave one CPU\n"
        "out); offloaded layers and experts are read at it too, and t_handoff_s is the cost of each layer whose\n"
        "experts the CPU computes, fitted on bench/expert_offload.csv. DECODE_WITHOUT_UNITS: a capped class's fit\n"
        "without the per-unit cap, for its devices whose compute units are not on record. Do not edit by hand.\n"
        '"""\n\n'
        f"DECODE = {decode!r}\n\nDECODE_WITHOUT_UNITS: dict[str, dict[str, float]] = {without_units!r}\n\n"
        f"PREFILL = {prefill!r}\n\nVLLM_DECODE = {serving!r}\n\n"
        f"VLLM_PREFILL = {serving_prefill!r}\n\nCPU_DECODE = {cpu!r}\n"
    )
    (ROOT / "planner" / "engine" / "calibration.py").write_text(body)
    for name, table in (("decode", decode), ("prefill", prefill)):
        for cls, fit in table.items():
            print(name, cls, fit)
    print("vllm decode", serving)
    print("vllm prefill", serving_prefill)
    print("cpu decode", cpu)


if __name__ == "__main__":
    main()
