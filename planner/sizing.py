"""Catalog-level sizing used by pages (and later the API): rows in, engine results out, via specs."""

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from catalog.models import GPU, LLM, Measurement, ModelQuant, QuantFormat
from planner import commands, snapshot, specs
from planner.engine.plan import (
    Ranking,
    Serving,
    best_quant,
    fewest_devices,
    max_context,
    memory,
    plan,
    plan_assumptions,
    serving,
)
from planner.engine.runtime import usable_bytes
from planner.engine.speed import llamacpp_mmq
from planner.engine.types import (
    CPU_CLASS,
    Architecture,
    Device,
    EngineError,
    Plan,
    Quantization,
    Runtime,
    Setup,
    Workload,
)

CONTEXT_STEPS = (4096, 8192, 16384, 32768, 65536, 131072)


@dataclass(frozen=True)
class QuantRow:
    fmt: QuantFormat
    plan_memory_bytes: int
    weights_bytes: int
    file_exact: bool  # the catalog has the real file's size (published); else the per-tensor recipe
    by_context: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class GPURow:
    gpu: GPU
    plan: Plan
    tok_s_per_dollar: float | None


def context_steps(llm: LLM | Architecture) -> list[int]:
    """The context lengths tables and charts show: the usual steps below the model's maximum, then the maximum."""
    steps = [c for c in CONTEXT_STEPS if c < llm.max_context]
    return steps + [llm.max_context]


def table_formats(llm: LLM, runtime: str) -> set[int]:
    """Format ids a model page's table shows for ``runtime``: the model's GGUF ladder for llama.cpp/Ollama (the
    usual files when none is on record), vLLM's usual checkpoints for vLLM; with the runtime's default for the
    model. The selector lists every format the runtime loads."""
    names = (
        set(specs.VLLM_TABLE_FORMATS)
        if runtime == "vllm"
        else {mq.fmt.name for mq in llm.quantizations.all()} or set(specs.USUAL_GGUF_FILES)
    )
    names.add(specs.default_quant(llm, runtime))
    return {f.pk for f in snapshot.formats() if f.name in names and f.family in specs.RUNTIME_FAMILIES[runtime]}


def quant_rows(llm: LLM, work: Workload, runtime: Runtime) -> list[QuantRow]:
    arch = specs.llm_to_arch(llm)
    shown = table_formats(llm, runtime.name)
    rows = []
    for fmt, quant, published in runtime_quants(llm, runtime.name):
        if fmt.pk not in shown:
            continue
        mem = memory(arch, quant, work, runtime)
        by_ctx = tuple(
            (c, memory(arch, quant, replace(work, context=c), runtime).total_bytes) for c in context_steps(llm)
        )
        rows.append(QuantRow(fmt, mem.total_bytes, mem.weights_bytes + mem.host_weights_bytes, published, by_ctx))
    return rows


