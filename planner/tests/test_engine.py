"""Golden numbers from the sources and properties of the sizing engine (no database)."""

import ast
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.engine.kv import kv_cache_bytes, layer_counts
from planner.engine.plan import best_quant, fewest_devices, fits, max_concurrent, max_context, plan, rank_devices
from planner.engine.runtime import llamacpp_compute_buffer_bytes, usable_bytes
from planner.engine.types import GIB, MIB, Architecture, Device, EngineError, Quantization, Runtime, Setup, Workload
from planner.engine.weights import active_weight_bytes, file_bytes, token_embedding_bytes, weights_bytes

LLAMA3_8B = Architecture(
    name="Llama-3-8B",
    num_layers=32,
    hidden_size=4096,
    num_heads=32,
    num_kv_heads=8,
    vocab_size=128256,
    max_context=8192,
    head_dim=128,
    params_total=8_030_261_248,
)
DEEPSEEK_V3 = Architecture(
    name="DeepSeek-V3",
    num_layers=61,
    hidden_size=7168,
    num_heads=128,
    num_kv_heads=128,
    vocab_size=129280,
    max_context=163840,
    params_total=671_000_000_000,
    params_active=37_000_000_000,
    is_moe=True,
    num_experts=256,
    experts_per_token=8,
    attention="mla",
    mla_kv_lora_rank=512,
    mla_rope_dim=64,
)
GEMMA3_27B = Architecture(
    name="Gemma-3-27B",
    num_layers=62,
    hidden_size=5376,
    num_heads=32,
    num_kv_heads=16,
    vocab_size=262144,
    max_context=131072,
    head_dim=128,
    params_total=27_432_000_000,
    tied_embeddings=True,
    attention="swa",
    sliding_window=1024,
    swa_local_layers=5,
    swa_global_layers=1,
)
MIXTRAL = Architecture(
    name="Mixtral-8x7B",
    num_layers=32,
    hidden_size=4096,
    num_heads=32,
    num_kv_heads=8,
    vocab_size=32000,
    max_context=32768,
    head_dim=128,
    params_total=46_703_000_000,
    params_active=12_900_000_000,
    is_moe=True,
    num_experts=8,
    experts_per_token=2,
)
Q4_K_M = Quantization("Q4_K_M", "gguf", 4.5)
RTX_3060 = Device("rtx-3060-12gb", 12 * GIB, 360.0, "nvidia", 12.74, compute_units=28)


def test_llama3_8b_f16_kv_at_8192_is_exactly_1024_mib():
    assert kv_cache_bytes(LLAMA3_8B, Workload(context=8192)) == 1024 * MIB


def test_q8_0_kv_is_34_bytes_per_32_values():
    # 32 layers × 8192 cells × 2 (K,V) × 1024 values × 34/32 B = 544 MiB (not 512: the block scales count)
    assert kv_cache_bytes(LLAMA3_8B, Workload(context=8192, kv_cache="q8_0")) == 544 * MIB
    assert kv_cache_bytes(LLAMA3_8B, Workload(context=8192, kv_cache="q4_0")) == 288 * MIB


def test_llamacpp_pads_the_context_to_256_cells():
    assert kv_cache_bytes(LLAMA3_8B, Workload(context=8000)) == kv_cache_bytes(LLAMA3_8B, Workload(context=8192))


def test_deepseek_v3_caches_one_576_value_latent_per_layer():
    per_token = kv_cache_bytes(DEEPSEEK_V3, Workload(context=256)) // 256
    assert per_token == 61 * 576 * 2  # 70,272 B per token at f16, no separate V


def test_gemma3_sliding_layers_keep_window_plus_ubatch_cells():
    counts = layer_counts(GEMMA3_27B)
    assert (counts["full"], counts["sliding"] + counts["chunked"]) == (10, 52)
    per_cell_layer = 2 * 16 * 128 * 2
    expected = (8192 * 10 + 1536 * 52) * per_cell_layer  # 1024 window + 512 ubatch
    assert kv_cache_bytes(GEMMA3_27B, Workload(context=8192)) == expected


