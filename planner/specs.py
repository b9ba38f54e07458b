"""The one seam between the catalog (Django rows) and the sizing engine (frozen dataclasses).

Views, API, commands and benchmarks build engine inputs here and nowhere else.
"""

from dataclasses import dataclass

from catalog.hf_config import NATIVE_GGUF
from catalog.models import GPU, LLM, ModelQuant, QuantFormat
from planner.engine.plan import MAX_CONTEXT_TOKENS, RUNTIMES
from planner.engine.recurrent import recurrent_state
from planner.engine.types import (
    CHUNKED,
    CPU_CLASS,
    CSA,
    FULL,
    HCA,
    NO_CACHE,
    RECURRENT,
    SLIDING,
    Architecture,
    Device,
    EngineError,
    Quantization,
    RecurrentState,
    Setup,
)
from planner.engine.vision import image_compute_bytes, vision_encoder_params

# catalog LLM.layer_pattern letters (catalog/hf_config.py) -> engine layer kinds
LAYER_LETTERS = {"F": FULL, "S": SLIDING, "C": CHUNKED, "R": RECURRENT, "N": NO_CACHE, "K": CSA, "H": HCA}

# KV-cache types each runtime offers: llama-server -ctk/-ctv allowed values (its README, via llama-cpp-python
# 0.3.36), Ollama's OLLAMA_KV_CACHE_TYPE (docs/faq.mdx @fb30760), vLLM's --kv-cache-dtype (vLLM 0.33.0
# CacheDType; "f16" stands for its default "auto", the model's 16-bit dtype).
KV_TYPES_BY_RUNTIME = {
    "llamacpp": ("f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl", "f32"),
    "ollama": ("f16", "q8_0", "q4_0"),
    "vllm": ("f16", "bf16", "fp8", "fp8_e4m3", "fp8_e5m2"),
}
KV_CHOICES = tuple(dict.fromkeys(k for kinds in KV_TYPES_BY_RUNTIME.values() for k in kinds))
OFFLOAD_CHOICES = ("none", "layers", "experts", "auto")
# System RAM presets: peak bandwidth = transfer rate (MT/s) × 8 bytes per 64-bit channel × channels, as the
# JEDEC names state them (DDR4-3200 dual channel: 3200 × 8 × 2 = 51.2 GB/s).
RAM_PRESETS = {
    "ddr4-2666-dual": ("DDR4-2666, dual channel", 42.7),
    "ddr4-3200-dual": ("DDR4-3200, dual channel", 51.2),
    "ddr5-5600-dual": ("DDR5-5600, dual channel", 89.6),
    "ddr5-6000-dual": ("DDR5-6000, dual channel", 96.0),
}


def machine(
    offload="none", ram_gb: float | None = None, ram_preset: str = "", ram_bandwidth_gbs: float | None = None
) -> dict:
    """Sizing keyword arguments for the user's machine: offload mode, RAM bytes, RAM bandwidth."""
    return {
        "offload": offload_mode(offload or "none"),
        "ram_bytes": int(ram_gb * 1024**3) if ram_gb else None,
        "ram_bandwidth_gbs": ram_bandwidth_gbs or (RAM_PRESETS[ram_preset][1] if ram_preset else None),
    }


def offload_mode(value) -> str:
    """An offload setting as given (true/false kept working as auto/none) -> one of OFFLOAD_CHOICES."""
    text = str(value).strip().lower()
    return {
        "true": "auto",
        "1": "auto",
        "on": "auto",
        "yes": "auto",
        "false": "none",
        "0": "none",
        "off": "none",
        "no": "none",
        "": "none",
    }.get(text, text)


