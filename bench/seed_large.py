"""Fill the database named by DATABASE_URL with a synthetic catalog ~10× the seed: ~4,000 GPUs,
600 models and ~9,000 model quantizations, made by varying the real rows (memory, bandwidth, price).
Each synthetic model keeps its original's quantizations and gets more GGUF formats (file size left
blank, so the engine computes it) up to QUANTS_PER_MODEL, as a model page on a popular site lists. Every
synthetic row is marked: slugs end in ``-synN`` and ``source`` says "SYNTHETIC".
Never written to fixtures/. Run: make bench-seed-large (DATABASE_URL=postgres://… for the load test).

Usage: python bench/seed_large.py [--factor 10] [--reset]
"""

import argparse
import random
import time
from decimal import Decimal

from common import GPU, LLM
from django.core.management import call_command
from django.db import transaction

from catalog.cache import bump_catalog_version
from catalog.models import ModelQuant, QuantFormat

QUANTS_PER_MODEL = 16
# Common llama.cpp file types (our choice for the benchmark, not a measured popularity ranking).
COMMON_GGUF = [
    "Q4_K_M",
    "Q5_K_M",
    "Q6_K",
    "Q8_0",
    "Q3_K_M",
    "Q2_K",
    "Q4_K_S",
    "Q5_K_S",
    "Q3_K_L",
    "Q3_K_S",
    "IQ4_XS",
    "IQ4_NL",
    "IQ3_M",
    "IQ3_XS",
    "IQ2_M",
    "IQ2_S",
    "Q4_0",
    "Q5_0",
]
MARK = "SYNTHETIC benchmark row (bench/seed_large.py), varied from"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10, help="catalog multiple (default 10)")
    parser.add_argument("--reset", action="store_true", help="delete earlier synthetic rows first")
    args = parser.parse_args()
    rng = random.Random(42)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed", verbosity=0)
    if args.reset:
        GPU.objects.filter(source__startswith="SYNTHETIC").delete()
        LLM.objects.filter(source__startswith="SYNTHETIC").delete()
    real_gpus = list(GPU.objects.exclude(source__startswith="SYNTHETIC"))
    real_llms = list(LLM.objects.exclude(source__startswith="SYNTHETIC").prefetch_related("quantizations", "tags"))
    with transaction.atomic():
        gpus = []
        for copy in range(1, args.factor):
            for g in real_gpus:
                scale = rng.choice([0.5, 0.75, 1.0, 1.5, 2.0])
                gpus.append(
                    GPU(
                        vendor=g.vendor,
                        name=f"{g.name} syn{copy}",
                        slug=f"{g.slug}-syn{copy}",
                        architecture=g.architecture,
                        release_date=g.release_date,
                        memory_type=g.memory_type,
                        memory_bytes=max(int(g.memory_bytes * scale), 1024**3),
                        bus_width_bits=g.bus_width_bits,
                        bandwidth_gbs=g.bandwidth_gbs and round(g.bandwidth_gbs * rng.uniform(0.8, 1.25), 1),
                        fp16_tflops=g.fp16_tflops,
                        fp32_tflops=g.fp32_tflops,
                        tensor_fp16_tflops=g.tensor_fp16_tflops,
                        tensor_fp16acc_tflops=g.tensor_fp16acc_tflops,
                        tensor_fp8_tflops=g.tensor_fp8_tflops,
                        tensor_int8_tops=g.tensor_int8_tops,
                        compute_units=g.compute_units,
                        tdp_w=g.tdp_w,
                        segment=g.segment,
                        is_active=True,
                        launch_price_usd=g.launch_price_usd
                        and (g.launch_price_usd * Decimal(str(scale))).quantize(Decimal("1")),
                        source=f"{MARK} {g.slug}",
                    )
                )
        GPU.objects.bulk_create(gpus, batch_size=1000, ignore_conflicts=True)
        llms, quants, tag_links = [], [], []
        for copy in range(1, args.factor):
            for m in real_llms:
                llms.append(
                    LLM(
                        **{f.attname: getattr(m, f.attname) for f in LLM._meta.concrete_fields if not f.primary_key}
                        | {
                            "name": f"{m.name} syn{copy}",
                            "slug": f"{m.slug}-syn{copy}",
                            "hf_repo_id": f"{m.hf_repo_id}-syn{copy}",
                            "source": f"{MARK} {m.slug}",
                            "hf_downloads": int((m.hf_downloads or 1000) * rng.uniform(0.1, 2)),
                        }
                    )
                )
        LLM.objects.bulk_create(llms, batch_size=500, ignore_conflicts=True)
        by_slug = {m.slug: m for m in LLM.objects.filter(source__startswith="SYNTHETIC")}
        gguf = sorted(QuantFormat.objects.filter(name__in=COMMON_GGUF), key=lambda f: COMMON_GGUF.index(f.name))
        for copy in range(1, args.factor):
            for m in real_llms:
                new = by_slug[f"{m.slug}-syn{copy}"]
                quants += [
                    ModelQuant(llm=new, fmt_id=q.fmt_id, file_size_bytes=q.file_size_bytes, source=f"{MARK} {m.slug}")
                    for q in m.quantizations.all()
                ]
                have = {q.fmt_id for q in m.quantizations.all()}
                extra = [f for f in gguf if f.pk not in have][: max(0, QUANTS_PER_MODEL - len(have))]
                quants += [ModelQuant(llm=new, fmt=f, source=f"{MARK} {m.slug} (size computed)") for f in extra]
                tag_links += [LLM.tags.through(llm_id=new.pk, tag_id=t.pk) for t in m.tags.all()]
        ModelQuant.objects.bulk_create(quants, batch_size=2000, ignore_conflicts=True)
        LLM.tags.through.objects.bulk_create(tag_links, batch_size=2000, ignore_conflicts=True)
    bump_catalog_version()
    print(
        f"catalog: {GPU.objects.count()} GPUs, {LLM.objects.count()} models, "
        f"{ModelQuant.objects.count()} model quantizations "
        f"({GPU.objects.filter(source__startswith='SYNTHETIC').count()} GPUs synthetic) "
        f"in {time.perf_counter() - started:.1f} s"
    )


if __name__ == "__main__":
    main()
