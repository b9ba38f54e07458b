"""Token speed from memory bandwidth (decode) and compute (prefill), with calibrated efficiencies.

Decode is memory-bound: every generated token reads the active weights and the KV cache once, so
    t_token [s] = bytes_read / (read_rate × 1e9 × efficiency) + t_fixed + t_layer × layers
(the roofline argument of Williams et al., CACM 2009, applied to LLM decode as in llama.cpp's
own bandwidth discussions). The read rate is the memory's bandwidth, or, for a class whose fit has a per-unit
rate, the lower of that and compute_units × unit_gbs: a GPU reaches its bandwidth only with enough reads in
flight (Little's law: rate = bytes in flight / latency), and the reads a matrix-vector kernel keeps in flight
grow with the SMs running it, so a part with few SMs for its bandwidth (a Pascal card, an HBM datacenter card
under llama.cpp) reads below its peak (read_rate_gbs). Prefill is compute-bound: G = 2 × active_params GEMM FLOPs and
A = 4 × layers × ctx/2 × q_width attention FLOPs per token (Kaplan et al. 2020 §2.1; QKᵀ and AV):
    t_token [s] = G / (matrix_rate × efficiency) + (shader_cost × G + attention_cost × A) / fp32_rate
                  + expert_cost × R / matrix_rate
with the matrix rate at the precision the runtime multiplies in (matmul_precision) and R the routed-expert share
of G for a mixture of experts (prefill_seconds_per_token says why each term is there).
Every efficiency is at most 1 and every fixed or shader cost at least 0: bench/calibrate.py fits them within
those bounds per device class on shared/data/measurements_public.csv (llama.cpp) and on the H200 serving set
(vLLM-class); the band is the fit's cross-validated 10th–90th percentile of measured / predicted.
"""

import re

from .calibration import CPU_DECODE, DECODE, DECODE_WITHOUT_UNITS, PREFILL, VLLM_DECODE, VLLM_PREFILL
from .types import CPU_CLASS, Architecture, Device, Quantization, Setup, Speed
from .weights import routed_expert_params

FALLBACK_CLASS = "nvidia"
# Where a profile was measured: another device class gets the same formula with its band widened by a quarter
# each way (an assumption, stated in the plan's assumptions), since nothing measures how far it carries.
VLLM_MEASURED_CLASS = "nvidia"


# A fitted profile from calibration.py: efficiencies, fixed costs, band factors and row counts by name.
Fit = dict[str, float]


def decode_fit(device: Device, runtime: str) -> Fit:
    """The decode profile of a device under a runtime: its class's llama.cpp fit (the class's fit without the
    per-unit read cap when the device's compute units are not on record), the CPU's, or the vLLM-class one."""
    device_class = device.device_class
    if device_class == CPU_CLASS:  # llama.cpp on the CPU alone: the RAM read at CPU_DECODE's efficiency
        return {**CPU_DECODE, "t_fixed_s": 0.0, "t_layer_s": 0.0}
    if runtime == "vllm":  # the serving-engine-class profile (CUDA graphs, BF16), measured on an H200
        if device_class == VLLM_MEASURED_CLASS:
            return VLLM_DECODE
        return {**VLLM_DECODE, "low": VLLM_DECODE["low"] * 0.75, "high": VLLM_DECODE["high"] * 1.25}
    fit = DECODE.get(device_class) or DECODE[FALLBACK_CLASS]
    if fit.get("unit_gbs") and not device.compute_units:
        return DECODE_WITHOUT_UNITS.get(device_class) or {k: v for k, v in fit.items() if k != "unit_gbs"}
    return fit


def read_rate_gbs(device: Device, fit: Fit) -> float | None:
    """The rate decode reads memory at before the class efficiency: the bandwidth, capped at the device's compute
    units × the fit's per-unit rate (``unit_gbs``, fitted per class by bench/calibrate.py where it lowers the
    leave-one-GPU-out error) when both are known."""
    unit_gbs = fit.get("unit_gbs")
    if device.bandwidth_gbs and unit_gbs and device.compute_units:
        return min(device.bandwidth_gbs, device.compute_units * unit_gbs)
    return device.bandwidth_gbs


