"""Predicted vs measured for every usable row of the public data sets.

Prints, per metric, runtime and device class, the median and 90th-percentile absolute % error:
file size (gguf_sizes_public.csv), KV cache and total VRAM (vram_reports_public.csv, llama.cpp's own
log lines), decode and prefill tokens/s (measurements_public.csv). Writes the table to
bench/accuracy_latest.md, which the "How we estimate" page shows. Run: make bench-accuracy
"""

import sys
from collections import defaultdict
from datetime import date

from calibrate import (
    FULL_FIT_ROWS,
    REFERENCE_CLASS,
    cross_validated_ratios,
    decode_fit_fn,
    decode_steps,
    fit_prompt,
    fit_step,
    llamacpp_prompt_rows,
    prompt_seconds,
    serving_prompt_rows,
)
from common import (
    GIB,
    LLM,
    ROOT,
    bench_csv,
    decode_bytes,
    ensure_seeded,
    measurement_rows,
    percentile,
    precision_of,
    read,
    serving_rows,
)

from planner import specs
from planner.engine.calibration import CPU_DECODE, PREFILL
from planner.engine.kv import kv_cache_bytes
from planner.engine.runtime import llamacpp_compute_buffer_bytes
from planner.engine.speed import decode_speed, decode_tok_s, prefill_speed
from planner.engine.types import MIB, Quantization, Runtime, Workload
from planner.engine.weights import FILE_TYPE_BASE, file_bytes, weights_bytes

SIZE_MODELS = {
    "Meta-Llama-3-8B-Instruct": "meta-llama/Meta-Llama-3-8B",
    "Meta-Llama-3-70B": "meta-llama/Meta-Llama-3-70B",
    "Llama-2-7B": "meta-llama/Llama-2-7b-hf",
    "Llama-2-70B": "meta-llama/Llama-2-70b-hf",
    "Mistral-7B-Instruct-v0.3": "mistralai/Mistral-7B-Instruct-v0.3",
    "phi-4": "microsoft/phi-4",
    "Mixtral-8x7B": "mistralai/Mixtral-8x7B-v0.1",
    "gemma-2-2b-it": "google/gemma-2-2b-it",
    "Qwen2.5-72B-Instruct": "Qwen/Qwen2.5-72B-Instruct",
}


def arch_for(name, llms):
    repo = next((r for key, r in SIZE_MODELS.items() if name.startswith(key)), None)
    return specs.llm_to_arch(llms[repo]) if repo in llms else None


def err(pred, real):
    return abs(pred - real) / real * 100


def file_size_errors(llms, out):
    for r in read("gguf_sizes_public.csv"):
        quant = r["quant"]
        arch = arch_for(r["model"], llms)
        if arch is None or quant not in FILE_TYPE_BASE or "NOT a standard" in r["notes"] or "llamafile" in r["quant"]:
            continue
        if r["size_unit"] == "bytes":
            real = float(r["size_bytes_exact"])
        elif r["size_unit"] == "GiB":
            real = float(r["size_value"]) * GIB
            pred = weights_bytes(arch, Quantization(quant, "gguf"))  # llama.cpp prints tensor data
            out["file size", "llama.cpp", "-"].append(err(pred, real))
            continue
        else:
            real = float(r["size_value"]) * 1e9
        out["file size", "llama.cpp", "-"].append(err(file_bytes(arch, Quantization(quant, "gguf")), real))


def vram_errors(llms, out):
    """KV cache and total VRAM against llama.cpp's log lines. Only Llama 3 8B logs are usable, so the rows are
    labelled with what they cover: one model, how many GPUs and quantizations (the compute-buffer constants come
    from these same logs: in-sample)."""
    rt = Runtime(flash_attention=False)
    usable = [
        r for r in read("vram_reports_public.csv") if r["model"].startswith("Meta-Llama-3-8B") and r["n_gpus"] == "1"
    ]
    formats = len({r["quant"] for r in usable})
    scope = f"Llama 3 8B only: {len({r['gpu'] for r in usable})} GPUs, {formats} format{'s' if formats != 1 else ''}"
    for r in usable:
        arch = specs.llm_to_arch(llms["meta-llama/Meta-Llama-3-8B"])
        work = Workload(context=int(r["n_ctx"]), batch=int(r["n_parallel"] or 1), kv_cache=r["kv_type"])
        kv = kv_cache_bytes(arch, work)
        out["KV cache", "llama.cpp", scope].append(err(kv, float(r["kv_size_mib"]) * MIB))
        q = Quantization(r["quant"], "gguf")
        weights_gpu = weights_bytes(arch, q) - int(float(r["weights_cpu_mib"]) * MIB)
        total = weights_gpu + kv + llamacpp_compute_buffer_bytes(arch, work, rt)
        real = (float(r["weights_gpu_mib"]) + float(r["kv_size_mib"]) + float(r["compute_buffer_mib"])) * MIB
        out["total VRAM", "llama.cpp", scope].append(err(total, real))