def test_vllm_rounds_to_16_token_blocks():
    a = kv_cache_bytes(LLAMA3_8B, Workload(context=1001), "vllm")
    assert a == kv_cache_bytes(LLAMA3_8B, Workload(context=1008), "vllm") == 1008 * 32 * 2 * 1024 * 2


def test_llama3_8b_q4_k_m_tensor_data_matches_llamacpp_log():
    # llama.cpp: 4403.49 MiB on the GPU + 281.81 MiB token_embd on the host (vram_reports_public.csv)
    assert token_embedding_bytes(LLAMA3_8B, Q4_K_M) / MIB == pytest.approx(281.81, abs=0.01)
    assert (weights_bytes(LLAMA3_8B, Q4_K_M) - token_embedding_bytes(LLAMA3_8B, Q4_K_M)) / MIB == pytest.approx(
        4403.49, abs=0.01
    )


def test_llama3_8b_q4_k_m_file_is_within_0_1_percent_of_the_real_file():
    assert file_bytes(LLAMA3_8B, Q4_K_M) == pytest.approx(4_920_733_984, rel=0.001)


def test_mixtral_reads_only_two_of_eight_experts_per_token():
    active = active_weight_bytes(MIXTRAL, Q4_K_M)
    total = weights_bytes(MIXTRAL, Q4_K_M)
    assert 0.22 < active / total < 0.32  # 12.9B of 46.7B parameters


def test_compute_buffer_matches_llamacpp_logs():
    no_fa = Runtime(flash_attention=False)
    assert llamacpp_compute_buffer_bytes(LLAMA3_8B, Workload(context=8192), no_fa) == 560 * MIB
    assert llamacpp_compute_buffer_bytes(LLAMA3_8B, Workload(context=512), no_fa) / MIB == pytest.approx(258.5)


def test_apple_unified_memory_share_grows_with_ram():
    small = Device("m", 16 * GIB, 100, "apple", unified_memory=True)
    big = Device("m", 192 * GIB, 800, "apple", unified_memory=True)
    assert usable_bytes(small, Runtime()) == int(16 * GIB * 2 / 3)
    assert usable_bytes(big, Runtime()) == 144 * GIB
    assert usable_bytes(
        Device("m", 16 * GIB, 100, "apple", unified_memory=True, usable_fraction_override=0.9), Runtime()
    ) == int(16 * GIB * 0.9)


def test_plan_fits_8b_q4_on_a_12gb_card_with_a_speed_band():
    p = plan(LLAMA3_8B, Q4_K_M, Workload(context=8192), Setup(devices=(RTX_3060,)))
    assert p.fits and p.headroom_bytes > 0
    assert p.decode.low < p.decode.tok_s < p.decode.high
    assert p.prefill.tok_s > p.decode.tok_s


def test_offload_moves_layers_to_system_ram():
    small = Device("6gb", 6 * GIB, 300.0, "nvidia", 10)
    work = Workload(context=32768)
    assert not plan(LLAMA3_8B, Q4_K_M, work, Setup(devices=(small,))).fits
    p = plan(LLAMA3_8B, Q4_K_M, work, Setup(devices=(small,), offload=True, ram_bytes=32 * GIB))
    assert p.fits and 0 < p.offloaded_layers < 32
    assert p.decode.tok_s < plan(LLAMA3_8B, Q4_K_M, Workload(context=2048), Setup(devices=(small,))).decode.tok_s


def test_max_context_fits_and_one_more_token_does_not():
    setup, work, rt = Setup(devices=(RTX_3060,)), Workload(), Runtime(name="vllm")
    arch = Architecture(**{**LLAMA3_8B.__dict__, "max_context": 10_000_000})
    best = max_context(arch, Q4_K_M, work, setup, rt)
    assert 0 < best < 10_000_000
    assert fits(arch, Q4_K_M, Workload(context=best), setup, rt)
    assert not fits(arch, Q4_K_M, Workload(context=best + 16), setup, rt)