class GPURows(Sequence):
    """The GPUs that run a model (smallest memory first) as a lazy sequence: which GPUs fit and their
    decode speed are known for all of them, the full plan (prefill, time to first token, headroom) is
    built only for the rows read. A page shows 100 of ~3,000 fitting GPUs at 10× catalog; building
    every plan was most of an uncached model page's time."""

    def __init__(self, ranking: Ranking | None, fitting: list[tuple[GPU, Device, int]], offloaded: dict | None = None):
        # offloaded: index -> the full plan of a GPU that runs the model only with part of it in system RAM
        self._ranking, self._fitting = ranking, fitting
        self._built: dict[int, Any] = {}
        self._offloaded = offloaded or {}

    def __len__(self):
        return len(self._fitting)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        index = range(len(self))[index]
        if index not in self._built:
            gpu, device, usable = self._fitting[index]
            p = self._offloaded.get(index) or self._ranking.plan_on(device, usable)
            price = float(gpu.current_price_usd) if gpu.current_price_usd else None
            self._built[index] = GPURow(gpu, p, p.decode.tok_s / price if (price and p.decode) else None)
        return self._built[index]

    def callouts(self) -> dict:
        """The cheapest, the fastest and the best decode tokens/s per dollar, from every fitting GPU; prices are
        current ones (GPU.current_price_usd), not the launch list price of a card no longer sold new."""
        cheapest = fastest = value = None
        if self._ranking is None:  # no GPU left after the filters
            return {"cheapest": None, "fastest": None, "value": None}
        decode_tok_s = self._ranking.decode_tok_s
        for i, (gpu, device, _usable) in enumerate(self._fitting):
            price = float(gpu.current_price_usd) if gpu.current_price_usd else None
            offloaded = self._offloaded.get(i)
            tok_s = (offloaded.decode.tok_s if offloaded.decode else None) if offloaded else decode_tok_s(device)
            if price and (cheapest is None or price < cheapest[0]):
                cheapest = (price, i)
            if tok_s and (fastest is None or tok_s > fastest[0]):
                fastest = (tok_s, i)
            if price and tok_s and (value is None or tok_s / price > value[0]):
                value = (tok_s / price, i)
        return {
            name: self[pick[1]] if pick else None
            for name, pick in (("cheapest", cheapest), ("fastest", fastest), ("value", value))
        }

    SORTS = ("memory", "price", "speed", "value")

    def ordered(self, sort: str) -> "GPURows":
        """The same rows by ``sort``: memory (smallest first, as built), price (current price, cheapest first),
        speed (decode, fastest first) or value (decode tok/s per dollar, best first); rows without the figure
        last, then by memory."""
        if sort not in self.SORTS or sort == "memory" or self._ranking is None:
            return self
        decode_tok_s = self._ranking.decode_tok_s

        def key(i):
            gpu, device, _usable = self._fitting[i]
            price = float(gpu.current_price_usd) if gpu.current_price_usd else None
            offloaded = self._offloaded.get(i)
            tok_s = (offloaded.decode.tok_s if offloaded.decode else None) if offloaded else decode_tok_s(device)
            figure = {
                "price": price,
                "speed": -tok_s if tok_s else None,
                "value": -tok_s / price if (tok_s and price) else None,
            }[sort]
            return (figure is None, figure or 0, i)

        order = sorted(range(len(self._fitting)), key=key)
        return GPURows(
            self._ranking,
            [self._fitting[i] for i in order],
            {new: self._offloaded[old] for new, old in enumerate(order) if old in self._offloaded},
        )


def gpu_rows(
    llm: LLM,
    quant: Quantization,
    work: Workload,
    runtime: Runtime,
    *,
    vendor: str = "",
    segment: str = "",
    max_price=None,
    all_gpus: bool = False,
    older: bool = False,
    offload: str = "none",
    ram_bytes: int | None = None,
    ram_bandwidth_gbs: float | None = None,
) -> GPURows:
    """Active GPUs that run the model, sorted by memory, from the per-process catalog snapshot; only those the
    runtime's current release can drive unless ``all_gpus``, and only cards sold today unless ``older``. With
    ``offload`` (and the machine's RAM), GPUs too small for the whole model are listed too when the plan fits with
    part of it in system RAM."""
    active = snapshot.active_gpus()
    if not all_gpus:
        drivable = snapshot.runtime_gpus(runtime.name)
        active = [
            (g, d)
            for g, d in active
            if g.slug in drivable and not specs.hardware_problem(quant.name, quant.family, runtime.name, g)
        ]
    if not active:
        return GPURows(None, [])
    arch = specs.llm_to_arch(llm)
    ranking = Ranking.of(arch, quant, work, runtime, active[0][1])
    need = ranking.mem.total_bytes  # no GPU can use more than its memory
    offloading = offload != "none" and runtime.name != "vllm" and ram_bytes is not None  # RAM decides the fit
    pairs = snapshot.filter_gpus(
        active,
        vendor=vendor,
        segment=segment,
        max_price=max_price,
        min_memory_bytes=0 if offloading else need,
        sold_today=not older,
    )
    # The snapshot is ordered by (memory, slug) and a device's name is its GPU's slug: rank_devices'
    # order already, so no sort (a test compares the two).
    usable_on = snapshot.usable_bytes(runtime)
    fitting, offloaded = [], {}
    setup = Setup(
        devices=(),
        offload=offload,
        ram_bytes=ram_bytes,
        host_ram_bandwidth_gbs=ram_bandwidth_gbs or Setup.host_ram_bandwidth_gbs,
    )
    plans = {}  # GPUs alike in what the plan reads (memory, bandwidth, compute, class) share one offload plan
    for gpu, device in pairs:
        if usable_on[gpu.slug] >= need:
            fitting.append((gpu, device, usable_on[gpu.slug]))
        elif offloading and not device.unified_memory:
            key = replace(device, name="")
            if key not in plans:
                plans[key] = plan(arch, quant, work, replace(setup, devices=(device,)), runtime)
            p = plans[key]
            if p.fits:
                offloaded[len(fitting)] = p
                fitting.append((gpu, device, usable_on[gpu.slug]))
    return GPURows(ranking, fitting, offloaded)