def hybrid_errors(llms, out):
    """Hybrid (gated DeltaNet + attention) models against llama.cpp's printed KV and recurrent-state lines
    (bench/hybrid_logs.csv, each row with its source)."""
    from planner.engine.kv import recurrent_state_bytes

    rows = bench_csv("hybrid_logs.csv")
    for r in rows:
        if r["catalog_repo"] not in llms:
            continue
        arch = specs.llm_to_arch(llms[r["catalog_repo"]])
        seqs = int(r["n_seq"] or 1)
        state = recurrent_state_bytes(arch, seqs)
        if r["rs_total_mib"]:
            out["recurrent state", "llama.cpp", "hybrid"].append(err(state, float(r["rs_total_mib"]) * MIB))
        if r["kv_total_mib"]:
            kv = kv_cache_bytes(arch, Workload(context=int(r["n_ctx"]), kv_cache=r["kv_type"])) - state
            out["KV cache", "llama.cpp", "hybrid"].append(err(kv, float(r["kv_total_mib"]) * MIB))


def dsv4_errors(llms, out):
    """DeepSeek V4's compressed cache under vLLM (kv.vllm_csa_bytes) against the per-request KV memory its logs
    state or imply (pool / maximum concurrency), bench/dsv4_vllm_logs.csv, each row with its source."""
    from planner.engine.kv import vllm_csa_bytes

    rows = bench_csv("dsv4_vllm_logs.csv")
    for r in rows:
        if r["catalog_repo"] not in llms:
            continue
        arch = specs.llm_to_arch(llms[r["catalog_repo"]])
        work = Workload(context=int(r["max_model_len"]), kv_cache="fp8")
        predicted = vllm_csa_bytes(arch, work, in_flight_tokens=int(r["in_flight_tokens"]))
        real = float(r["per_request_gib"] or float(r["pool_gib"]) / float(r["max_concurrency"])) * GIB
        out["KV cache", "vLLM", "DeepSeek V4 (compressed)"].append(err(predicted, real))


def vision_errors(llms, out):
    """Vision encoders + projectors (llama.cpp's mmproj) against the model size llama.cpp prints when it
    loads them (bench/vision_logs.csv, each row with its source)."""
    from planner.engine.vision import PROJECTOR_BYTES_PER_PARAM

    rows = bench_csv("vision_logs.csv")
    for r in rows:
        if r["catalog_repo"] in llms:
            arch = specs.llm_to_arch(llms[r["catalog_repo"]])
            out["vision encoder (mmproj)", "llama.cpp", "multimodal"].append(
                err(arch.vision_params * PROJECTOR_BYTES_PER_PARAM, float(r["model_size_mib"]) * MIB)
            )


def speed_errors(out, cv):
    rows = measurement_rows()
    for row in rows:
        if row.kind == "decode":
            pred = decode_speed(row.device, decode_bytes(row), layers=row.arch.num_layers)
            if pred:
                out["decode tok/s", "llama.cpp", row.device_class].append(err(pred.tok_s, row.tok_s))
        elif row.device.compute_tflops:
            from planner.engine.weights import active_params

            pred = prefill_speed(row.device, row.arch, active_params(row.arch), row.depth, precision=precision_of(row))
            out["prefill tok/s", "llama.cpp", row.device_class].append(err(pred.tok_s, row.tok_s))
    for cls in sorted({r.device_class for r in rows}):  # refitted without each GPU in turn (leave one GPU out)
        steps = decode_steps([r for r in rows if r.kind == "decode" and r.device_class == cls])
        if len({s.model for s in steps}) > 1:
            cv["decode tok/s", "llama.cpp", cls] = [
                abs(1 / q - 1) * 100 for q in cross_validated_ratios(steps, decode_fit_fn(steps), key=lambda s: s.model)
            ]
        prompts = llamacpp_prompt_rows([r for r in rows if r.device_class == cls])
        if len({p.key for p in prompts}) > 1:
            borrow = None if cls == REFERENCE_CLASS else PREFILL[REFERENCE_CLASS]
            ratios = cross_validated_ratios(
                prompts, lambda rs, b=borrow: fit_prompt(rs, b), lambda p: p.key, prompt_seconds
            )
            cv["prefill tok/s", "llama.cpp", cls] = [abs(1 / q - 1) * 100 for q in ratios]