def capped_read_gbs(device: Device, runtime: str) -> float | None:
    """The rate decode reads the device's memory at under ``runtime`` when its compute units, not its bandwidth,
    set it; None when it reads at its bandwidth."""
    rate = read_rate_gbs(device, decode_fit(device, runtime))
    return rate if rate and device.bandwidth_gbs and rate < device.bandwidth_gbs else None


def decode_speed(
    device: Device,
    gpu_bytes: int,
    host_bytes: int = 0,
    host_bandwidth_gbs: float | None = None,
    batch: int = 1,
    runtime: str = "llamacpp",
    layers: int = 0,
    compute_s: float = 0.0,
    handoffs: int = 0,
) -> Speed | None:
    """Per-sequence decode tokens/s for ``batch`` sequences stepping together.

    ``gpu_bytes`` = active weights + KV read per step on the device(s); ``host_bytes`` = the part read
    from system RAM (offloaded layers or experts, which the CPU computes) at ``host_bandwidth_gbs`` × the CPU's
    efficiency (CPU_DECODE, fitted on CPU-only llama.cpp measurements); ``layers`` sets the
    per-layer fixed cost of profiles that have one (kernel launches and synchronisation per layer);
    ``compute_s`` is the step's compute (decode_compute_seconds), the roof a large batch meets; ``handoffs`` counts
    the layers whose routed experts the CPU computes (llama.cpp --n-cpu-moe): each passes its activations from the
    GPU to the CPU and back and waits on both, CPU_DECODE's t_handoff_s (fitted on bench/expert_offload.csv).
    """
    fit = decode_fit(device, runtime)
    tok_s = decode_tok_s(device, gpu_bytes, runtime, host_bytes, host_bandwidth_gbs, fit, layers, compute_s, handoffs)
    if tok_s is None:  # no bandwidth to read the weights at
        return None
    low, high = fit["low"], fit["high"]
    if host_bytes:  # part of the step on the CPU: the band of both fits, the measured offload rows' included
        low = min(low, CPU_DECODE["low"], CPU_DECODE.get("offload_low", 1.0))
        high = max(high, CPU_DECODE["high"], CPU_DECODE.get("offload_high", 1.0))
    return Speed(tok_s=tok_s, low=tok_s * low, high=tok_s * high)


def decode_tok_s(
    device: Device,
    gpu_bytes: int,
    runtime: str = "llamacpp",
    host_bytes: int = 0,
    host_bandwidth_gbs: float | None = None,
    fit: Fit | None = None,
    layers: int = 0,
    compute_s: float = 0.0,
    handoffs: int = 0,
) -> float | None:
    """The central figure of ``decode_speed`` alone (no band), for ranking thousands of devices. The step is
    the slower of reading the bytes and computing the batch (the roofline's minimum of the two rates), plus the
    fixed costs, which neither hides."""
    fit = fit or decode_fit(device, runtime)
    rate = read_rate_gbs(device, fit)
    if not rate:
        return None
    seconds = (
        max(gpu_bytes / (rate * 1e9 * fit["efficiency"]), compute_s)
        + fit["t_fixed_s"]
        + fit.get("t_layer_s", 0.0) * layers
    )
    if host_bytes:
        seconds += host_bytes / ((host_bandwidth_gbs or Setup.host_ram_bandwidth_gbs) * 1e9 * CPU_DECODE["efficiency"])
    seconds += handoffs * CPU_DECODE.get("t_handoff_s", 0.0)
    return 1.0 / seconds


def gemm_flops(active_params: int) -> float:
    """2 FLOPs per active weight per token (Kaplan et al. 2020, §2.1)."""
    return 2.0 * active_params


def attention_flops(arch: Architecture, context: int) -> float:
    """QKᵀ and AV per prompt token over a prompt of ``context`` tokens: each attends to context / 2 on average."""
    return 4.0 * arch.num_layers * (context / 2) * arch.num_heads * arch.head_dim_k


# llama.cpp PR #8075 (github.com/ggml-org/llama.cpp/pull/8075, merged 2024-06-24) made CUDA multiply quantized prompts
# in INT8 (MMQ) by default; builds before it dequantized them to FP16 for cuBLAS.
MMQ_DEFAULT_SINCE = "2024-06-24"
_DATE = re.compile(r"(?<!\d)\d{4}(?:-(?:0[1-9]|1[0-2])(?!\d)(?:-(?:0[1-9]|[12]\d|3[01])(?!\d))?)?")