DEFAULT_CONTEXT = 8192
# What a question gets for what it does not say (forms' initial values, the planner's short links); the context's
# default is default_context below, the quantization's default_quant.
DEFAULT_KV_CACHE = "f16"
MAX_GPU_COUNT = 64  # identical GPUs a plan may use (and the fewest-GPUs answer looks up to)
DEFAULT_RUNTIME = "llamacpp"
PLAN_DEFAULTS = {
    "batch": 1,
    "gpu_count": 1,
    "kv_cache": DEFAULT_KV_CACHE,
    "runtime": DEFAULT_RUNTIME,
    "offload": "none",
}
# The workload a page sizes for when the question names none (the model's format is its own default).
WORKLOAD_DEFAULTS = {"context": DEFAULT_CONTEXT, "kv_cache": DEFAULT_KV_CACHE, "runtime": DEFAULT_RUNTIME}


def default_context(llm: LLM | None) -> int:
    """The context a question gets when it names none: 8K, or the model's maximum when smaller."""
    return min(DEFAULT_CONTEXT, llm.max_context) if llm is not None else DEFAULT_CONTEXT


RUNTIME_CHOICES = RUNTIMES  # the engine's runtimes
RUNTIME_LABELS = {"llamacpp": "llama.cpp", "ollama": "Ollama", "vllm": "vLLM"}


# Which GPUs each runtime's current release drives, by backend (rows and sources in
# fixtures/source/runtime_backends.csv, gathered 2026-11):
# - llama.cpp: CUDA 12 builds from compute capability 5.0 (ggml/src/ggml-cuda/CMakeLists.txt @00a2d60), ROCm/HIP,
#   Vulkan 1.2+, Metal and SYCL: every backend a GPU has.
# - Ollama (docs/gpu.mdx @fb30760): CUDA from 5.0; ROCm v7 on the gfx targets below (Linux presets); Vulkan; Metal.
# - vLLM: CUDA from 7.0 (installation/gpu.cuda docs); ROCm on the targets its ROCm docs list; Intel XPU (SYCL).
#   Apple GPUs only through a community plugin, not vLLM itself; no Vulkan backend.
OLLAMA_ROCM_GFX = frozenset(
    {
        "gfx908",
        "gfx90a",
        "gfx942",
        "gfx950",
        "gfx1030",
        "gfx1100",
        "gfx1101",
        "gfx1102",
        "gfx1150",
        "gfx1151",
        "gfx1200",
        "gfx1201",
    }
)
VLLM_ROCM_GFX = frozenset(
    {"gfx90a", "gfx942", "gfx950", "gfx1100", "gfx1101", "gfx1150", "gfx1151", "gfx1200", "gfx1201"}
)
MIN_CUDA_CC = {"llamacpp": 5.0, "ollama": 5.0, "vllm": 7.0}


def _ccs(gpu: GPU) -> list[float]:
    return [float(c) for c in gpu.cuda_cc.split(";") if c.strip()]


def backend_key(label: str) -> str:
    """A backend as a measurement names it ("CUDA", "ROCm/HIP (rocWMMA)", "llama.cpp Vulkan") -> cuda, rocm, vulkan,
    metal, sycl, opencl, or "" when it names none of them ("backend per issue": the GPU's own applies)."""
    return next((b for b in ("cuda", "rocm", "vulkan", "metal", "sycl", "opencl") if b in label.lower()), "")


def runtime_backend(gpu: GPU, runtime: str) -> str | None:
    """The backend ``runtime`` would use on ``gpu`` (its vendor stack first), or None when no current release of
    it can drive the GPU. A GPU whose backends are unknown is given the benefit of the doubt."""
    backends = [b for b in gpu.backends.split(",") if b]
    if not backends:
        return "unknown"
    gfx = {g for g in gpu.gfx_target.split(";") if g}
    for backend in backends:  # stored vendor stack first: cuda/rocm/metal/sycl before vulkan
        if backend == "cuda" and any(cc >= MIN_CUDA_CC[runtime] for cc in _ccs(gpu) or [MIN_CUDA_CC[runtime]]):
            return backend
        if backend == "rocm" and (
            runtime == "llamacpp" or gfx & (OLLAMA_ROCM_GFX if runtime == "ollama" else VLLM_ROCM_GFX)
        ):
            return backend
        if backend == "metal" and runtime != "vllm":
            return backend
        if backend == "sycl" and runtime != "ollama":
            return backend
        if backend == "vulkan" and runtime != "vllm":
            return backend
    return None


