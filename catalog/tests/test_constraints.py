import pytest
from django.db import IntegrityError, transaction

from catalog.models import GPU, LLM, BenchmarkScore, QuantFormat

pytestmark = pytest.mark.django_db

GIB = 1024**3


def make_gpu(**overrides):
    fields = dict(
        vendor="NVIDIA",
        name="Test 24GB",
        slug="nvidia-test-24gb",
        memory_bytes=24 * GIB,
        bandwidth_gbs=1000,
        segment="consumer",
    )
    fields.update(overrides)
    return GPU.objects.create(**fields)


def make_llm(**overrides):
    fields = dict(
        name="Test 8B",
        slug="test-8b",
        hf_repo_id="org/test-8b",
        family="Test",
        developer="Org",
        params_total=8_000_000_000,
        num_layers=32,
        hidden_size=4096,
        num_attention_heads=32,
        num_kv_heads=8,
        head_dim=128,
        vocab_size=128256,
        max_context=8192,
        attention="gqa",
    )
    fields.update(overrides)
    return LLM.objects.create(**fields)


def rejects(factory, **overrides):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**overrides)


def test_gpu_rejects_non_positive_memory():
    rejects(make_gpu, memory_bytes=0)


def test_gpu_rejects_negative_bandwidth_and_prices():
    rejects(make_gpu, bandwidth_gbs=-1)
    rejects(make_gpu, launch_price_usd=-5)
    rejects(make_gpu, street_price_usd=-1)


def test_gpu_slug_is_unique():
    make_gpu()
    rejects(make_gpu, name="Other")


def test_llm_rejects_more_kv_heads_than_heads():
    rejects(make_llm, num_kv_heads=64)


def test_llm_rejects_active_params_above_total():
    rejects(make_llm, architecture="moe", params_active=9_000_000_000)


def test_llm_needs_mla_dims_for_mla_attention():
    rejects(make_llm, attention="mla", head_dim=None)
    make_llm(attention="mla", head_dim=None, mla_kv_lora_rank=512, mla_rope_dim=64)


def test_llm_needs_a_window_for_sliding_window_attention():
    rejects(make_llm, attention="swa-hybrid")


def test_llm_slug_and_repo_are_unique():
    make_llm()
    rejects(make_llm, hf_repo_id="org/other")
    rejects(make_llm, slug="other")


def test_quant_quality_stays_within_0_to_100():
    rejects(QuantFormat.objects.create, name="X", family="gguf", bits_per_weight=4, quality_pct=101)
    rejects(QuantFormat.objects.create, name="Y", family="gguf", bits_per_weight=0)


def test_benchmark_is_unique_per_model_and_name():
    llm = make_llm()
    BenchmarkScore.objects.create(llm=llm, name="MMLU", score=70, source="s")
    rejects(BenchmarkScore.objects.create, llm=llm, name="MMLU", score=71, source="s")
