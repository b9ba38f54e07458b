"""Shared by the bench scripts: Django set-up on the seeded catalog and the measurement rows."""

import csv
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

if TYPE_CHECKING:
    from planner.engine.types import Architecture, Device, Plan

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402

from catalog.models import GPU, LLM  # noqa: E402
from planner import specs  # noqa: E402

DATA = Path(settings.SEED_DATA_DIR)
GIB = 1024**3

# Measurement model names -> catalog repo with the same tensor shapes.
MODEL_KEYS = [
    ("Llama-3.3-70B", "meta-llama/Meta-Llama-3-70B"),
    ("Llama-3.1-70B", "meta-llama/Meta-Llama-3-70B"),
    ("Meta-Llama-3-70B", "meta-llama/Meta-Llama-3-70B"),
    ("Llama-2 70B", "meta-llama/Llama-2-70b-hf"),
    ("Llama-3.2-3B", "meta-llama/Llama-3.2-3B"),
    ("Llama-3", "meta-llama/Meta-Llama-3-8B"),
    ("13B", "meta-llama/Llama-2-13b-hf"),
    ("7B (llama 7B)", "meta-llama/Llama-2-7b-hf"),
    ("LLaMA-2 7B", "meta-llama/Llama-2-7b-hf"),
    ("Llama-2 7B", "meta-llama/Llama-2-7b-hf"),
    ("gpt-oss-20b", "openai/gpt-oss-20b"),
    ("Qwen3-30B-A3B", "Qwen/Qwen3-30B-A3B"),
    ("Qwen3-8B", "Qwen/Qwen3-8B"),
    ("Qwen3-14B", "Qwen/Qwen3-14B"),
    ("Qwen3-32B", "Qwen/Qwen3-32B"),
    ("Distill-Qwen-14B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"),
    ("Distill-Qwen-7B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"),
    # llama-bench's own model names (fixtures/source/measurements_extra.csv): "llama 7B Q4_0" at 3.56 GiB is Llama 2 7B
    ("gpt-oss 20B", "openai/gpt-oss-20b"),
    ("gpt-oss 120B", "openai/gpt-oss-120b"),
    ("qwen3moe 30B.A3B", "Qwen/Qwen3-30B-A3B"),
    ("llama 70B", "meta-llama/Llama-3.1-70B"),
    ("deepseek2 671B", "deepseek-ai/DeepSeek-V3"),
    ("gemma4 31B", "google/gemma-4-31B-it"),
    ("qwen35 27B", "Qwen/Qwen3.5-27B"),
    ("llama 8B", "meta-llama/Meta-Llama-3-8B"),  # 8.03 B: Llama 3 / 3.1 8B, one shape
    # Files llama-bench names by their architecture only are relabelled in the row with what they are (its
    # params and file name say so): "llama 7B" at 7.24 B is Mistral 7B, "llama 1B" at 1.10 B TinyLlama.
    ("mistral 7B", "mistralai/Mistral-7B-v0.1"),
    ("phi2 3B", "microsoft/phi-2"),
    ("tinyllama 1B", "TinyLlama/TinyLlama-1.1B-Chat-v1.0"),
    ("llama 7B", "meta-llama/Llama-2-7b-hf"),
]


def ensure_seeded():
    call_command("migrate", verbosity=0)
    if not GPU.objects.exists():
        call_command("seed", verbosity=0)