def _recurrent(llm: LLM) -> tuple[RecurrentState | None, str]:
    """The recurrent layers' state, or why it cannot be sized."""
    if not llm.recurrent or "R" not in llm.layer_pattern:
        return None, ""
    dims = dict(llm.recurrent)
    try:
        return recurrent_state(str(dims.pop("kind", "")), dims, int(dims.pop("ssm_dtype_bytes", 2) or 2)), ""
    except EngineError as exc:
        return None, exc.message


def llm_to_arch(llm: LLM) -> Architecture:
    attention = {"mla": "mla", "swa-hybrid": "swa", "csa": "csa"}.get(llm.attention, "standard")
    state, problem = _recurrent(llm)
    return Architecture(
        name=llm.name,
        num_layers=llm.num_layers,
        hidden_size=llm.hidden_size,
        num_heads=llm.num_attention_heads,
        num_kv_heads=llm.num_kv_heads,
        vocab_size=llm.vocab_size,
        max_context=llm.max_context,
        head_dim=llm.head_dim,
        params_total=llm.params_total,
        params_active=llm.params_active,
        intermediate_size=llm.intermediate_size,
        tied_embeddings=llm.tied_embeddings,
        is_moe=llm.is_moe,
        num_experts=llm.num_experts,
        experts_per_token=llm.num_experts_per_token,
        first_dense_layers=llm.first_dense_layers,
        attention=attention,
        mla_kv_lora_rank=llm.mla_kv_lora_rank,
        mla_rope_dim=llm.mla_rope_dim,
        sliding_window=llm.sliding_window,
        swa_local_layers=llm.swa_local_layers,
        swa_global_layers=llm.swa_global_layers,
        window_kind=llm.window_kind or "sliding",
        family=llm.family,
        layer_kinds=tuple(LAYER_LETTERS[c] for c in llm.layer_pattern) if llm.layer_pattern else None,
        recurrent=state,
        head_dim_v=llm.head_dim_v,
        global_kv_heads=llm.global_kv_heads,
        global_head_dim=llm.global_head_dim,
        indexer_head_dim=llm.indexer_head_dim,
        unsupported=llm.unsupported_reason or problem,
        task=llm.task,
        causal=llm.causal,
        gated_ffn=llm.gated_ffn,
        vision_params=vision_encoder_params(llm.vision) if llm.vision else 0,
        vision_compute_bytes=image_compute_bytes(llm.vision),
        native_quant=llm.native_quant,
    )


def format_to_quant(fmt: QuantFormat, file_size_bytes: int | None = None) -> Quantization:
    return Quantization(
        name=fmt.name, family=fmt.family, bits_per_weight=fmt.bits_per_weight, file_size_bytes=file_size_bytes
    )


def model_quant_to_quant(mq: ModelQuant) -> Quantization:
    return format_to_quant(mq.fmt, mq.file_size_bytes)


def device_class(gpu: GPU) -> str:
    if gpu.segment == GPU.Segment.APPLE:
        return "apple"
    if gpu.segment == GPU.Segment.INTEGRATED:
        return "integrated"
    return gpu.vendor.lower() if gpu.vendor.lower() in {"nvidia", "amd", "intel"} else "nvidia"