def llamacpp_mmq(measured_on: str) -> bool:
    """Whether a llama.cpp CUDA build measured on ``measured_on`` ('2024-05', '2024-01-10', '2023-11 .. 2025') had the
    INT8 prompt kernels by default: its latest date is not before MMQ_DEFAULT_SINCE (a month or year containing that
    day counts as after; no date: a current build)."""
    dates: list[str] = _DATE.findall(measured_on)
    if not dates:
        return True
    latest = max(dates)
    return latest >= MMQ_DEFAULT_SINCE[: len(latest)]


def matmul_precision(quant: Quantization, runtime: str = "llamacpp", backend: str = "cuda", mmq: bool = True) -> str:
    """The precision a runtime's prompt GEMMs multiply in. vLLM: float weights in BF16/FP16 (FP32 accumulate), an
    FP8 checkpoint in FP8 (cutlass scaled_mm), its other formats dequantized to BF16 inside the GEMM (Marlin).
    llama.cpp on CUDA: F16 weights through cuBLAS accumulating in FP16 ("fp16acc": ggml-cuda passes
    CUBLAS_COMPUTE_16F, FP32 only on CDNA), which a GeForce card runs at twice its FP32-accumulate rate; BF16 with FP32
    accumulate; F32 as an FP32 GEMM on the shaders ("fp32"). Its quantized weights: CUDA and ROCm quantize the
    activations to 8 bits and multiply in INT8 (ggml-cuda/mmq.cuh on mma / MFMA / WMMA), except a CUDA build before
    MMQ was the default (``mmq`` False: dequantized to F16 for cuBLAS); Vulkan, SYCL (oneMKL/oneDNN GEMM) and Metal
    (simdgroup matrices; on an M5-generation GPU the Metal 4 tensor API, which drives its Neural Accelerators:
    ggml-org/llama.cpp PR #16634, FP16 only, issue #19285) dequantize the weights to FP16 first. Vulkan's cooperative
    matrix kernels (coopmat2 since PR #10206, 2024-12-05; coopmat1 since #10597) then accumulate in FP16 at the default
    precision ("fp16acc": ggml-vulkan.cpp picks its f16acc pipelines unless an op asks for FP32), which a GeForce card
    runs at twice its FP32-accumulate rate; elsewhere the two rates are one figure. A GPU without cooperative
    matrices for Vulkan (Arc A-series, RDNA 1-2, GCN) takes the integer-dot MMQ path on its shaders instead; the engine
    does not tell those apart yet (an Arc A770's XMX figure, which that path leaves unused, is on record: the Intel
    class's low fitted efficiency absorbs it), nor builds before December 2024."""
    cuda = backend in {"cuda", ""}
    if quant.bits_per_weight >= 16:
        name = quant.name.upper()
        if runtime != "vllm" and backend == "vulkan" and name.startswith("F16"):
            return "fp16acc"
        if runtime == "vllm" or not cuda:
            return "fp16"
        return "fp32" if name.startswith("F32") else "fp16" if name.startswith("BF16") else "fp16acc"
    if runtime == "vllm":
        return "fp8" if quant.family == "fp8" else "fp16"
    if cuda and not mmq:
        return "fp16acc"
    if backend == "vulkan":
        return "fp16acc"
    return "int8" if backend in {"cuda", "rocm", ""} else "fp16"


def matrix_rate(device: Device, precision: str) -> float | None:
    """Dense matrix-unit throughput (TFLOPS or TOPS) at ``precision``. A part without FP8 units runs an FP8
    checkpoint's GEMMs in FP16 (vLLM's Marlin fallback); without INT8 matrix units (Volta, Pascal, RDNA 1-2,
    Apple M1-M4) llama.cpp's integer kernels run on the shaders: None, and prefill falls to the shader rate."""
    if precision == "fp8":
        return device.matrix_fp8_tflops or device.matrix_tflops
    if precision == "fp16acc":  # full-rate parts accumulate in FP16 at their FP32-accumulate figure
        return device.matrix_fp16acc_tflops or device.matrix_tflops
    if precision == "fp32":  # an FP32 GEMM: the shaders
        return None
    return device.matrix_int8_tops if precision == "int8" else device.matrix_tflops


