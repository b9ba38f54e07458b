"""Putting it together: does it fit, with what headroom, how fast; and the solvers users ask for."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from .kv import check_supported, kv_cache_bytes, kv_read_bytes, layer_kinds
from .runtime import (
    OS_RESERVE_BYTES,
    VLLM_LARGE_GPU_BYTES,
    runtime_overhead_bytes,
    usable_bytes,
    vllm_batched_tokens,
)
from .speed import (
    capped_read_gbs,
    decode_compute_seconds,
    decode_fit,
    decode_speed,
    decode_tok_s,
    matmul_precision,
    prefill_speed,
    read_rate_gbs,
)
from .types import (
    CPU_CLASS,
    SLIDING,
    Architecture,
    Device,
    EngineError,
    MemoryBreakdown,
    Plan,
    Quantization,
    Runtime,
    Setup,
    Speed,
    Workload,
)
from .vision import PROJECTOR_BYTES_PER_PARAM
from .weights import active_params, active_weight_bytes, token_embedding_bytes, weight_tensor_bytes, weights_bytes

MAX_CONTEXT_TOKENS = 10_000_000
RUNTIMES = ("llamacpp", "ollama", "vllm")


def _validate(arch: Architecture, work: Workload, setup: Setup, runtime: Runtime) -> None:
    if not 0 < work.context <= MAX_CONTEXT_TOKENS:
        raise EngineError("context", f"must be between 1 and {MAX_CONTEXT_TOKENS:,} tokens")
    if work.batch < 1:
        raise EngineError("batch", "must be at least 1")
    if not setup.devices:
        raise EngineError("gpu_count", "at least one device is needed")
    if runtime.name not in RUNTIMES:
        raise EngineError("runtime", f"unknown runtime {runtime.name!r}; use one of {', '.join(RUNTIMES)}")
    for device in setup.devices:
        if device.memory_bytes <= 0:
            raise EngineError("vram_gb", "device memory must be positive")
        if device.bandwidth_gbs is not None and device.bandwidth_gbs <= 0:
            raise EngineError("bandwidth_gbs", "bandwidth must be positive")


def tensor_parallel(runtime: Runtime, n_devices: int) -> int:
    """Ranks a model is split over: vLLM's --tensor-parallel-size is the GPU count; llama.cpp and Ollama split by
    layer."""
    return n_devices if runtime.name == "vllm" else 1


def memory(
    arch: Architecture,
    quant: Quantization,
    work: Workload,
    runtime: Runtime,
    n_devices: int = 1,
    device: Device | None = None,
) -> MemoryBreakdown:
    """Weights on the accelerators, KV cache and runtime overhead, in bytes. ``device``: the GPU, where vLLM's
    default batch (and so its window reservation) depends on it; None sizes for the small default."""
    check_supported(arch)
    if not arch.generates and runtime.name != "vllm":
        # An embedding or rerank server reads each document in one micro-batch (llama-server -b/-ub = context,
        # planner/commands.py), so its compute buffer is sized for the whole context.
        work = replace(work, ubatch=work.context)
    total_weights = weights_bytes(arch, quant)
    host = token_embedding_bytes(arch, quant) if runtime.name != "vllm" else 0
    if quant.file_size_bytes and host:
        host = min(host, total_weights)
    tp = tensor_parallel(runtime, n_devices)
    return MemoryBreakdown(
        weights_bytes=total_weights - host,
        kv_cache_bytes=kv_cache_bytes(arch, work, runtime.name, tp=tp, in_flight_tokens=vllm_batched_tokens(device)),
        overhead_bytes=runtime_overhead_bytes(arch, work, runtime, n_devices),
        host_weights_bytes=host,
        projector_bytes=arch.vision_params * PROJECTOR_BYTES_PER_PARAM
        + (arch.vision_compute_bytes if runtime.name != "vllm" else 0),  # vLLM profiles image activations itself
    )


def plan_assumptions(arch: Architecture, work: Workload, runtime: Runtime) -> list[str]:
    out = [
        f"runtime {runtime.name}" + (", flash attention on" if runtime.flash_attention else ", flash attention off"),
        f"KV cache {work.kv_cache} for {work.batch} × {work.context:,} tokens",
    ]
    if runtime.name != "vllm":
        out.append("token embedding kept in system RAM (llama.cpp default)")
    else:
        out.append(
            "decode speed from a serving-engine-class profile (CUDA graphs, BF16) measured on an NVIDIA H200; "
            "its band is widened on other vendors' GPUs, where it was not measured"
        )
    if runtime.name == "vllm" and (arch.attention == "csa" or set(layer_kinds(arch)) & {SLIDING}):
        out.append(
            (
                "DeepSeek V4 on vLLM: its FP8 cache layout whatever the KV type asked (checked within 5 % of two vLLM "
                "logs), with"
                if arch.attention == "csa"
                else "sliding-window layers with"
            )
            + " the blocks vLLM reserves per request for the window and the prompt tokens in flight: vllm serve "
            "batches 8,192 on a GPU of 70 GiB or more other than an A100, 2,048 elsewhere and with no GPU given"
        )
    if arch.is_moe and arch.generates and not (arch.params_active and arch.params_total):
        out.append(
            "a mixture of experts whose active parameter count has no source here: its experts cannot be told from "
            "its shared weights, so decode is timed as if every weight were read per token (it will run faster)"
        )
    if arch.vision_params:
        out.append(
            "vision encoder and projector (mmproj, F16) on the GPU, as llama-server -hf and Ollama load "
            "them for a multimodal model"
            + (
                ", with its image compute buffer (flash attention on)"
                if arch.vision_compute_bytes and runtime.name != "vllm"
                else ""
            )
            + "; images also take context tokens"
        )
    if not arch.generates:
        out.append(
            f"{arch.task} model: it reads documents and generates no tokens; speed is prompt processing"
            + ("" if arch.causal else "; an encoder keeps no KV cache")
        )
    return out


OFFLOAD_MODES = ("none", "layers", "experts", "auto")


@dataclass(frozen=True)
class _Placement:
    """Where the bytes are for one offload choice: GPU memory, system RAM, and what a token reads from each."""

    mode: str
    mem: MemoryBreakdown
    gpu_read: int
    host_read: int
    offloaded_layers: int = 0
    cpu_moe_layers: int = 0
    host_kv: int = 0
    runs: bool = True  # False when not even one layer is left on the GPU

    @property
    def host_bytes(self) -> int:
        return self.mem.host_weights_bytes + self.host_kv

    def fits(self, usable: int, ram_bytes: int | None) -> bool:
        ram_ok = ram_bytes is None or self.mode == "none" or self.host_bytes + OS_RESERVE_BYTES <= ram_bytes
        return self.runs and self.mem.total_bytes <= usable and ram_ok


def _layer_offload(arch: Architecture, mem: MemoryBreakdown, usable: int, active: int) -> _Placement:
    """llama.cpp -ngl: whole layers (their weights and their KV) move to system RAM, the last layers first
    staying on the GPU; a token reads the offloaded layers' weights and KV from RAM."""
    layer_weights = mem.weights_bytes / arch.num_layers
    layer_kv = mem.kv_cache_bytes / arch.num_layers
    room = usable - mem.overhead_bytes - mem.projector_bytes
    on_gpu = max(0, min(arch.num_layers, int(room // (layer_weights + layer_kv))))
    offloaded = arch.num_layers - on_gpu
    moved_weights, moved_kv = int(layer_weights * offloaded), int(layer_kv * offloaded)
    gpu_read = int(active * on_gpu / arch.num_layers)
    moved = replace(
        mem,
        weights_bytes=mem.weights_bytes - moved_weights,
        kv_cache_bytes=mem.kv_cache_bytes - moved_kv,
        host_weights_bytes=mem.host_weights_bytes + moved_weights,
    )
    return _Placement("layers", moved, gpu_read, active - gpu_read + moved_kv, offloaded, 0, moved_kv, on_gpu > 0)


def _expert_offload(
    arch: Architecture, quant: Quantization, mem: MemoryBreakdown, usable: int, active: int, forced: int | None = None
) -> _Placement | None:
    """llama.cpp --n-cpu-moe N: the routed experts of the first N layers stay in system RAM; attention, shared
    experts, router and KV stay on the GPU. N is the fewest layers that make the rest fit (all of them is
    --cpu-moe, the -ot ".ffn_.*_exps.=CPU" recipe), or ``forced`` when the user sets it. A token reads its k routed
    experts of those layers from RAM."""
    parts = weight_tensor_bytes(arch, quant)
    scale = weights_bytes(arch, quant) / max(sum(parts.values()), 1)  # a published file size rescales the split
    experts = int(sum(v for k, v in parts.items() if k.endswith("_exps")) * scale)
    if not experts:
        return None
    # The first first_dense_layers layers have no experts (DeepSeek's first_k_dense_replace); --n-cpu-moe N counts
    # layers from the first, so N is the MoE layers needed plus those.
    moe_layers = max(arch.num_layers - arch.first_dense_layers, 1)
    per_layer = experts / moe_layers
    excess = mem.total_bytes - usable
    n = min(moe_layers, max(0, -(-excess // int(per_layer)) if excess > 0 else 0))
    if forced is not None:  # N as llama.cpp counts it, from the first layer, dense ones included
        n = min(moe_layers, max(forced - arch.first_dense_layers, 0))
    moved = int(per_layer * n)
    routed_share = (arch.experts_per_token or 1) / (arch.num_experts or 1)
    host_read = int(moved * routed_share)
    placed = replace(mem, weights_bytes=mem.weights_bytes - moved, host_weights_bytes=mem.host_weights_bytes + moved)
    return _Placement(
        "experts", placed, max(active - host_read, 0), host_read, 0, n + arch.first_dense_layers if n else 0
    )


def memory_on(
    arch: Architecture, quant: Quantization, work: Workload, setup: Setup, runtime: Runtime
) -> MemoryBreakdown:
    """memory() on the setup's devices: on the CPU alone the token embedding llama.cpp keeps in system RAM is in the
    same pool as the rest, so it counts against it."""
    mem = memory(arch, quant, work, runtime, len(setup.devices), setup.devices[0])
    if setup.devices[0].device_class == CPU_CLASS:
        mem = replace(mem, weights_bytes=mem.weights_bytes + mem.host_weights_bytes, host_weights_bytes=0)
    return mem


def plan(arch: Architecture, quant: Quantization, work: Workload, setup: Setup, runtime: Runtime | None = None) -> Plan:
    """Memory, fit, headroom and speed of one model on one setup.

    With offload allowed (llama.cpp and Ollama; vLLM keeps everything on the GPUs), the plan places what does
    not fit in VRAM in system RAM: whole layers, or a MoE's routed experts; "auto" takes whichever fitting
    placement decodes fastest. A placement fits when the GPU part fits the GPUs and the RAM part fits the
    system RAM given, less the OS reserve. Unified-memory devices have one pool: no offload, RAM ignored.
    """
    runtime = runtime or Runtime()
    _validate(arch, work, setup, runtime)
    n = len(setup.devices)
    mem = memory_on(arch, quant, work, setup, runtime)
    usable = sum(usable_bytes(d, runtime) for d in setup.devices)
    assumptions = plan_assumptions(arch, work, runtime)
    active = active_weight_bytes(arch, quant)  # the token embedding is already left out: a token reads one row
    if setup.devices[0].device_class == CPU_CLASS:
        assumptions.append(
            f"CPU only: the model and its KV cache in system RAM, read at the RAM's peak "
            f"({setup.devices[0].bandwidth_gbs:g} GB/s) × the CPU decode efficiency; prompt processing "
            "not estimated"
        )
    unified = any(d.unified_memory for d in setup.devices)
    mode = setup.offload_mode
    if mode not in OFFLOAD_MODES:
        raise EngineError("offload", f"unknown offload mode {mode!r}; use one of {', '.join(OFFLOAD_MODES)}")
    whole = _Placement("none", mem, active, 0)
    chosen = whole
    forced = setup.cpu_moe_layers
    if forced is not None and (
        mode not in ("experts", "auto") or runtime.name != "llamacpp" or n > 1 or not arch.is_moe or unified
    ):
        raise EngineError(
            "cpu_moe_layers",
            "--n-cpu-moe applies to a mixture-of-experts model on one GPU with llama.cpp and offload set to experts",
        )
    if forced is not None:  # N = 0 moves nothing: the plan without offload
        placed = _expert_offload(arch, quant, mem, usable, active, forced)
        chosen = placed if placed and placed.cpu_moe_layers else whole
    elif mem.total_bytes > usable and mode != "none" and runtime.name != "vllm" and not unified:
        options = []
        if mode in ("layers", "auto"):
            options.append(_layer_offload(arch, mem, usable, active))
        # --n-cpu-moe is llama.cpp's (Ollama offloads whole layers), and it empties the first N layers, all on the
        # first GPU of a layer split: sized here for one GPU only.
        experts_ok = arch.is_moe and runtime.name == "llamacpp" and n == 1
        if mode in ("experts", "auto") and experts_ok:
            expert = _expert_offload(arch, quant, mem, usable, active)
            if expert:
                options.append(expert)
        if mode == "experts" and not experts_ok:
            assumptions.append("expert offload is llama.cpp's --n-cpu-moe for a mixture-of-experts model on one GPU")
        chosen = _fastest_fitting(arch, options, setup, usable, runtime, work) or _least_short(options, usable) or whole
    if unified and mode != "none":
        assumptions.append(
            "unified memory: the GPU and the CPU share one pool, so nothing is offloaded and "
            "the system RAM setting is ignored"
        )
    mem = chosen.mem
    ram_needed = chosen.host_bytes + OS_RESERVE_BYTES if chosen.mode != "none" else 0
    fits = chosen.runs and mem.total_bytes <= usable
    if chosen.mode == "layers":
        assumptions.append(f"{chosen.offloaded_layers} of {arch.num_layers} layers offloaded to system RAM")
    elif chosen.mode == "experts":
        assumptions.append(
            f"routed experts of {chosen.cpu_moe_layers} of {arch.num_layers} layers in system RAM "
            "(llama.cpp --n-cpu-moe); prompt processing also moves those experts over PCIe"
        )
    if chosen.mode != "none":
        if setup.ram_bytes is None:  # the answer depends on RAM nobody gave: say how much, claim no fit
            fits = False
            assumptions.append(
                f"runs with {ram_needed / 1024**3:.1f} GiB of system RAM or more (offloaded weights "
                f"and KV plus a {OS_RESERVE_BYTES / 1024**3:g} GiB OS reserve): give the machine's RAM "
                "(ram_gb) to check"
            )
        elif ram_needed > setup.ram_bytes:
            fits = False
            assumptions.append(
                f"does not fit system RAM: needs {ram_needed / 1024**3:.1f} GiB (offloaded weights "
                f"and KV plus a {OS_RESERVE_BYTES / 1024**3:g} GiB OS reserve), the machine has "
                f"{setup.ram_bytes / 1024**3:.1f} GiB"
            )
    decode = prefill = ttft = None
    if fits:
        lead = setup.devices[0]
        step_bytes = chosen.gpu_read + kv_read_bytes(
            arch, work, mem.kv_cache_bytes, runtime.name, tensor_parallel(runtime, n)
        )
        if runtime.name == "vllm" and n > 1:
            bw = sum(d.bandwidth_gbs or 0 for d in setup.devices) or None

            def summed(rate: str) -> float | None:
                return sum(getattr(d, rate) or 0 for d in setup.devices) or None

            lead = replace(
                lead,
                bandwidth_gbs=bw,
                compute_tflops=summed("compute_tflops"),
                matrix_tflops=summed("matrix_tflops"),
                matrix_fp8_tflops=summed("matrix_fp8_tflops"),
                matrix_int8_tops=summed("matrix_int8_tops"),
            )
        elif n > 1:
            # Layer split: devices work one after another, each on its share of the bytes, so the step goes at
            # the slowest device's read rate.
            slowest = min(setup.devices, key=lambda d: read_rate_gbs(d, decode_fit(d, runtime.name)) or 0)
            lead = replace(
                lead,
                bandwidth_gbs=slowest.bandwidth_gbs if all(d.bandwidth_gbs for d in setup.devices) else None,
                compute_units=slowest.compute_units,
            )
        if arch.generates:  # an embedding or reranking model reads its input and stops: no decode step
            precision = matmul_precision(quant, runtime.name, lead.backend, runtime.mmq)
            assumptions.extend(read_cap_note(lead, runtime.name))
            decode = decode_speed(
                lead,
                step_bytes,
                chosen.host_read,
                setup.host_ram_bandwidth_gbs,
                work.batch,
                runtime.name,
                arch.num_layers,
                decode_compute_seconds(
                    lead, arch, active_params(arch), work.context, work.batch, runtime.name, precision
                ),
                _handoffs(arch, chosen),
            )
        prefill, ttft = prompt_pass(
            lead,
            arch,
            active_params(arch),
            work.context,
            runtime.name,
            matmul_precision(quant, runtime.name, lead.backend, runtime.mmq),
        )
    return Plan(
        memory=mem,
        usable_bytes=usable,
        fits=fits,
        headroom_bytes=usable - mem.total_bytes,
        offloaded_layers=chosen.offloaded_layers,
        decode=decode,
        prefill=prefill,
        time_to_first_token_s=ttft,
        assumptions=tuple(assumptions),
        offload_mode=chosen.mode,
        cpu_moe_layers=chosen.cpu_moe_layers,
        ram_needed_bytes=ram_needed,
    )


def _least_short(options: list[_Placement], usable: int) -> _Placement | None:
    """When nothing fits, the placement that misses by least (GPU overflow plus RAM needed), to report."""
    return min(options, key=lambda p: (not p.runs, max(p.mem.total_bytes - usable, 0) + p.host_bytes), default=None)


def _fastest_fitting(
    arch: Architecture, options: list[_Placement], setup: Setup, usable: int, runtime: Runtime, work: Workload
) -> _Placement | None:
    """The placement that fits GPU and RAM and reads the fewest seconds per token."""
    lead = setup.devices[0]

    def tok_s(p: _Placement) -> float:  # the decode rule the plan reports (speed.decode_tok_s), on any bandwidth
        return (
            decode_tok_s(
                replace(lead, bandwidth_gbs=lead.bandwidth_gbs or 1.0),
                p.gpu_read + kv_read_bytes(arch, work, p.mem.kv_cache_bytes, runtime.name),
                runtime.name,
                p.host_read,
                setup.host_ram_bandwidth_gbs,
                layers=arch.num_layers,
                handoffs=_handoffs(arch, p),
            )
            or 0.0
        )

    fitting = [p for p in options if p.fits(usable, setup.ram_bytes)]
    return max(fitting, key=tok_s) if fitting else None


def _handoffs(arch: Architecture, p: _Placement) -> int:
    """Layers whose routed experts the CPU computes (each a trip of the activations to the CPU and back)."""
    return max(p.cpu_moe_layers - arch.first_dense_layers, 0) if p.mode == "experts" else 0


def fits(arch: Architecture, quant: Quantization, work: Workload, setup: Setup, runtime: Runtime) -> bool:
    """Fit on the accelerators, with the setup's offload and system RAM (a full plan only when offload can apply)."""
    offload_applies = runtime.name != "vllm" and not any(d.unified_memory for d in setup.devices)
    if setup.offload_mode != "none" and offload_applies:
        return plan(arch, quant, work, setup, runtime).fits
    need = memory_on(arch, quant, work, setup, runtime).total_bytes
    return need <= sum(usable_bytes(d, runtime) for d in setup.devices)


def max_context(
    arch: Architecture,
    quant: Quantization,
    work: Workload,
    setup: Setup,
    runtime: Runtime | None = None,
    limit: int | None = None,
) -> int:
    """Largest context (tokens per sequence) that fits the setup (with its offload), up to the model's maximum;
    0 if even one token does not fit. Memory grows monotonically with context, so bisection is exact."""
    runtime = runtime or Runtime()
    hi = limit or arch.max_context
    if not fits(arch, quant, replace(work, context=1), setup, runtime):
        return 0
    if fits(arch, quant, replace(work, context=hi), setup, runtime):
        return hi
    lo = 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(arch, quant, replace(work, context=mid), setup, runtime):
            lo = mid
        else:
            hi = mid
    return lo


def best_quant(
    arch: Architecture,
    options: Sequence[tuple[Quantization, float]],
    work: Workload,
    setup: Setup,
    runtime: Runtime | None = None,
) -> Quantization | None:
    """The highest-quality (then largest) quantization that fits; ``options`` pairs each with its quality."""
    runtime = runtime or Runtime()
    ranked = sorted(options, key=lambda o: (o[1], o[0].bits_per_weight), reverse=True)
    for quant, _quality in ranked:
        if fits(arch, quant, work, setup, runtime):
            return quant
    return None


def fewest_devices(
    arch: Architecture,
    quant: Quantization,
    work: Workload,
    device: Device,
    runtime: Runtime | None = None,
    max_count: int = 64,
) -> int | None:
    """Fewest identical devices that hold the model (None beyond ``max_count``)."""
    runtime = runtime or Runtime()
    for count in range(1, max_count + 1):
        if fits(arch, quant, work, Setup(devices=(device,) * count), runtime):
            return count
    return None


def max_concurrent(
    arch: Architecture,
    quant: Quantization,
    work: Workload,
    setup: Setup,
    runtime: Runtime | None = None,
    limit: int = 4096,
) -> int:
    """Most parallel sequences of ``work.context`` tokens that fit (0 if not even one)."""
    runtime = runtime or Runtime()
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(arch, quant, replace(work, batch=mid), setup, runtime):
            lo = mid
        else:
            hi = mid - 1
    return lo


@dataclass(frozen=True)
class Serving:
    """A serving engine's capacity at one context: the most sequences whose KV cache fits at once (vLLM's
    "Maximum concurrency for N tokens per request" log line, rounded down) and the decode throughput with that
    many sequences stepping together: each step reads the weights once and every sequence's KV cache, memory-bound
    as the H200 serving set measures it up to 128 sequences; the compute roof of larger batches is not modelled."""

    context: int
    max_concurrency: int
    per_sequence_tok_s: float | None
    aggregate_tok_s: float | None


def serving(arch: Architecture, quant: Quantization, work: Workload, setup: Setup, runtime: Runtime) -> Serving | None:
    """Serving capacity for a vLLM plan of one generating model (None for another runtime or a reader model)."""
    if runtime.name != "vllm" or not arch.generates:
        return None
    n = max_concurrent(arch, quant, replace(work, batch=1), setup, runtime)
    if n == 0:
        return Serving(work.context, 0, None, None)
    decode = plan(arch, quant, replace(work, batch=n), setup, runtime).decode
    per = decode.tok_s if decode else None
    return Serving(work.context, n, per, per * n if per is not None else None)


def read_cap_note(device: Device, runtime: str) -> list[str]:
    """What a plan says when the device's compute units, not its bandwidth, set its decode read rate."""
    rate = capped_read_gbs(device, runtime)
    if rate is None or device.bandwidth_gbs is None:
        return []
    return [
        f"decode reads memory at up to {rate:,.0f} GB/s of the {device.bandwidth_gbs:,.0f}: llama.cpp's decode "
        f"kernels keep too few reads in flight on {device.compute_units} compute units (SMs, CUs) to reach the full "
        "bandwidth (the per-unit rate is fitted on public measurements)"
    ]


def prompt_pass(
    device: Device, arch: Architecture, n_active: int, context: int, runtime: str, precision: str
) -> tuple[Speed | None, float | None]:
    """The prefill speed people compare (a 512-token prompt, llama-bench's pp512, or the context if shorter) and the
    time to first token for a prompt filling the context, whose tokens attend to context / 2 on average."""
    prefill = prefill_speed(device, arch, n_active, min(context, 512), runtime, precision)
    full = prefill_speed(device, arch, n_active, context, runtime, precision) if context > 512 else prefill
    return prefill, (context / full.tok_s if full and full.tok_s > 0 else None)


@dataclass(frozen=True)
class Ranking:
    """The model side of ranking devices, computed once: the memory breakdown, bytes read per token,
    active parameters and assumptions. Each device then costs one usable-memory comparison (``usable``)
    and, for a full plan, its two speed formulas (``plan_on``). ``decode_tok_s`` is the decode figure
    alone, for choosing among thousands of devices without building every plan."""

    arch: Architecture
    work: Workload
    runtime: Runtime
    mem: MemoryBreakdown
    step_bytes: int
    n_active: int
    assumptions: tuple[str, ...]
    quant: Quantization  # the prompt GEMMs' precision follows it (speed.matmul_precision)
    # vLLM on a GPU that batches more prompt tokens by default (runtime.vllm_batched_tokens) reserves more window
    # blocks per request: its memory and step bytes there, where they differ from ``mem`` and ``step_bytes``.
    large: tuple[MemoryBreakdown, int] | None = None

    @classmethod
    def of(
        cls, arch: Architecture, quant: Quantization, work: Workload, runtime: Runtime, any_device: Device
    ) -> "Ranking":
        _validate(arch, work, Setup(devices=(any_device,)), runtime)
        active = active_weight_bytes(arch, quant)  # the token embedding is already left out: a token reads one row

        def sized(device: Device | None) -> tuple[MemoryBreakdown, int]:
            mem = memory(arch, quant, work, runtime, 1, device)
            return mem, active + kv_read_bytes(arch, work, mem.kv_cache_bytes, runtime.name)

        small = sized(None)  # only vLLM's memory depends on the GPU (its default batch)
        large = (
            sized(replace(any_device, name="large", memory_bytes=VLLM_LARGE_GPU_BYTES))
            if runtime.name == "vllm"
            else small
        )
        return cls(
            arch,
            work,
            runtime,
            small[0],
            small[1],
            active_params(arch),
            tuple(plan_assumptions(arch, work, runtime)),
            quant,
            large if large != small else None,
        )

    def sized_on(self, device: Device) -> tuple[MemoryBreakdown, int]:
        """(memory, bytes a decode step reads) on ``device``."""
        if self.large and vllm_batched_tokens(device) != vllm_batched_tokens(None):
            return self.large
        return self.mem, self.step_bytes

    def usable(self, device: Device) -> int | None:
        """The device's usable bytes when the model fits on it alone, else None."""
        usable = usable_bytes(device, self.runtime)
        return usable if self.sized_on(device)[0].total_bytes <= usable else None

    def decode_tok_s(self, device: Device) -> float | None:
        return (
            decode_tok_s(
                device,
                self.sized_on(device)[1],
                self.runtime.name,
                layers=self.arch.num_layers,
                compute_s=self.compute_s(device),
            )
            if self.arch.generates
            else None
        )

    def compute_s(self, device: Device) -> float:
        return decode_compute_seconds(
            device,
            self.arch,
            self.n_active,
            self.work.context,
            self.work.batch,
            self.runtime.name,
            matmul_precision(self.quant, self.runtime.name, device.backend, self.runtime.mmq),
        )

    def plan_on(self, device: Device, usable: int) -> Plan:
        mem, step_bytes = self.sized_on(device)
        decode = (
            decode_speed(
                device,
                step_bytes,
                0,
                Setup.host_ram_bandwidth_gbs,
                self.work.batch,
                self.runtime.name,
                self.arch.num_layers,
                self.compute_s(device),
            )
            if self.arch.generates
            else None
        )
        prefill, ttft = prompt_pass(
            device,
            self.arch,
            self.n_active,
            self.work.context,
            self.runtime.name,
            matmul_precision(self.quant, self.runtime.name, device.backend, self.runtime.mmq),
        )
        return Plan(
            memory=mem,
            usable_bytes=usable,
            fits=True,
            headroom_bytes=usable - mem.total_bytes,
            offloaded_layers=0,
            decode=decode,
            prefill=prefill,
            time_to_first_token_s=ttft,
            assumptions=self.assumptions
            + tuple(read_cap_note(device, self.runtime.name) if self.arch.generates else ()),
        )


def rank_devices(
    arch: Architecture, quant: Quantization, work: Workload, devices: Iterable[Device], runtime: Runtime | None = None
) -> list[tuple[Device, Plan]]:
    """Every device that runs the model on its own, sorted by memory then name, each with its plan.

    Done in bulk (see Ranking). The plans equal ``plan()``'s for one-device setups without offload
    (a test checks every catalog GPU).
    """
    runtime = runtime or Runtime()
    devices = list(devices)
    if not devices:
        return []
    ranking = Ranking.of(arch, quant, work, runtime, devices[0])
    out = []
    for device in devices:
        usable = ranking.usable(device)
        if usable is not None:
            out.append((device, ranking.plan_on(device, usable)))
    out.sort(key=lambda pair: (pair[0].memory_bytes, pair[0].name))
    return out