def gpu_to_device(gpu: GPU, usable_fraction_override: float | None = None) -> Device:
    """The compute figures prefill is timed on (planner/engine/speed.py): the FP32 shader rate and the dense
    FP16/BF16, FP8 and INT8 matrix rates."""
    return Device(
        name=gpu.slug,
        memory_bytes=gpu.memory_bytes,
        bandwidth_gbs=gpu.bandwidth_gbs,
        device_class=device_class(gpu),
        compute_tflops=gpu.fp32_tflops,
        matrix_tflops=gpu.tensor_fp16_tflops,
        matrix_fp16acc_tflops=gpu.tensor_fp16acc_tflops,
        matrix_fp8_tflops=gpu.tensor_fp8_tflops,
        matrix_int8_tops=gpu.tensor_int8_tops,
        compute_units=gpu.compute_units,
        backend=(runtime_backend(gpu, "llamacpp") or "").replace("unknown", ""),
        unified_memory=gpu.segment in {GPU.Segment.APPLE, GPU.Segment.INTEGRATED},
        usable_fraction_override=usable_fraction_override,
    )


def cpu_device(ram_gb: float, ram_bandwidth_gbs: float | None) -> Device:
    """The machine's CPU with its system RAM (``ram_gb`` GiB) and the RAM's peak bandwidth (None: Setup's default,
    DDR4-3200 dual channel): a CPU-only plan (llama.cpp's CPU backend; the decode efficiency is CPU_DECODE, fitted
    on bench/cpu_decode.csv)."""
    return Device(
        name="CPU",
        memory_bytes=int(ram_gb * 1024**3),
        bandwidth_gbs=ram_bandwidth_gbs or Setup.host_ram_bandwidth_gbs,
        device_class=CPU_CLASS,
        backend="cpu",
    )


def machine_problems(d: dict) -> list[tuple[str, str]]:
    """(field, message) for a machine a plan cannot have, from a form's or the API's cleaned data. A catalog GPU
    and a custom VRAM size contradict each other (one would be ignored). A CPU-only plan
    takes no GPU, custom VRAM or GPU bandwidth, no vLLM (its CPU backend is not modelled), one device, no offload (the
    RAM is its memory) and one sequence (no CPU compute rate bounds a batch), and needs the machine's RAM;
    --n-cpu-moe needs a GPU to keep the rest on."""
    problems = []
    if d.get("gpu") and d.get("vram_gb"):
        problems.append(("gpu", "Give a catalog GPU or a custom VRAM size (vram_gb), not both."))
    if d.get("cpu_only"):
        if d.get("gpu") or d.get("vram_gb") or d.get("bandwidth_gbs"):
            problems.append(
                (
                    "cpu_only",
                    "A CPU-only plan takes no GPU, custom VRAM or GPU bandwidth (the RAM's goes "
                    "in ram_bandwidth_gbs or ram_preset).",
                )
            )
        if d.get("runtime") == "vllm":
            problems.append(
                ("runtime", "vLLM's CPU backend is not modelled: choose llama.cpp or Ollama for a CPU-only plan.")
            )
        if not d.get("ram_gb"):
            problems.append(("ram_gb", "A CPU-only plan needs the machine's RAM (ram_gb)."))
        if (d.get("gpu_count") or 1) != 1:
            problems.append(("gpu_count", "A CPU-only plan has no GPUs to count."))
        if offload_mode(d.get("offload") or "none") != "none":
            problems.append(("offload", "A CPU-only plan has nothing to offload: the model is in system RAM already."))
        if (d.get("batch") or 1) > 1:
            problems.append(
                ("batch", "A CPU-only plan is for one sequence: no CPU compute rate is on record to bound a batch.")
            )
    if d.get("cpu_moe_layers") is not None and not (d.get("gpu") or d.get("vram_gb")):
        problems.append(("cpu_moe_layers", "--n-cpu-moe keeps experts in system RAM beside a GPU: choose one."))
    return problems


def custom_device(vram_gb: float, bandwidth_gbs: float | None, compute_tflops: float | None = None) -> Device:
    """A user-described GPU: ``vram_gb`` in GiB as vendors count VRAM."""
    return Device(
        name="custom",
        memory_bytes=int(vram_gb * 1024**3),
        bandwidth_gbs=bandwidth_gbs,
        device_class="nvidia",
        compute_tflops=compute_tflops,
    )


