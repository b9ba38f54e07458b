from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import GPU, LLM, BenchmarkScore, ModelQuant, QuantFormat

pytestmark = pytest.mark.django_db


def test_seed_loads_every_gpu_and_model_on_an_empty_database():
    for model in (BenchmarkScore, ModelQuant, LLM, GPU, QuantFormat):
        model.objects.all().delete()
    call_command("seed", verbosity=0)
    assert GPU.objects.count() >= 400
    assert LLM.objects.count() >= 60
    assert QuantFormat.objects.filter(name="Q4_K_M").exists()
    llm = LLM.objects.get(slug="deepseek-r1-distill-llama-8b")
    assert llm.num_kv_heads == 8 and llm.head_dim == 128 and llm.num_layers == 32
    assert llm.ollama_tag == "deepseek-r1:8b-llama-distill-q4_K_M"  # deepseek-r1:8b now names the 0528 Qwen3 distill
    assert BenchmarkScore.objects.filter(llm=llm).count() == 14
    assert ModelQuant.objects.filter(llm=llm, fmt__name="Q4_K_M").exists()


def test_seed_twice_adds_nothing():
    call_command("seed", verbosity=0)
    counts = (GPU.objects.count(), LLM.objects.count(), ModelQuant.objects.count(), BenchmarkScore.objects.count())
    call_command("seed", "--force", verbosity=0)
    assert counts == (
        GPU.objects.count(),
        LLM.objects.count(),
        ModelQuant.objects.count(),
        BenchmarkScore.objects.count(),
    )


def test_every_seed_row_keeps_its_source():
    call_command("seed", verbosity=0)
    assert not GPU.objects.filter(source="").exists()
    assert not LLM.objects.filter(source="").exists()
    assert not BenchmarkScore.objects.filter(source="").exists()
    assert not ModelQuant.objects.exclude(file_size_bytes=None).filter(source="").exists()


def test_fixtures_match_the_csvs_they_are_built_from():
    """The committed fixtures are exactly what build_fixtures makes from shared/data."""
    data = Path(settings.SEED_DATA_DIR)
    if not (data / "gpus.csv").exists():
        pytest.skip("shared/data is not beside this checkout")
    import json

    from catalog.seed_data import build_all

    for name, objects in build_all(data).items():
        committed = json.loads((Path(settings.BASE_DIR) / "fixtures" / name).read_text())
        assert committed == objects, f"fixtures/{name} is stale: run `make fixtures`"


def test_seed_leaves_an_edited_catalog_alone():
    call_command("seed", verbosity=0)
    GPU.objects.filter(slug="nvidia-geforce-rtx-4090").update(bandwidth_gbs=1111, locked_fields=["bandwidth_gbs"])
    call_command("seed", verbosity=0)
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").bandwidth_gbs == 1111


def test_apple_silicon_rows_are_split_by_gpu_cores():
    """A chip × memory row is the base Mac's bin (its price is that Mac's); the other bin is its own row, and FP32
    scales with the cores. A memory size that only one bin had sets that bin's bandwidth (fixtures/source/
    apple_variants.csv)."""
    call_command("seed", verbosity=0)
    base = GPU.objects.get(slug="apple-m4-pro-24-gb-unified")
    full = GPU.objects.get(slug="apple-m4-pro-20-core-gpu-24-gb-unified")
    assert (base.compute_units, full.compute_units) == (16, 20)
    assert full.fp32_tflops == 9.2 and base.fp32_tflops == pytest.approx(9.2 * 16 / 20, abs=0.01)
    assert base.launch_price_usd < full.launch_price_usd  # the base Mac, and the same Mac with the bigger chip
    assert full.memory_bytes == base.memory_bytes and full.bandwidth_gbs == base.bandwidth_gbs == 273.0
    m3_max_96 = GPU.objects.get(slug="apple-m3-max-96-gb-unified")
    assert (m3_max_96.compute_units, m3_max_96.bandwidth_gbs) == (30, 300.0)  # 96 GB came with the 30-core M3 Max
    assert GPU.objects.get(slug="apple-m5-max-36-gb-unified").bandwidth_gbs == 460.0
    assert not GPU.objects.filter(vendor="Apple", bandwidth_gbs=None).exists()