def best_fit_per_model(
    gpu: GPU,
    llms,
    work: Workload,
    runtime: Runtime,
    count: int = 1,
    ram_bytes: int | None = None,
    ram_bandwidth_gbs: float | None = None,
) -> list[tuple[LLM, QuantFormat, Plan]]:
    """For each model, its best-quality quantization that fits on ``count`` of ``gpu`` (quality, then bits), largest
    model first. With the machine's system RAM (``ram_bytes``), a model that fits the GPUs in no format may still
    run with part of it in RAM (read at ``ram_bandwidth_gbs``), as a plan with offload does (layers or a MoE's
    experts, the RAM checked): then the
    best format no larger than the runtime's usual one (Q4_K_M for llama.cpp), since every byte in RAM slows each
    token. On one GPU each quantization costs a memory comparison and only the chosen one gets a full plan."""
    device = specs.gpu_to_device(gpu)
    on_gpus = Setup(devices=(device,) * count)
    with_ram = (
        Setup(
            devices=(device,) * count,
            offload="auto",
            ram_bytes=ram_bytes,
            host_ram_bandwidth_gbs=ram_bandwidth_gbs or Setup.host_ram_bandwidth_gbs,
        )
        if ram_bytes
        else None
    )
    usable = usable_bytes(device, runtime) if count == 1 else None
    usual = specs.USUAL_FORMAT.get(runtime.name, "")
    out = []
    for llm in llms:
        if work.context > llm.max_context:
            continue
        arch = specs.llm_to_arch(llm)
        shown = table_formats(llm, runtime.name)  # the runtime's own formats: GGUF ladder, or vLLM checkpoints
        options = sorted(
            (
                (f, q)
                for f, q, _pub in runtime_quants(llm, runtime.name)
                if f.pk in shown and not specs.hardware_problem(f.name, f.family, runtime.name, gpu)
            ),
            key=lambda fq: (fq[0].quality_pct or 0, fq[0].bits_per_weight),
            reverse=True,
        )
        found = _first_fit(arch, options, work, on_gpus, runtime, usable)
        if found is None and with_ram is not None:
            usual_bits = next((f.bits_per_weight for f, _q in options if f.name == usual), None)
            small = [(f, q) for f, q in options if usual_bits is None or f.bits_per_weight <= usual_bits]
            found = _first_fit(arch, small, work, with_ram, runtime, None)
        if found is not None:
            out.append((llm, *found))
    out.sort(key=lambda t: -(t[0].params_total or 0))
    return out


def _first_fit(
    arch: Architecture, options: list, work: Workload, setup: Setup, runtime: Runtime, usable: int | None
) -> tuple[QuantFormat, Plan] | None:
    """The first of ``options`` (format, quantization) that fits ``setup``, with its plan; ``usable`` (one device's
    memory, when known) skips the formats whose memory alone exceeds it without a plan."""
    for fmt, quant in options:
        try:
            if usable is not None and memory(arch, quant, work, runtime).total_bytes > usable:
                continue
            p = plan(arch, quant, work, setup, runtime)
        except EngineError:
            continue
        if p.fits:
            return fmt, p
    return None


@dataclass(frozen=True)
class Bar:
    label: str
    bytes: int
    x_pct: float
    width_pct: float
    css: str


def breakdown_bars(mem, usable_bytes: int | None = None) -> list[Bar]:
    """Segments of the VRAM chart (weights / KV cache / overhead) in % of the larger of need and usable."""
    scale = max(mem.total_bytes, usable_bytes or 0, 1)
    bars, x = [], 0.0
    parts = [
        ("Weights", mem.weights_bytes, "w"),
        ("KV cache", mem.kv_cache_bytes, "k"),
        ("Runtime overhead", mem.overhead_bytes, "o"),
    ]
    if mem.projector_bytes:
        parts.insert(1, ("Vision encoder (mmproj)", mem.projector_bytes, "p"))
    for label, value, css in parts:
        width = 100.0 * value / scale
        bars.append(Bar(label, value, round(x, 3), round(width, 3), css))
        x += width
    return bars