# Defaults for a custom architecture's optional fields, echoed back as assumptions.
CUSTOM_VOCAB_DEFAULT = 128_256  # Llama 3's tokenizer (meta-llama/Meta-Llama-3-8B config.json vocab_size)


@dataclass(frozen=True)
class CustomField:
    """One number of a custom architecture: its kind, bounds, whether a custom model needs it, a label for the
    planner form and a description for the API. The form (forms.CustomArchitectureFields) and the API
    (api.ArchitectureInput) build their fields from CUSTOM_ARCH; custom_arch_problems holds the rules between them."""

    kind: type
    min_value: float
    max_value: float
    required: bool
    label: str
    help_text: str = ""


CUSTOM_ARCH = {
    "params_b": CustomField(float, 0.01, 10_000, True, "Parameters (B)", "Total parameters, billions."),
    "layers": CustomField(int, 1, 1000, True, "Layers"),
    "hidden_size": CustomField(int, 64, 262_144, True, "Hidden size"),
    "heads": CustomField(int, 1, 1024, True, "Attention heads"),
    "kv_heads": CustomField(int, 1, 1024, True, "KV heads"),
    "head_dim": CustomField(int, 8, 4096, False, "Head dim", "Default: hidden_size / heads."),
    "vocab_size": CustomField(int, 1, 10_000_000, False, "Vocabulary", f"Default {CUSTOM_VOCAB_DEFAULT}."),
    "max_context": CustomField(int, 1, MAX_CONTEXT_TOKENS, False, "Model's max context"),
    "active_params_b": CustomField(
        float, 0.01, 10_000, False, "Active parameters (B, MoE)", "Active parameters per token (MoE), billions."
    ),
}
CUSTOM_FIELDS = tuple(CUSTOM_ARCH)


def custom_arch_problems(d: dict) -> list[tuple[str, str]]:
    """(field, message) for a custom architecture that cannot be, from a form's or the API's cleaned values: a
    required number missing, attention heads that KV heads do not divide, more active parameters than total."""
    problems = [
        (name, "Required for a custom model.") for name, f in CUSTOM_ARCH.items() if f.required and d.get(name) is None
    ]
    if d.get("heads") and d.get("kv_heads") and d["heads"] % d["kv_heads"]:
        problems.append(("kv_heads", "Attention heads must be a multiple of KV heads."))
    if d.get("active_params_b") and d.get("params_b") and d["active_params_b"] > d["params_b"]:
        problems.append(("active_params_b", "Active parameters cannot exceed the total (params_b)."))
    return problems


def custom_arch(
    *,
    params_b: float,
    layers: int,
    hidden_size: int,
    heads: int,
    kv_heads: int,
    head_dim: int | None = None,
    vocab_size: int | None = None,
    max_context: int | None = None,
    active_params_b: float | None = None,
) -> Architecture:
    """A user-described transformer (GQA/MHA). Without ``max_context`` the model is taken to accept any
    context up to the engine's limit, so the max-context answer is the memory's limit alone;
    ``active_params_b`` below ``params_b`` makes it a mixture of experts."""
    is_moe = bool(active_params_b and active_params_b < params_b)
    return Architecture(
        name="Custom model",
        num_layers=layers,
        hidden_size=hidden_size,
        num_heads=heads,
        num_kv_heads=kv_heads,
        head_dim=head_dim,
        vocab_size=vocab_size or CUSTOM_VOCAB_DEFAULT,
        max_context=max_context or MAX_CONTEXT_TOKENS,
        params_total=int(params_b * 1e9),
        params_active=int(active_params_b * 1e9) if active_params_b and is_moe else None,
        is_moe=is_moe,
    )


def context_problem(llm: LLM | None, context: int | None) -> str | None:
    """Why a catalog model cannot take ``context`` tokens (None: it can)."""
    if llm is not None and context and context > llm.max_context:
        return f"{llm.name} supports at most {llm.max_context:,} tokens."
    return None


