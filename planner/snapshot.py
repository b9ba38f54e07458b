"""Per-process snapshots of the catalog rows the sizing pages rank over, keyed by the catalog version
(catalog/cache.py): built once per worker per catalog change, so ranking 4,000 GPUs or 600 models
costs no SQL and no ORM instantiation per request. Any catalog write bumps the version."""

import gc
import threading

from catalog.cache import catalog_version
from catalog.models import GPU, LLM, Measurement, QuantFormat
from planner import specs
from planner.engine.runtime import usable_bytes as engine_usable_bytes

GPU_FIELDS = (
    "slug",
    "vendor",
    "name",
    "memory_bytes",
    "bandwidth_gbs",
    "fp32_tflops",
    "tensor_fp16_tflops",
    "tensor_fp16acc_tflops",
    "tensor_fp8_tflops",
    "tensor_int8_tops",
    "compute_units",
    "segment",
    "launch_price_usd",
    "street_price_usd",
    "memory_type",
    "backends",
    "cuda_cc",
    "gfx_target",
    "street_price_observed_at",
    "release_date",
    "availability",
)
_lock = threading.RLock()  # a snapshot may be built from another
_cache: dict[str, tuple[int, object]] = {}


def _get(name: str, build):
    version = catalog_version()
    hit = _cache.get(name)
    if hit and hit[0] == version:
        return hit[1]
    with _lock:
        gc.unfreeze()  # superseded snapshots become collectable again
        value = build()
        _cache[name] = (version, value)
        # The snapshot lives until the catalog changes: move it out of the cyclic collector's reach, whose
        # full passes over ~20,000 long-lived rows at 10× catalog added pauses of up to 60 ms to requests.
        gc.freeze()
    return value


def active_gpus() -> list[tuple[GPU, "specs.Device"]]:
    """Active GPUs with their engine devices, smallest memory first."""
    return _get(
        "gpus",
        lambda: [
            (g, specs.gpu_to_device(g)) for g in GPU.objects.active().only(*GPU_FIELDS).order_by("memory_bytes", "slug")
        ],
    )


def models_with_quants() -> list[LLM]:
    """Every model with its quantizations and their formats, tags and benchmark scores."""
    return _get("llms", lambda: list(LLM.objects.with_catalog_relations().defer("card_markdown")))


def reviewed_models() -> list[LLM]:
    """The curated catalog (models_with_quants without those looked up from the Hub): what rankings list."""
    return _get("reviewed", lambda: [m for m in models_with_quants() if m.reviewed])


def card(llm: LLM) -> str:
    """The model's Hub card (Markdown), read once per catalog version: the list snapshot leaves cards out."""
    memo = _get("cards", dict)
    if llm.slug not in memo:
        memo[llm.slug] = LLM.objects.filter(pk=llm.pk).values_list("card_markdown", flat=True).first() or ""
    return memo[llm.slug]


def family(llm: LLM) -> list[LLM]:
    """The other sizes and variants of the model's family, smallest first."""
    return sorted(
        (m for m in reviewed_models() if m.family == llm.family and m.pk != llm.pk),
        key=lambda m: (m.params_total or 0, m.name),
    )


def measurements(llm_id: int, gpu_id: int) -> list[Measurement]:
    """The catalog's speed measurements of one model on one GPU (any count, format, runtime), from the snapshot."""

    def build():
        grouped = {}
        for m in Measurement.objects.select_related("gpu", "llm").defer("llm__card_markdown").order_by("pk"):
            grouped.setdefault((m.llm_id, m.gpu_id), []).append(m)
        return grouped

    return _get("measurements", build).get((llm_id, gpu_id), [])


def formats() -> list[QuantFormat]:
    """Every weight format of the catalog, in display order."""
    return _get("formats", lambda: list(QuantFormat.objects.order_by("sort_order", "name")))


def model(slug: str) -> LLM | None:
    """A catalog model (with its quantizations) by slug, from the snapshot: no SQL."""
    return _get("llm_by_slug", lambda: {m.slug: m for m in models_with_quants()}).get(slug)


def gpu(slug: str) -> GPU | None:
    """Any catalog GPU (active or not) by slug, from the snapshot: no SQL."""
    return _get("gpu_by_slug", lambda: GPU.objects.in_bulk(field_name="slug")).get(slug)


def usable_bytes(runtime) -> dict[str, int]:
    """Usable bytes of every active GPU under ``runtime`` (by slug): the same for every model."""
    memo = _get("usable", dict)  # a new, empty memo for every catalog version
    if runtime not in memo:
        memo[runtime] = {gpu.slug: engine_usable_bytes(device, runtime) for gpu, device in active_gpus()}
    return memo[runtime]


def runtime_gpus(runtime: str) -> frozenset[str]:
    """Slugs of the active GPUs a current release of ``runtime`` can drive (specs.runtime_backend)."""
    memo = _get("runtime_gpus", dict)
    if runtime not in memo:
        memo[runtime] = frozenset(g.slug for g, _ in active_gpus() if specs.runtime_backend(g, runtime))
    return memo[runtime]


def vendors() -> list[str]:
    """The GPU vendors of the catalog, for the vendor filters."""
    return _get("vendors", lambda: list(GPU.objects.order_by("vendor").values_list("vendor", flat=True).distinct()))


def filter_gpus(
    pairs, *, vendor: str = "", segment: str = "", max_price=None, min_memory_bytes: int = 0, sold_today: bool = False
):
    """The GPUQuerySet filters, in Python, over a snapshot (the same price rule: GPU.current_price_usd); with
    ``sold_today``, only cards people buy today (GPU.sold_today)."""
    vendor = (vendor or "").lower()
    out = []
    for gpu, device in pairs:
        if gpu.memory_bytes < min_memory_bytes:
            continue
        if vendor and gpu.vendor.lower() != vendor:
            continue
        if segment and gpu.segment != segment:
            continue
        if sold_today and not gpu.sold_today:
            continue
        if max_price is not None and (gpu.current_price_usd is None or float(gpu.current_price_usd) > float(max_price)):
            continue
        out.append((gpu, device))
    return out