def prefill_seconds_per_token(
    fit: Fit, gemm: float, attention: float, matrix: float | None, shader: float, routed: float = 0.0
) -> float:
    """The prompt pass per token, four terms:
    - the weight GEMMs at the matrix rate × efficiency (≤ 1); a part without matrix units does them on the shaders;
    - shader work in proportion to them (``shader_cost`` FP32-ops per GEMM FLOP: dequantizing weight tiles,
      quantizing activations, norms), which is why a quantized prompt kernel does not scale with a datacenter
      part's matrix peak;
    - attention (``attention_cost`` × its FLOPs at the shader rate: the flash-attention kernel's own matrix work
      plus its softmax), which grows with the prompt and is what makes a 32K prompt slower per token than a 512 one;
    - for a mixture of experts, the ``routed`` expert GEMM FLOPs (part of ``gemm``) again at the matrix rate ×
      ``expert_cost``: each expert multiplies only the tokens routed to it (512 × k / E of a micro-batch: 64 for
      gpt-oss-20b), GEMMs too small to keep the matrix units busy, so they run at efficiency
      1 / (1 / efficiency + expert_cost), still ≤ 1.
    """
    rate = (matrix or shader) * 1e12
    return (
        gemm / (rate * fit["efficiency"])
        + fit["shader_cost"] * gemm / (shader * 1e12)
        + fit["attention_cost"] * attention / (shader * 1e12)
        + fit.get("expert_cost", 0.0) * routed / rate
    )


def _prompt_fit(device: Device, runtime: str, precision: str | None) -> tuple[Fit, float | None, bool]:
    """The prompt-pass fit for a device and runtime, the matrix rate at the precision, and whether the band is
    widened: a vLLM-class engine on a GPU with matrix units takes VLLM_PREFILL (fitted on the H200 serving set's
    prompt passes), widened off NVIDIA; otherwise the device class's llama.cpp fit, widened for vLLM."""
    matrix = matrix_rate(
        device,
        precision
        or (
            "fp16"
            if runtime == "vllm"
            else matmul_precision(Quantization("", bits_per_weight=4), runtime, device.backend)
        ),
    )
    if runtime == "vllm" and matrix:
        return VLLM_PREFILL, matrix, device.device_class != VLLM_MEASURED_CLASS
    return PREFILL.get(device.device_class) or PREFILL[FALLBACK_CLASS], matrix, runtime == "vllm"


def prefill_speed(
    device: Device,
    arch: Architecture,
    active_params: int,
    context: int = 512,
    runtime: str = "llamacpp",
    precision: str | None = None,
) -> Speed | None:
    """Prefill tokens/s for a prompt of ``context`` tokens (average attention span context / 2), with GEMMs in
    ``precision`` (matmul_precision; without it, the runtime's for quantized weights)."""
    fit, matrix, widen = _prompt_fit(device, runtime, precision)
    shader = device.compute_tflops or matrix
    if not shader:
        return None
    tok_s = 1.0 / prefill_seconds_per_token(
        fit,
        gemm_flops(active_params),
        attention_flops(arch, context),
        matrix,
        shader,
        gemm_flops(routed_expert_params(arch)),
    )
    low, high = (fit["low"] * 0.75, fit["high"] * 1.25) if widen else (fit["low"], fit["high"])
    return Speed(tok_s=tok_s, low=tok_s * low, high=tok_s * high)


def decode_compute_seconds(
    device: Device,
    arch: Architecture,
    active_params: int,
    context: int,
    batch: int,
    runtime: str = "llamacpp",
    precision: str | None = None,
) -> float:
    """The compute of one decode step for ``batch`` sequences: each new token through the weight GEMMs and
    attention over its ``context`` cached tokens, at the prompt pass's rates (0 where they are not on record). Memory
    hides it at small batch; it is the roof a large batch meets."""
    fit, matrix, _ = _prompt_fit(device, runtime, precision)
    shader = device.compute_tflops or matrix
    if not shader or (runtime == "vllm" and not matrix):  # every GPU vLLM runs on has matrix units: rate unknown
        return 0.0
    # A decode step's experts see batch × k / E tokens each, as small as the prompt pass's: the same expert term.
    return batch * prefill_seconds_per_token(
        fit,
        gemm_flops(active_params),
        attention_flops(arch, 2 * context),
        matrix,
        shader,
        gemm_flops(routed_expert_params(arch)),
    )