# vLLM's kernels per GPU generation (vLLM 0.33.0 docs/features/quantization/README.md "Supported Hardware";
# Volta SM 7.0, Turing 7.5, Ampere 8.0/8.6, Ada 8.9, Hopper 9.0): the lowest NVIDIA compute capability each
# format runs on, and whether AMD and Intel GPUs run it. FP8 runs as W8A8 from Ada and on AMD, weight-only
# through Marlin from Turing; FP4 weight-only through Marlin from Turing (MXFP4 from Ampere). BF16 needs 8.0
# (vllm/platforms/cuda.py: "Bfloat16 is only supported on GPUs with compute capability of at least 8.0").
VLLM_MIN_CC = {"awq": 7.5, "gptq": 7.0, "fp8": 7.5, "nvfp4": 7.5, "mxfp4": 8.0, "bnb": 7.0}
VLLM_OTHER_VENDORS = {
    "awq": {"Intel"},
    "gptq": {"Intel"},
    "fp8": {"AMD"},
    "nvfp4": set(),
    "mxfp4": set(),
    "bnb": set(),
    "float": {"AMD", "Intel"},
}


def hardware_problem(quant_name: str, family: str, runtime: str, gpu: GPU | None) -> str | None:
    """Why ``gpu`` cannot run this format under ``runtime`` (None: it can, or we do not know the GPU). Only vLLM
    is limited by format: llama.cpp and Ollama run every GGUF type on every backend they drive."""
    if runtime != "vllm" or gpu is None:
        return None
    if gpu.vendor != "NVIDIA":
        if family in VLLM_OTHER_VENDORS and gpu.vendor not in VLLM_OTHER_VENDORS[family]:
            others = [f for f, vendors in VLLM_OTHER_VENDORS.items() if gpu.vendor in vendors and f != "float"]
            return (
                f"vLLM does not run {quant_name} on {gpu.vendor} GPUs; it runs 16-bit"
                + (f" and {', '.join(FAMILY_LABELS[f] for f in others)}" if others else "")
                + " there."
            )
        return None
    cc = max(_ccs(gpu), default=None)
    if cc is None:
        return None
    if family == "float" and quant_name == "BF16" and cc < 8.0:
        return f"vLLM runs BF16 from compute capability 8.0; the {gpu.name} has {cc:.1f}: use F16 (--dtype half)."
    if family in VLLM_MIN_CC and cc < VLLM_MIN_CC[family]:
        return (
            f"vLLM runs {quant_name} from compute capability {VLLM_MIN_CC[family]:.1f}; "
            f"the {gpu.name} has {cc:.1f}. Use F16, or GPTQ on Volta."
        )
    return None


def gpu_problem(gpu: GPU | None, runtime: str, quant_name: str, family: str) -> str | None:
    """Why this GPU cannot run this format under this runtime: no current release drives the GPU at all, or
    the runtime's kernels for the format need a newer GPU (None: it can, or no GPU was named)."""
    if gpu is None:
        return None
    if runtime_backend(gpu, runtime) is None:
        return (
            f"No current {RUNTIME_LABELS[runtime]} release drives the {gpu.vendor} {gpu.name} "
            f"(its backends: {', '.join(gpu.backend_labels) or 'unknown'})."
        )
    return hardware_problem(quant_name, family, runtime, gpu)


def kv_cache_problem(runtime: str | None, kv_cache: str | None) -> str | None:
    """Why ``runtime`` cannot hold the KV cache in ``kv_cache`` (None: it can), naming what it offers."""
    runtime = runtime or DEFAULT_RUNTIME
    offered = KV_TYPES_BY_RUNTIME.get(runtime, ())
    if kv_cache and kv_cache not in offered:
        return f"{RUNTIME_LABELS.get(runtime, runtime)} has no {kv_cache} KV cache; it offers {', '.join(offered)}."
    return None