def quant_memory(llm: LLM, quant: Quantization, work: Workload, runtime: Runtime):
    return memory(specs.llm_to_arch(llm), quant, work, runtime)


@dataclass(frozen=True)
class PlanResult:
    """Everything the planner shows for one request: the plan and the two solver answers."""

    arch: Architecture
    quant: Quantization
    plan: "Plan | MemoryOnly"  # MemoryOnly: no device given (memory_result)
    max_context: int | None
    best_quant: str | None
    breakdown: list[Bar]
    serving: Serving | None = None  # vLLM: the most concurrent sequences at this context and their throughput
    fewest_gpus: int | None = None  # how many of this GPU hold the model on their own (None: none up to 64, or a CPU)


@dataclass(frozen=True)
class PlanInputs:
    arch: Architecture
    quant: Quantization
    options: list[tuple[Quantization, float]]
    weights_source: str = "computed"  # "published": the catalog has the real file's size


def measured(llm: LLM | None, gpu: GPU | None, count: int, quant_name: str, runtime: str) -> list[Measurement]:
    """The catalog's measurements of this model and format on ``count`` × ``gpu`` with ``runtime``, decode first,
    each with the engine's estimate for the same test (``estimate_for``)."""
    if llm is None or gpu is None:
        return []
    rows = [
        m
        for m in snapshot.measurements(llm.pk, gpu.pk)
        if m.n_gpus == count and m.quant.lower() == quant_name.lower() and m.runtime == runtime
    ]
    return with_estimates(sorted(rows, key=lambda m: (m.kind, m.depth, -m.tok_s)))


def with_estimates(rows: Iterable[Measurement]) -> list[Measurement]:
    """Each measurement with ``estimate_tok_s``: what the engine predicts for that test (None where it cannot)."""
    rows = [copy.copy(m) for m in rows]  # the snapshot's rows are shared between requests: annotate copies
    for m in rows:
        m.estimate_tok_s = estimate_for(m)
        m.estimate_off_pct = (m.estimate_tok_s / m.tok_s - 1) * 100 if m.estimate_tok_s else None
    return rows


MEASUREMENTS_SHOWN = 40


def measurements_of(**filters) -> tuple[list[Measurement], int]:
    """A model's or a GPU's measurements with the engine's estimate beside each: one test per model, GPU count,
    format, kind, runtime and backend (the shortest: tg128 / pp512 where published), decode first, fastest first;
    the first MEASUREMENTS_SHOWN of them and how many there are."""
    qs = Measurement.objects.filter(**filters).select_related("gpu", "llm").order_by("depth", "pk")
    seen, rows = set(), []
    for m in qs:
        key = (m.llm_id, m.model_label, m.gpu_id, m.n_gpus, m.quant, m.kind, m.runtime, m.backend)
        if key not in seen:
            seen.add(key)
            rows.append(m)
    rows.sort(key=lambda m: (m.kind, m.n_gpus, -m.tok_s))
    return with_estimates(rows[:MEASUREMENTS_SHOWN]), len(rows)


def estimate_for(m: Measurement) -> float | None:
    """The engine's figure for a measured test: decode with the KV cache at the test's depth; prefill as the
    average over a prompt of the test's length (the prompt over its time to first token), on the measured part
    (the source's bandwidth bin where it states one) and backend, with the measured file's size."""
    fmt = format_by_name(m.quant)
    if fmt is None:
        return None
    device = specs.gpu_to_device(m.gpu)
    device = replace(device, backend=specs.backend_key(m.backend) or device.backend)
    if m.bandwidth_gbs:
        device = replace(device, bandwidth_gbs=m.bandwidth_gbs)
    try:
        p = plan(
            specs.llm_to_arch(m.llm),
            specs.format_to_quant(fmt, m.file_size_bytes),
            Workload(context=max(m.depth, 1)),
            Setup(devices=(device,) * m.n_gpus),
            Runtime(name=m.runtime, mmq=llamacpp_mmq(m.measured_on)),  # the kernels of the measured build's day
        )
    except EngineError:
        return None
    if m.kind == Measurement.Kind.DECODE:
        return p.decode.tok_s if p.decode else None
    return m.depth / p.time_to_first_token_s if p.time_to_first_token_s else None


