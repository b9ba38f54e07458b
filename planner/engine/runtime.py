"""What each runtime adds on top of weights and KV, and how much of a device it may use."""

from .types import CPU_CLASS, GIB, MIB, Architecture, Device, Runtime, Workload

# Ollama keeps this much free on every GPU before it places layers. Source: ollama discover/gpu.go
# (cudaMinimumMemory and rocmMinimumMemory = 457 MiB) and gpu_darwin.go (metal minimum 512 MiB);
# OLLAMA_GPU_OVERHEAD adds to it (default 0, envconfig/config.go).
OLLAMA_MIN_FREE_BYTES = {"apple": 512 * MIB, "default": 457 * MIB}

# macOS lets the GPU wire about 2/3 of unified memory on machines up to 32 GiB and 3/4 above
# (Metal recommendedMaxWorkingSetSize as llama.cpp prints it: 21845.34 MB on a 32 GB M1 Max,
# 147456 MB on a 192 GB M2 Ultra). Users raise it with `sysctl iogpu.wired_limit_mb`.
APPLE_SMALL_SHARE, APPLE_LARGE_SHARE, APPLE_THRESHOLD_BYTES = 2 / 3, 3 / 4, 32 * GIB
# Non-Apple unified-memory parts (Strix Halo, GB10): the GPU aperture is set in firmware/driver;
# we assume the same 3/4 share as a large Mac unless the user overrides it.
INTEGRATED_SHARE = 3 / 4

# llama.cpp multi-GPU (layer split) compute buffers: 640 MiB per GPU against 560 MiB on one GPU
# for Llama-3-8B at n_ctx 8192 (XiongjieDai logs in shared/data/vram_reports_public.csv): × 8/7.
MULTI_GPU_COMPUTE_FACTOR = 8 / 7


# System RAM the operating system keeps for itself: Windows 11's minimum memory is 4 GB (Microsoft,
# "Windows 11 specifications"), the same figure Ubuntu Desktop asks for; a plan's host bytes must fit in the rest.
OS_RESERVE_BYTES = 4 * GIB


# `vllm serve`'s default max_num_batched_tokens (vllm/engine/arg_utils.py get_batch_defaults, OPENAI_API_SERVER):
# 8192 on a GPU of 70 GiB or more that is not an A100 (PR #17885 kept the A100 at the small value), 2048 otherwise.
# Prompt tokens in flight: vLLM reserves window blocks for them in every request's sliding-window layers.
VLLM_BATCHED_TOKENS_SMALL, VLLM_BATCHED_TOKENS_LARGE, VLLM_LARGE_GPU_BYTES = 2048, 8192, 70 * GIB


def vllm_batched_tokens(device: Device | None) -> int:
    """The tokens vLLM batches per step by default on ``device`` (None: a plan with no GPU, the small default)."""
    if device is None or device.memory_bytes < VLLM_LARGE_GPU_BYTES or "a100" in device.name.lower():
        return VLLM_BATCHED_TOKENS_SMALL
    return VLLM_BATCHED_TOKENS_LARGE


def usable_bytes(device: Device, runtime: Runtime) -> int:
    """Memory a runtime may fill on one device.

    CPU only: the system RAM less the OS reserve. Unified memory: the OS share above (or the user's override).
    Discrete GPUs: llama.cpp keeps its ``--fit`` margin free (1024 MiB per device, tools/fit-params), Ollama its
    minimum free memory, vLLM fills ``gpu_memory_utilization`` (0.92) of the total (vllm/config/cache.py).
    """
    total = device.memory_bytes
    if device.device_class == CPU_CLASS:  # CPU only: the system RAM less what the OS keeps
        return max(total - OS_RESERVE_BYTES, 0)
    if device.usable_fraction_override:
        return int(total * device.usable_fraction_override)
    if device.unified_memory:
        if device.device_class == "apple":
            share = APPLE_LARGE_SHARE if total > APPLE_THRESHOLD_BYTES else APPLE_SMALL_SHARE
        else:
            share = INTEGRATED_SHARE
        total = int(total * share)
        if runtime.name == "vllm":
            return int(total * runtime.gpu_memory_utilization)
        return total
    if runtime.name == "vllm":
        return int(total * runtime.gpu_memory_utilization)
    if runtime.name == "ollama":
        reserve = OLLAMA_MIN_FREE_BYTES["apple" if device.device_class == "apple" else "default"]
        return max(total - reserve, 0)
    return max(total - runtime.fit_margin_bytes, 0)


def llamacpp_compute_buffer_bytes(arch: Architecture, work: Workload, runtime: Runtime, n_devices: int = 1) -> int:
    """llama.cpp's per-device compute buffer (graph scratch), in bytes.

    The peak is the larger of the output logits, n_ubatch × (n_vocab + n_embd) × 4 B, and — without
    Flash Attention — the attention scores, n_ctx × n_ubatch × n_head × 4 B + 6 × n_ubatch × n_embd × 4 B.
    Fit to llama.cpp's own log lines (vram_reports_public.csv): Llama-3-8B 258.50 MiB at n_ctx 512
    (logits term exactly) and 560.00 MiB at n_ctx 8192 with FA off (attention term exactly).
    """
    logits = work.ubatch * (arch.vocab_size + arch.hidden_size) * 4
    if not arch.generates:
        # Embedding and rerank models have no output head to fill with logits: the activation term of the same
        # fit (6 × n_ubatch × n_embd × 4 B) is what remains of the peak.
        logits = 6 * work.ubatch * arch.hidden_size * 4
    peak = logits
    if not runtime.flash_attention:
        n_ctx = work.context * work.batch
        peak = max(logits, n_ctx * work.ubatch * arch.num_heads * 4 + 6 * work.ubatch * arch.hidden_size * 4)
    if n_devices > 1:
        peak = int(peak * MULTI_GPU_COMPUTE_FACTOR)
    return peak


# vLLM's activation peak during its profiling run plus CUDA graphs; vLLM logs both after start-up
# ("model weights took …", "CUDA graph pool …"). Typical logs for 7-8B models show 1-2 GiB for the
# non-torch + activation peak; we take 1.5 GiB + the logits of max_num_batched_tokens (2048) in fp32.
VLLM_BASE_OVERHEAD_BYTES = int(1.5 * GIB)


def runtime_overhead_bytes(arch: Architecture, work: Workload, runtime: Runtime, n_devices: int = 1) -> int:
    """Runtime memory beyond weights and KV across all devices."""
    if runtime.name == "vllm":
        return (VLLM_BASE_OVERHEAD_BYTES + 2048 * arch.vocab_size * 4) * n_devices
    return llamacpp_compute_buffer_bytes(arch, work, runtime, n_devices) * n_devices