def test_best_quant_picks_the_highest_quality_that_fits():
    options = [(Quantization("F16", "float", 16), 100.0), (Quantization("Q8_0", "gguf", 8.5), 99.98), (Q4_K_M, 97.3)]
    assert best_quant(LLAMA3_8B, options, Workload(), Setup(devices=(RTX_3060,))).name == "Q8_0"


def test_fewest_gpus_and_max_concurrency():
    arch70 = Architecture(
        **{**LLAMA3_8B.__dict__, "num_layers": 80, "hidden_size": 8192, "num_heads": 64, "params_total": 70_553_706_496}
    )
    assert fewest_devices(arch70, Q4_K_M, Workload(), RTX_3060) == 4
    assert max_concurrent(LLAMA3_8B, Q4_K_M, Workload(context=4096), Setup(devices=(RTX_3060,))) >= 1


def test_rank_devices_sorts_by_memory():
    devices = [Device(f"d{i}", (4 + 4 * i) * GIB, 300.0, "nvidia", 10) for i in range(6)]
    ranked = rank_devices(LLAMA3_8B, Q4_K_M, Workload(), reversed(devices))
    assert [d.name for d, _ in ranked] == ["d1", "d2", "d3", "d4", "d5"]


def test_it_rejects_bad_inputs_naming_the_field():
    setup = Setup(devices=(RTX_3060,))
    for work, field in [
        (Workload(context=0), "context"),
        (Workload(batch=0), "batch"),
        (Workload(kv_cache="q3"), "kv_cache"),
        (Workload(context=10_000_001), "context"),
    ]:
        with pytest.raises(EngineError) as err:
            plan(LLAMA3_8B, Q4_K_M, work, setup)
        assert err.value.field == field


@settings(max_examples=60, deadline=None)
@given(
    ctx=st.integers(1, 200_000),
    extra=st.integers(1, 50_000),
    batch=st.integers(1, 8),
    kv=st.sampled_from(["f16", "q8_0", "q4_0"]),
)
def test_kv_grows_with_context_and_batch(ctx, extra, batch, kv):
    for arch in (LLAMA3_8B, GEMMA3_27B, DEEPSEEK_V3):
        a = kv_cache_bytes(arch, Workload(context=ctx, batch=batch, kv_cache=kv))
        assert kv_cache_bytes(arch, Workload(context=ctx + extra, batch=batch, kv_cache=kv)) >= a
        assert kv_cache_bytes(arch, Workload(context=ctx, batch=batch + 1, kv_cache=kv)) >= a


@settings(max_examples=30, deadline=None)
@given(
    layers=st.integers(2, 96),
    hidden=st.sampled_from([1024, 2048, 4096, 5120]),
    experts=st.sampled_from([8, 16, 64]),
    k=st.integers(1, 4),
)
def test_moe_active_never_exceeds_total_and_bits_order_sizes(layers, hidden, experts, k):
    total = layers * hidden * hidden * 40
    arch = Architecture(
        name="x",
        num_layers=layers,
        hidden_size=hidden,
        num_heads=16,
        num_kv_heads=4,
        vocab_size=32000,
        max_context=4096,
        head_dim=hidden // 16,
        params_total=total,
        params_active=total // 4,
        is_moe=True,
        num_experts=experts,
        experts_per_token=k,
    )
    sizes = [weights_bytes(arch, Quantization(q, "gguf")) for q in ("Q2_K", "Q4_K_M", "Q6_K", "Q8_0", "F16")]
    assert sizes == sorted(sizes)
    assert active_weight_bytes(arch, Quantization("Q4_K_M")) <= weights_bytes(arch, Quantization("Q4_K_M"))


def test_engine_imports_neither_django_nor_catalog():
    engine = Path(__file__).resolve().parent.parent / "engine"
    for path in engine.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert not name.startswith(("django", "catalog", "planner.specs", "rest_framework")), (path, name)


