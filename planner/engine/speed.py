"""Token speed from memory bandwidth (decode) and compute (prefill), with calibrated efficiencies.

Decode is memory-bound: every generated token reads the active weights and the KV cache once, so
    t_token [s] = bytes_read / (bandwidth_gbs × 1e9 × efficiency) + t_fixed
(the roofline argument of Williams et al., CACM 2009, applied to LLM decode as in llama.cpp's
own bandwidth discussions). Prefill is compute-bound:
    tok/s = compute_tflops × 1e12 × efficiency / (2 × active_params + 4 × layers × ctx × q_width)
(2 FLOPs per weight per token, Kaplan et al. 2020 §2.1; the attention term is QKᵀ and AV).
``efficiency`` and ``t_fixed`` are fitted per device class on shared/data/measurements_public.csv by
bench/calibrate.py; the band is that fit's 10th–90th percentile of measured / predicted.
"""

from .calibration import DECODE, PREFILL, VLLM_DECODE, VLLM_PREFILL
from .types import Architecture, Device, Speed

FALLBACK_CLASS = "nvidia"
# Where a profile was measured: another device class gets the same formula with its band widened by a quarter
# each way (an assumption, stated in the plan's assumptions), since nothing measures how far it carries.
VLLM_MEASURED_CLASS = "nvidia"


def _decode_fit(device_class: str, runtime: str) -> dict:
    if runtime == "vllm":  # the serving-engine-class profile (CUDA graphs, BF16), measured on an H200
        if device_class == VLLM_MEASURED_CLASS:
            return VLLM_DECODE
        return {**VLLM_DECODE, "low": VLLM_DECODE["low"] * 0.75, "high": VLLM_DECODE["high"] * 1.25}
    return DECODE.get(device_class) or DECODE[FALLBACK_CLASS]


def decode_speed(device: Device, gpu_bytes: int, host_bytes: int = 0, host_bandwidth_gbs: float = 60.0,
                 batch: int = 1, runtime: str = "llamacpp", layers: int = 0) -> Speed | None:
    """Per-sequence decode tokens/s for ``batch`` sequences stepping together.

    ``gpu_bytes`` = active weights + KV read per step on the device(s); ``host_bytes`` = the part read
    from system RAM (offloaded layers) at ``host_bandwidth_gbs`` with the same efficiency; ``layers`` sets the
    per-layer fixed cost of profiles that have one (kernel launches and synchronisation per layer).
    """
    if not device.bandwidth_gbs:
        return None
    fit = _decode_fit(device.device_class, runtime)
    tok_s = decode_tok_s(device, gpu_bytes, runtime, host_bytes, host_bandwidth_gbs, fit, layers)
    return Speed(tok_s=tok_s, low=tok_s * fit["low"], high=tok_s * fit["high"])


def decode_tok_s(device: Device, gpu_bytes: int, runtime: str = "llamacpp", host_bytes: int = 0,
                 host_bandwidth_gbs: float = 60.0, fit: dict | None = None, layers: int = 0) -> float | None:
    """The central figure of ``decode_speed`` alone (no band), for ranking thousands of devices."""
    if not device.bandwidth_gbs:
        return None
    fit = fit or _decode_fit(device.device_class, runtime)
    seconds = (gpu_bytes / (device.bandwidth_gbs * 1e9 * fit["efficiency"]) + fit["t_fixed_s"]
               + fit.get("t_layer_s", 0.0) * layers)
    if host_bytes:
        seconds += host_bytes / (host_bandwidth_gbs * 1e9 * fit["efficiency"])
    return 1.0 / seconds


def prefill_flops_per_token(arch: Architecture, active_params: int, context: int) -> float:
    q_width = arch.num_heads * arch.head_dim_k
    return 2.0 * active_params + 4.0 * arch.num_layers * (context / 2) * q_width


def prefill_speed(device: Device, arch: Architecture, active_params: int, context: int = 512,
                  runtime: str = "llamacpp") -> Speed | None:
    """Prefill tokens/s for a prompt of ``context`` tokens (average attention span context / 2). A vLLM-class
    engine on a GPU with matrix units computes in BF16 at the matrix rate (VLLM_PREFILL, fitted on the H200
    serving set); otherwise the class's llama.cpp fit on the FP32 shader rate."""
    if runtime == "vllm" and device.matrix_tflops:
        fit, tflops = VLLM_PREFILL, device.matrix_tflops
        low, high = fit["low"], fit["high"]
        if device.device_class != VLLM_MEASURED_CLASS:
            low, high = low * 0.75, high * 1.25
    else:
        if not device.compute_tflops:
            return None
        fit, tflops = PREFILL.get(device.device_class) or PREFILL[FALLBACK_CLASS], device.compute_tflops
        low, high = fit["low"], fit["high"]
        if runtime == "vllm":  # no matrix rate on record: the llama.cpp figure, with a wider band
            low, high = low * 0.75, high * 1.25
    tok_s = tflops * 1e12 * fit["efficiency"] / prefill_flops_per_token(arch, active_params, context)
    return Speed(tok_s=tok_s, low=tok_s * low, high=tok_s * high)