def runtime_quants(
    llm: LLM | None, runtime: str, quants: Iterable[ModelQuant] | None = None
) -> list[tuple[QuantFormat, Quantization, bool]]:
    """Every format ``runtime`` loads, as (format, engine quantization, published), for a model: the real
    file size where the catalog has one (published), else the per-tensor recipe (computed)."""
    sizes = {}
    if llm is not None:
        for mq in quants if quants is not None else llm.quantizations.all():
            if mq.file_size_bytes:
                sizes[mq.fmt_id] = mq.file_size_bytes
    return [
        (f, specs.format_to_quant(f, sizes.get(f.pk)), f.pk in sizes)
        for f in snapshot.formats()
        if f.family in specs.RUNTIME_FAMILIES[runtime]
    ]


def format_by_name(name: str | None) -> QuantFormat | None:
    """The catalog format of that name, in any case and spacing."""
    wanted = (name or "").strip().lower()
    return next((f for f in snapshot.formats() if f.name.lower() == wanted), None)


def resolve_format(quant_name: str, runtime: str) -> QuantFormat:
    """The catalog format named (any case), if ``runtime`` loads it; else EngineError naming the nearest."""
    formats = snapshot.formats()
    fmt = format_by_name(quant_name)
    if fmt is None:
        raise EngineError(
            "quant", f"Unknown quantization {quant_name!r}; the formats are listed at /api/v1/quantizations/."
        )
    problem = specs.format_problem(fmt, runtime, formats)
    if problem:
        raise EngineError("quant", problem)
    return fmt


def plan_inputs(
    llm: LLM | None,
    custom: dict | None,
    quant_name: str | None,
    runtime: str,
    quants: Iterable[ModelQuant] | None = None,
) -> PlanInputs:
    """Engine inputs for a catalog model or a custom architecture in any format its runtime loads (the
    model's own default when ``quant_name`` is empty). ``quants``: the model's quantizations when the caller
    already holds them. Raises EngineError naming the field on a format the runtime cannot load."""
    fmt = resolve_format(quant_name or specs.default_quant(llm, runtime), runtime)
    options = runtime_quants(llm, runtime, quants)
    quant, published = next((q, pub) for f, q, pub in options if f.pk == fmt.pk)
    arch = (
        specs.llm_to_arch(llm)
        if llm is not None
        else specs.custom_arch(**{k: v for k, v in (custom or {}).items() if v is not None})
    )
    return PlanInputs(
        arch, quant, [(q, f.quality_pct or 0) for f, q, _pub in options], "published" if published else "computed"
    )


@dataclass(frozen=True)
class MemoryOnly:
    """A plan without a device: the memory it needs; fit, headroom and speeds unknown (None)."""

    memory: object
    assumptions: tuple[str, ...]
    usable_bytes: None = None
    fits: None = None
    headroom_bytes: None = None
    offloaded_layers: None = None
    offload_mode: None = None
    cpu_moe_layers: None = None
    ram_needed_bytes: None = None
    decode: None = None
    prefill: None = None
    time_to_first_token_s: None = None


def memory_only(inputs: PlanInputs, work: Workload, runtime: Runtime, n_devices: int = 1) -> MemoryOnly:
    mem = memory(inputs.arch, inputs.quant, work, runtime, n_devices)
    return MemoryOnly(mem, tuple(plan_assumptions(inputs.arch, work, runtime)) + ("no GPU given: memory only",))


def memory_result(inputs: PlanInputs, work: Workload, runtime: Runtime, n_devices: int = 1) -> PlanResult:
    """The planner page's answer without a device: the memory, its chart, and no fit, speed or solver answers."""
    mem = memory_only(inputs, work, runtime, n_devices)
    return PlanResult(
        arch=inputs.arch,
        quant=inputs.quant,
        plan=mem,
        max_context=None,
        best_quant=None,
        breakdown=breakdown_bars(mem.memory),
    )


def plan_devices(
    gpu: GPU | None,
    vram_gb: float | None,
    bandwidth_gbs: float | None,
    gpu_count: int,
    cpu_only: bool,
    ram_gb: float | None,
    machine: dict,
) -> tuple[list[Device], dict] | None:
    """The devices a request plans on, with its machine keywords (specs.machine) fitted to them: the CPU alone (its
    RAM is the memory, so nothing is offloaded), else a catalog GPU or a custom one, ``gpu_count`` times; None
    without any (a memory-only answer). The page, the API and the saved machine all choose this way."""
    if cpu_only:
        if not ram_gb:
            raise ValueError("a CPU-only plan needs the machine's RAM")  # specs.machine_problems asks for it first
        return [specs.cpu_device(ram_gb, machine["ram_bandwidth_gbs"])], {
            **machine,
            "offload": "none",
            "ram_bytes": None,
        }
    if gpu is not None:
        device = specs.gpu_to_device(gpu)
    elif vram_gb:
        device = specs.custom_device(vram_gb, bandwidth_gbs)
    else:
        return None
    return [device] * gpu_count, machine