@pytest.mark.django_db
def test_bulk_ranking_equals_plan_for_every_catalog_gpu(seeded):
    """rank_devices computes the model side once; its plans must be exactly plan()'s, GPU by GPU."""
    from catalog.models import GPU, LLM
    from planner import specs
    from planner.engine.plan import plan, rank_devices
    from planner.engine.types import Runtime, Setup, Workload

    devices = [specs.gpu_to_device(g) for g in GPU.objects.all()]
    for slug, quant, work, runtime in (
        ("deepseek-r1-distill-llama-8b", "Q4_K_M", Workload(context=32768), Runtime()),
        ("qwen3-30b-a3b", "Q8_0", Workload(context=8192, batch=4, kv_cache="q8_0"), Runtime(name="ollama")),
        ("gemma-3-27b-it", "Q4_K_M", Workload(context=65536), Runtime(name="vllm")),
    ):
        llm = LLM.objects.get(slug=slug)
        mq = llm.quantizations.get(fmt__name=quant)
        arch, q = specs.llm_to_arch(llm), specs.model_quant_to_quant(mq)
        ranked = rank_devices(arch, q, work, devices, runtime)
        assert ranked
        expected = [(d, plan(arch, q, work, Setup(devices=(d,)), runtime)) for d in devices]
        expected = sorted([(d, p) for d, p in expected if p.fits], key=lambda t: (t[0].memory_bytes, t[0].name))
        assert ranked == expected


def _hub_config(repo_id: str) -> dict:
    from django.conf import settings

    from catalog import seed_models

    return seed_models.load_config(Path(settings.BASE_DIR) / "fixtures" / "source", repo_id)


@pytest.mark.django_db
def test_older_designs_read_as_transformers_builds_them(seeded):
    """The first Qwen states w1 and w2 together (QWenMLP: each intermediate_size // 2); GPT-2 leaves its MLP width
    out (4 × n_embd) and, like OPT and BLOOM, ties its head to the embedding. GPT-2 is published as 124M parameters:
    the engine's tensors (no biases, no position table) come within 1 % of it."""
    from catalog.hf_config import architecture_fields
    from planner import specs
    from planner.engine.weights import total_params

    qwen = architecture_fields(_hub_config("Qwen/Qwen-14B-Chat"))
    assert qwen["intermediate_size"] == _hub_config("Qwen/Qwen-14B-Chat")["intermediate_size"] // 2 == 13_696
    gpt2 = architecture_fields(_hub_config("openai-community/gpt2"))
    assert (gpt2["intermediate_size"], gpt2["tied_embeddings"], gpt2["gated_ffn"]) == (3072, True, False)
    assert architecture_fields(_hub_config("facebook/opt-125m"))["tied_embeddings"] is True
    from catalog.models import LLM

    arch = specs.llm_to_arch(LLM.objects.get(hf_repo_id="openai-community/gpt2"))
    assert abs(total_params(arch) / 124e6 - 1) < 0.01


def test_stored_format_blocks_are_the_engines():
    """One truth for a GGUF type's block: the engine's tables (weights.GGML_TYPES, from ggml-common.h). The catalog's
    descriptive fields (QuantFormat.base_type, block_weights, block_bytes) must say the same for every type the
    engine builds."""
    import json

    from django.conf import settings

    from planner.engine.weights import FILE_TYPE_BASE, GGML_TYPES

    fixtures = json.loads((Path(settings.BASE_DIR) / "fixtures" / "02_quant_formats.json").read_text())
    checked = 0
    for row in (o["fields"] for o in fixtures):
        if row["name"] in FILE_TYPE_BASE and row["family"] in ("gguf", "float"):
            base = FILE_TYPE_BASE[row["name"]]
            assert (row["base_type"], row["block_weights"], row["block_bytes"]) == (base, *GGML_TYPES[base]), row
            checked += 1
    assert checked >= 30


def test_catalog_never_imports_planner():
    """Dependencies point one way (planner may import catalog): the catalog's code never imports the planner."""
    catalog = Path(__file__).resolve().parents[2] / "catalog"
    for path in catalog.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            assert not any(n == "planner" or n.startswith("planner.") for n in names), (path, names)