def serving_errors(out, cv):
    """The vLLM-class profile: in sample and leaving each model out on the dense H200 set it is fitted on, and
    on the mixture-of-experts H200 set it never saw (bytes read as measured: the time model alone)."""
    dense = serving_rows("h200_bf16_cudagraph.csv")
    key = ("decode tok/s", "vLLM-class (dense, H200)", "nvidia")
    for r in dense:
        out[key].append(err(decode_tok_s(r.device, r.read_bytes, "vllm", layers=r.layers), 1 / r.seconds))
    cv[key] = [abs(1 / q - 1) * 100 for q in cross_validated_ratios(dense, fit_step, key=lambda r: r.model)]
    from common import serving_prefill_rows

    from planner.engine.weights import active_params

    key = ("prefill tok/s", "vLLM-class (dense, H200)", "nvidia")
    for r in serving_prefill_rows("h200_bf16_cudagraph.csv"):
        out[key].append(err(prefill_speed(r.device, r.arch, active_params(r.arch), r.prompt, "vllm").tok_s, r.tok_s))
    cv[key] = [
        abs(1 / q - 1) * 100
        for q in cross_validated_ratios(serving_prompt_rows(), fit_prompt, lambda p: p.key, prompt_seconds)
    ]
    moe = ("decode tok/s", "vLLM-class (MoE, H200, not fitted on)", "nvidia")
    for r in serving_rows("h200_moe_bf16_cudagraph.csv"):
        out[moe].append(err(decode_tok_s(r.device, r.read_bytes, "vllm", layers=r.layers), 1 / r.seconds))
    cv[moe] = out[moe]


def cpu_errors(out, cv):
    """llama.cpp on the CPU alone (bench/cpu_decode.csv, the rows CPU_DECODE is fitted on): in sample, and leaving
    each CPU out."""
    from calibrate import fit_cpu
    from common import cpu_rows

    rows = cpu_rows()
    key = ("decode tok/s", "llama.cpp, CPU only", "cpu")
    for row in rows:
        out[key].append(err(decode_speed(row.device, decode_bytes(row)).tok_s, row.tok_s))
    errors = []
    for cpu in sorted({r.label for r in rows}):
        fit = fit_cpu([r for r in rows if r.label != cpu])
        for row in (r for r in rows if r.label == cpu):
            errors.append(err(row.device.bandwidth_gbs * 1e9 * fit["efficiency"] / decode_bytes(row), row.tok_s))
    cv[key] = errors


def offload_errors(out, cv):
    """MoE decode with routed experts in system RAM (bench/expert_offload.csv: llama.cpp --n-cpu-moe / -ot on one
    GPU, each row with its RAM and source), planned as the product plans it at the row's N. In sample (the hand-off
    cost is fitted on these rows) and leaving each source out."""
    from calibrate import fit_handoff
    from common import offload_rows, source_key

    planned = offload_rows()
    key = ("decode tok/s", "llama.cpp, experts in system RAM", "mixed")
    out[key] = [err(p.decode.tok_s, float(r["tok_s"])) for r, p, _ in planned]
    current = CPU_DECODE.get("t_handoff_s", 0.0)
    errors = []
    for source in sorted({source_key(r) for r, _, _ in planned}):
        held = fit_handoff([x for x in planned if source_key(x[0]) != source], current)
        for r, p, n in (x for x in planned if source_key(x[0]) == source):
            errors.append(err(1 / (1 / p.decode.tok_s + (held - current) * n), float(r["tok_s"])))
    cv[key] = errors


def main():
    ensure_seeded()
    llms = {m.hf_repo_id: m for m in LLM.objects.all()}
    out, cv = defaultdict(list), {}
    file_size_errors(llms, out)
    vram_errors(llms, out)
    hybrid_errors(llms, out)
    dsv4_errors(llms, out)
    vision_errors(llms, out)
    speed_errors(out, cv)
    serving_errors(out, cv)
    cpu_errors(out, cv)
    offload_errors(out, cv)
    lines = [
        f"Accuracy of the sizing engine, {date.today().isoformat()} (bench/accuracy.py). In-sample: the speed",
        "constants are fitted on these same measurements by bench/calibrate.py. Cross-validated: each row predicted",
        "by a fit that never saw its GPU (llama.cpp), its model (vLLM-class), its CPU (CPU only) or its publication",
        "(experts in system RAM); the vLLM MoE set was never fitted on; '–'",
        "where that cannot be done (a class measured on one GPU). A speed class of fewer than 10 rows is marked",
        "'few': its fit is the efficiency alone and its band is widened. Memory rows are formulas, not fits (the",
        "compute-buffer constants come from the Llama 3 8B logs they are checked on, so those rows are in-sample too).",
        "",
        "| metric | runtime | device class | rows | median abs % error | p90 abs % error | cross-validated median "
        "| cross-validated p90 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for (metric, runtime, cls), errors in sorted(out.items()):
        held = cv.get((metric, runtime, cls))
        cross = f"{percentile(held, 0.5):.2f} | {percentile(held, 0.9):.2f}" if held else "– | –"
        few = " (few)" if "tok/s" in metric and len(errors) < FULL_FIT_ROWS else ""
        lines.append(
            f"| {metric} | {runtime} | {cls} | {len(errors)}{few} | {percentile(errors, 0.5):.2f} | "
            f"{percentile(errors, 0.9):.2f} | {cross} |"
        )
    text = "\n".join(lines) + "\n"
    (ROOT / "bench" / "accuracy_latest.md").write_text(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