def read(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def depth_of(test: str, kind: str = "decode") -> int | None:
    """Decode: tokens in the KV cache on average while the test runs (tg128: 64; tg32 at depth 32768: 32784).
    Prefill: the prompt length with the same average attention span (pp512: 512; pp2048 at depth 32768: 67584),
    which is what the engine's prompt formula takes. None: unknown."""
    at = re.search(r"@ ?d(\d+)", test)
    base = int(at.group(1)) if at else 0
    if m := re.match(r"(tg|pp)(\d+)", test):
        n = int(m.group(2))
        if kind == "prefill":
            return 2 * base + n if m.group(1) == "pp" else None
        return base + n // 2 if m.group(1) == "tg" or at else None
    if m := re.search(r"@ctx(\d+)", test):
        return int(m.group(1))
    if "d32768" in test:
        return 32768
    return None


@dataclass
class Row:
    label: str
    kind: str  # decode / prefill
    device_class: str
    tok_s: float
    file_bytes: int
    depth: int
    arch: "Architecture"
    device: "Device"
    source: str
    quant: str = ""
    backend: str = ""
    measured_on: str = ""


def precision_of(row: Row) -> str:
    """What llama.cpp's prompt GEMMs multiply in for the row's file on the row's backend (speed.matmul_precision) with
    the kernels of its build's day (speed.llamacpp_mmq); a row that names no backend gets the GPU's own, as a plan
    does."""
    from planner.engine.speed import llamacpp_mmq, matmul_precision
    from planner.engine.types import Quantization

    name = row.quant.split()[0].upper() if row.quant else "Q4_K_M"
    float_file = name in {"F16", "BF16", "F32"}
    backend = specs.backend_key(row.backend) or row.device.backend
    quant = Quantization(name, "gguf", 16.0 if float_file else 4.0)
    return matmul_precision(quant, "llamacpp", backend, llamacpp_mmq(row.measured_on))


# Backends no current llama.cpp has: their rows time code a user cannot run, so the fits leave them out (the pages
# still show them beside the estimate). CLBlast: removed by ggml-org/llama.cpp PR #7735 (June 2024; the OpenCL backend
# of 2025 is a different one, for Adreno).
RETIRED_BACKENDS = ("clblast",)


def measurement_rows() -> list[Row]:
    """Single-GPU llama.cpp measurements in the catalog (catalog.Measurement: the public set loaded by the seed,
    bench/export_measurements.py, plus what staff added in the admin), keyed by the catalog GPU; rows on a
    RETIRED_BACKENDS backend left out."""
    from catalog.models import Measurement

    rows = []
    for m in (
        Measurement.objects.filter(n_gpus=1, runtime="llamacpp")
        .exclude(file_size_bytes=None)
        .select_related("gpu", "llm")
        .order_by("pk")
    ):
        if any(retired in m.backend.lower() for retired in RETIRED_BACKENDS):
            continue
        device = specs.gpu_to_device(m.gpu)
        if m.bandwidth_gbs:
            device = type(device)(**{**device.__dict__, "bandwidth_gbs": m.bandwidth_gbs})
        if not device.bandwidth_gbs or m.file_size_bytes is None:  # (the query leaves out rows without a size)
            continue
        rows.append(
            Row(
                m.gpu.slug,
                m.kind,
                device.device_class,
                m.tok_s,
                m.file_size_bytes,
                m.depth,
                specs.llm_to_arch(m.llm),
                device,
                m.source,
                m.quant,
                m.backend,
                m.measured_on,
            )
        )
    return rows


def decode_bytes(row: Row) -> int:
    """Bytes read per decoded token, as a plan counts them (engine.plan: weights.active_weight_bytes on the row's
    file, every tensor but the token embedding and a mixture of experts' routed share, plus kv.kv_read_bytes of the
    cache of a context at the test's depth)."""
    from planner.engine.kv import kv_cache_bytes, kv_read_bytes
    from planner.engine.types import Quantization, Workload
    from planner.engine.weights import active_weight_bytes

    arch = row.arch
    name = row.quant.split()[0].upper() if row.quant else "Q4_K_M"
    weights = active_weight_bytes(arch, Quantization(name, "gguf", file_size_bytes=row.file_bytes))
    work = Workload(context=max(row.depth, 1))
    return weights + kv_read_bytes(arch, work, kv_cache_bytes(arch, work, "llamacpp"))


def percentile(values, q):
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# Shape names of the serving-engine measurements (shared/data/serving/, MEASUREMENTS.md) -> the catalog model whose
# config.json the shape was built from (for its layer count).
SERVING_MODELS = {
    "qwen2.5-1.5b": "Qwen/Qwen2.5-1.5B-Instruct",
    "qwen3-4b": "Qwen/Qwen3-4B",
    "phi-3-mini": "microsoft/Phi-3-mini-4k-instruct",
    "mistral-7b-v0.3": "mistralai/Mistral-7B-Instruct-v0.3",
    "qwen3-8b": "Qwen/Qwen3-8B",
    "qwen2.5-14b": "Qwen/Qwen2.5-14B-Instruct",
    "qwen3-14b": "Qwen/Qwen3-14B",
    "qwen3-32b": "Qwen/Qwen3-32B",
    "llama-3.3-70b": "meta-llama/Llama-3.3-70B-Instruct",
    "qwen3-30b-a3b": "Qwen/Qwen3-30B-A3B",
    "gpt-oss-20b": "openai/gpt-oss-20b",
    "mixtral-8x7b": "mistralai/Mixtral-8x7B-v0.1",
}


@dataclass
class StepRow:
    """One measured decode step of a serving-engine-class decoder: bytes it read, layers, seconds."""

    model: str
    batch: int
    layers: int
    read_bytes: int
    device: object
    seconds: float


def _serving(name: str, kind: str):
    """(row, catalog model, engine device) for the ``kind`` rows of shared/data/serving/<name> whose GPU and model
    shape the catalog holds (the MoE file has decode rows only and no kind column)."""
    gpus = {f"{g.vendor} {g.name}": g for g in GPU.objects.all()}
    llms = {m.hf_repo_id: m for m in LLM.objects.all()}
    for r in read(f"serving/{name}"):
        llm, gpu = llms.get(SERVING_MODELS.get(r["model"], "")), gpus.get(r["gpu"])
        if r.get("kind", "decode") == kind and llm is not None and gpu is not None:
            yield r, llm, specs.gpu_to_device(gpu)


def serving_rows(name: str) -> list[StepRow]:
    """Decode steps of shared/data/serving/<name> whose GPU and model shape the catalog holds."""
    return [
        StepRow(
            r["model"],
            int(r["batch"]),
            llm.num_layers,
            int(r["weight_read_bytes"]) + int(r["kv_bytes"]),
            device,
            float(r["ms"]) / 1000,
        )
        for r, llm, device in _serving(name, "decode")
    ]


@dataclass
class PrefillRow:
    """One measured prompt pass of a serving-engine-class decoder: its model, prompt length and tokens/s."""

    model: str
    arch: object
    prompt: int
    device: object
    tok_s: float


def serving_prefill_rows(name: str) -> list[PrefillRow]:
    """Prompt passes of shared/data/serving/<name> whose GPU and model shape the catalog holds."""
    return [
        PrefillRow(r["model"], specs.llm_to_arch(llm), int(r["prompt"]), device, float(r["tok_s_total"]))
        for r, llm, device in _serving(name, "prefill")
    ]


def bench_csv(name: str) -> list[dict]:
    """A measurement table kept in bench/ with a source per row (cpu_decode.csv, expert_offload.csv)."""
    with open(ROOT / "bench" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def cpu_rows() -> list[Row]:
    """CPU-only llama.cpp decode rows (bench/cpu_decode.csv): the engine's CPU device, its bandwidth the RAM's
    peak (channels x MT/s x 8 B, or the figure the source states), the row's model and file size."""
    from planner.engine.types import CPU_CLASS, Device

    llms = {m.slug: m for m in LLM.objects.filter(slug__in={r["llm"] for r in bench_csv("cpu_decode.csv")})}
    rows = []
    for r in bench_csv("cpu_decode.csv"):
        device = Device(name=r["cpu"], memory_bytes=0, bandwidth_gbs=float(r["ram_peak_gbs"]), device_class=CPU_CLASS)
        rows.append(
            Row(
                r["cpu"],
                "decode",
                CPU_CLASS,
                float(r["tok_s"]),
                int(float(r["file_size_gib"]) * GIB),
                depth_of(r["test"]) or 0,
                specs.llm_to_arch(llms[r["llm"]]),
                device,
                r["source"],
                r["quant"],
            )
        )
    return rows


def source_key(row: dict) -> str:
    """The publication a measurement row comes from: its source's address, without the notes after it."""
    return row["source"].split()[0]


def offload_rows() -> list[tuple[dict, "Plan", int]]:
    """bench/expert_offload.csv planned as the product plans it at each row's --n-cpu-moe N: (row, plan, the MoE
    layers whose experts the CPU computes)."""
    from catalog.models import GPU
    from planner import sizing
    from planner.engine.plan import plan
    from planner.engine.types import Runtime, Setup, Workload

    rows = bench_csv("expert_offload.csv")
    llms = {m.slug: m for m in LLM.objects.filter(slug__in={r["llm"] for r in rows})}
    gpus = {g.slug: g for g in GPU.objects.filter(slug__in={r["gpu"] for r in rows})}
    out = []
    for r in rows:
        llm = llms[r["llm"]]
        inputs = sizing.plan_inputs(llm, None, r["quant"], "llamacpp", quants=llm.quantizations.all())
        setup = Setup(
            devices=(specs.gpu_to_device(gpus[r["gpu"]]),),
            offload="experts",
            ram_bytes=2**50,
            host_ram_bandwidth_gbs=float(r["ram_peak_gbs"]),
            cpu_moe_layers=int(r["cpu_moe_layers"]),
        )
        work = Workload(context=max(depth_of(r["test"]) or 0, 256), kv_cache=r["kv_cache"])
        p = plan(inputs.arch, inputs.quant, work, setup, Runtime())
        out.append((r, p, max(p.cpu_moe_layers - inputs.arch.first_dense_layers, 0)))
    return out