# Weight-format families each runtime loads. llama.cpp and Ollama load GGUF files (every ggml type, and
# F16/BF16/F32 GGUFs); vLLM loads safetensors checkpoints in BF16/FP16, FP8 (per-tensor, per-channel, block),
# AWQ, GPTQ, bitsandbytes, MXFP4 and NVFP4 (vLLM docs, "Quantization: supported hardware"); its GGUF loader
# is experimental and not offered here. EXL2 is ExLlamaV2's own format: none of these runtimes loads it.
RUNTIME_FAMILIES = {
    "llamacpp": ("gguf", "float"),
    "ollama": ("gguf", "float"),
    "vllm": ("float", "awq", "gptq", "fp8", "mxfp4", "nvfp4", "bnb"),
}
FAMILY_PREFERENCE = ["gguf", "float", "fp8", "awq", "gptq", "mxfp4", "nvfp4", "bnb", "exl2"]
FAMILY_LABELS = {
    "gguf": "GGUF",
    "float": "16/32-bit",
    "awq": "AWQ",
    "gptq": "GPTQ",
    "fp8": "FP8",
    "mxfp4": "MXFP4",
    "nvfp4": "NVFP4",
    "bnb": "bitsandbytes",
    "exl2": "EXL2 (ExLlamaV2)",
}
# The format a runtime uses for a model when the user names none: the publisher's own where the runtime
# loads it (gpt-oss's MXFP4 experts; DeepSeek-V3's FP8 blocks on vLLM), else the usual choice: Q4_K_M for
# llama.cpp/Ollama (their libraries' default tag), the 16-bit checkpoint for vLLM.
# The checkpoints a vLLM user usually chooses between (a model page's table; the selector has every format).
VLLM_TABLE_FORMATS = ("BF16", "FP8", "AWQ-4bit-g128", "GPTQ-4bit-g128", "NVFP4 (nvfp4)", "NF4")
# The files GGUF publishers put in nearly every repository: a model page's table for a model with no GGUF files on
# record; a format outside these gets a run command only when the repository's file listing on record shows it
# (listings on record can be partial, so they only add).
USUAL_GGUF_FILES = {
    "Q2_K",
    "Q3_K_S",
    "Q3_K_M",
    "Q3_K_L",
    "Q4_0",
    "Q4_K_S",
    "Q4_K_M",
    "Q5_K_S",
    "Q5_K_M",
    "Q6_K",
    "Q8_0",
    "F16",
    "BF16",
    "IQ4_XS",
}
USUAL_FORMAT = {"llamacpp": "Q4_K_M", "ollama": "Q4_K_M", "vllm": "BF16"}


def default_quant(llm: LLM | None, runtime: str, gpu: GPU | None = None) -> str:
    """The model's own format where the runtime loads it, else the runtime's usual one; BF16 becomes F16 on a
    GPU that cannot run it (vLLM's own advice: --dtype half)."""
    native = llm.native_quant if llm is not None else ""
    if native and runtime == "vllm":
        return native
    if native in NATIVE_GGUF and runtime != "vllm":
        return NATIVE_GGUF[native]
    usual = USUAL_FORMAT[runtime]
    return "F16" if usual == "BF16" and hardware_problem(usual, "float", runtime, gpu) else usual


def format_problem(fmt: QuantFormat, runtime: str, formats) -> str | None:
    """Why ``runtime`` cannot load ``fmt`` and the nearest format it can (None: it can)."""
    if fmt.family in RUNTIME_FAMILIES[runtime]:
        return None
    valid = [f for f in formats if f.family in RUNTIME_FAMILIES[runtime]]
    # Closest in bits per weight (to the half bit), then the most used family: AWQ before bitsandbytes.
    near = min(
        valid,
        key=lambda f: (
            round(abs(f.bits_per_weight - fmt.bits_per_weight) * 2),
            FAMILY_PREFERENCE.index(f.family),
            abs(f.bits_per_weight - fmt.bits_per_weight),
        ),
    )
    return (
        f"{RUNTIME_LABELS[runtime]} does not load {FAMILY_LABELS.get(fmt.family, fmt.family)} weights "
        f"({fmt.name}); the nearest format it loads is {near.name}."
    )
