"""Embedding and reranking models: they read documents and generate nothing; encoders keep no KV cache."""

import json

import pytest

from catalog.hf_config import architecture_fields
from catalog.seed_data import FIXTURE_SOURCE_DIR
from planner import specs
from planner.engine.kv import kv_cache_bytes
from planner.engine.plan import Ranking, plan
from planner.engine.types import Architecture, Device, Quantization, Runtime, Setup, Workload

H100 = Device(name="h100", memory_bytes=80 * 1024**3, bandwidth_gbs=3350.0, compute_tflops=989.0)


def config(name):
    return json.loads((FIXTURE_SOURCE_DIR / "configs" / f"{name}.json").read_text())


@pytest.mark.parametrize(
    "name, causal",
    [
        ("BAAI--bge-m3", False),  # XLMRobertaModel
        ("BAAI--bge-base-en-v1.5", False),  # BertModel
        ("google--embeddinggemma-300m", False),  # use_bidirectional_attention
        ("Qwen--Qwen3-Embedding-0.6B", True),  # a decoder used for embeddings: llama.cpp gives it a KV cache
        ("meta-llama--Llama-3.1-8B", True),
    ],
)
def test_encoders_are_read_from_the_config(name, causal):
    fields = architecture_fields(config(name))
    assert fields.get("causal", True) is causal
    assert fields.get("gated_ffn", True) is not name.startswith("BAAI")  # BERT-like: up and down only


def test_a_bert_like_encoder_has_no_lm_head_and_no_ffn_gate():
    from planner.engine.weights import tensors

    bert = Architecture(
        name="bge-base",
        num_layers=12,
        hidden_size=768,
        num_heads=12,
        num_kv_heads=12,
        vocab_size=30522,
        max_context=512,
        intermediate_size=3072,
        task="embedding",
        causal=False,
        gated_ffn=False,
    )
    kinds = {t.kind for t in tensors(bert)}
    assert "output" not in kinds and "ffn_gate" not in kinds and {"ffn_up", "ffn_down"} <= kinds
    # 12 × (4·768² attention + 2·768·3072 FFN) + 30522·768 embedding + norms: BERT-base without biases
    assert sum(t.n_weights for t in tensors(bert)) == 12 * (4 * 768**2 + 2 * 768 * 3072) + 30522 * 768 + 25 * 768


ENCODER = Architecture(
    name="bge-m3",
    num_layers=24,
    hidden_size=1024,
    num_heads=16,
    num_kv_heads=16,
    vocab_size=250002,
    max_context=8194,
    intermediate_size=4096,
    task="embedding",
    causal=False,
    gated_ffn=False,
)


def test_an_encoder_keeps_no_kv_cache_and_generates_nothing():
    work = Workload(context=8192)
    assert kv_cache_bytes(ENCODER, work, "llamacpp") == 0 and kv_cache_bytes(ENCODER, work, "vllm") == 0
    decoder = Architecture(**{**ENCODER.__dict__, "causal": True})
    assert kv_cache_bytes(decoder, work, "llamacpp") == 24 * 2 * 1024 * 8192 * 2  # the same shape, causal
    p = plan(ENCODER, Quantization("F16", bits_per_weight=16.0), work, Setup(devices=(H100,)), Runtime())
    assert p.fits and p.decode is None and p.prefill and p.prefill.tok_s > 0
    assert any("generates no tokens" in a and "no KV cache" in a for a in p.assumptions)
    ranked = Ranking.of(ENCODER, Quantization("F16", bits_per_weight=16.0), work, Runtime(), H100)
    assert ranked.decode_tok_s(H100) is None and ranked.plan_on(H100, 10**11).decode is None


def test_catalog_embedding_models_are_sized_as_such(seeded):
    from catalog.models import LLM

    bge = specs.llm_to_arch(LLM.objects.get(slug="bge-m3"))
    qwen = specs.llm_to_arch(LLM.objects.get(slug="qwen3-embedding-0-6b"))
    assert (bge.task, bge.causal, qwen.task, qwen.causal) == ("embedding", False, "embedding", True)
    assert kv_cache_bytes(qwen, Workload(context=8192)) > 0 == kv_cache_bytes(bge, Workload(context=8192))


def test_embedding_model_page_speaks_of_reading_speed(client, seeded):
    html = client.get("/models/bge-m3/").content.decode()
    assert "Embedding model: it reads text and returns vectors" in html and "Est. reading speed" in html
    assert "keeps no KV cache" in html
    assert "Est. decode" in client.get("/models/deepseek-r1-distill-llama-8b/").content.decode()


def test_an_embedding_server_reads_a_document_in_one_micro_batch_with_no_logits():
    from planner.engine.plan import memory

    mem = memory(ENCODER, Quantization("F16", bits_per_weight=16.0), Workload(context=8192), Runtime())
    assert mem.kv_cache_bytes == 0 and mem.overhead_bytes == 6 * 8192 * 1024 * 4  # -ub 8192, no output head