def _setup(
    devices: list[Device],
    offload: bool | str = False,
    ram_bytes: int | None = None,
    ram_bandwidth_gbs: float | None = None,
    cpu_moe_layers: int | None = None,
) -> Setup:
    return Setup(
        devices=tuple(devices),
        offload=offload,
        ram_bytes=ram_bytes,
        host_ram_bandwidth_gbs=ram_bandwidth_gbs or Setup.host_ram_bandwidth_gbs,
        cpu_moe_layers=cpu_moe_layers,
    )


def full_plan(inputs: PlanInputs, work: Workload, runtime: Runtime, devices: list[Device], **machine) -> PlanResult:
    """The plan, its max context and best quantization, with the machine's offload and RAM (and the user's
    --n-cpu-moe, if given): ``machine`` is offload, ram_bytes, ram_bandwidth_gbs, cpu_moe_layers."""
    setup = _setup(devices, **machine)
    p = plan(inputs.arch, inputs.quant, work, setup, runtime)
    best = best_quant(inputs.arch, inputs.options, work, setup, runtime)  # with the same offload and RAM
    return PlanResult(
        arch=inputs.arch,
        quant=inputs.quant,
        plan=p,
        max_context=max_context(inputs.arch, inputs.quant, work, setup, runtime),
        best_quant=best.name if best else None,
        breakdown=breakdown_bars(p.memory, p.usable_bytes),
        serving=serving(inputs.arch, inputs.quant, work, setup, runtime) if setup.offload in (False, "none") else None,
        fewest_gpus=None
        if devices[0].device_class == CPU_CLASS
        else fewest_devices(inputs.arch, inputs.quant, work, devices[0], runtime, specs.MAX_GPU_COUNT),
    )


def machine_plan(llm: LLM, profile: dict) -> PlanResult:
    """A catalog model on the user's saved machine (MachineProfileForm.plan_params): the model's default format
    for llama.cpp at its default context, on those GPUs (with what does not fit in system RAM when the RAM is
    given) or on the CPU alone."""
    work, runtime = Workload(context=specs.default_context(llm)), Runtime()
    inputs = plan_inputs(llm, None, None, runtime.name, quants=llm.quantizations.all())
    chosen = plan_devices(
        profile.get("gpu"),
        None,
        None,
        profile.get("gpu_count", 1),
        bool(profile.get("cpu_only")),
        profile.get("ram_gb"),
        specs.machine(profile.get("offload"), profile.get("ram_gb"), profile.get("ram_preset") or ""),
    )
    if chosen is None:  # a profile with neither a GPU nor the CPU: what the model needs
        return memory_result(inputs, work, runtime)
    devices, machine = chosen
    return full_plan(inputs, work, runtime, devices, **machine)


def context_curve(
    inputs: PlanInputs, work: Workload, runtime: Runtime, devices: list[Device], **machine
) -> list[tuple[int, Plan]]:
    """The plan at each of the model's context steps (the planner's charts)."""
    setup = _setup(devices, **machine)
    return [
        (c, plan(inputs.arch, inputs.quant, replace(work, context=c), setup, runtime))
        for c in context_steps(inputs.arch)
    ]


def run_commands(llm: LLM, quant_name: str, d: dict, p) -> "commands.Commands":
    """Run commands for a catalog model's plan (``d``: the request's context, kv_cache, runtime, gpu_count,
    batch; ``p``: its plan, whose offloaded layers set llama.cpp's -ngl)."""
    offloaded = getattr(p, "offloaded_layers", None) or 0
    return commands.commands(
        commands.RunRequest(
            llm=llm,
            fmt=resolve_format(quant_name, d["runtime"]),
            context=d["context"],
            kv_cache=d["kv_cache"],
            runtime=d["runtime"],
            gpu_count=d.get("gpu_count", 1),
            gpu_layers=0 if d.get("cpu_only") else llm.num_layers - offloaded if offloaded else None,
            parallel=d.get("batch", 1),
            cpu_moe_layers=getattr(p, "cpu_moe_layers", 0) or 0,
        )
    )
