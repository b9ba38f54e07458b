"""2026 attention designs: hybrid layer patterns, recurrent state, DSA indexer keys, per-layer K/V
widths, and a refusal for designs the engine cannot size. Golden numbers are llama.cpp's own log
lines where public ones exist; every seed model's KV per token is checked against its config.json."""

import json
from pathlib import Path

import pytest

from catalog import seed_models
from catalog.hf_config import architecture_fields
from catalog.models import LLM
from catalog.seed_data import FIXTURE_SOURCE_DIR, read_csv
from planner.engine.kv import kv_cache_bytes, layer_counts, llamacpp_kv_bytes, recurrent_state_bytes
from planner.engine.recurrent import recurrent_state
from planner.engine.types import GIB, MIB, Architecture, EngineError, Workload
from planner.specs import LAYER_LETTERS, llm_to_arch

CONFIGS = FIXTURE_SOURCE_DIR / "configs"


def arch_from_config(repo_id: str, **extra) -> Architecture:
    """The engine's architecture for a seed config, through the same parser the catalog uses."""
    config = json.loads((CONFIGS / (repo_id.replace("/", "--") + ".json")).read_text())
    v = architecture_fields(config)
    dims = dict(v.get("recurrent") or {})
    state = recurrent_state(dims.pop("kind"), dims, dims.pop("ssm_dtype_bytes")) if dims else None
    return Architecture(
        name=repo_id,
        num_layers=v["num_layers"],
        hidden_size=v["hidden_size"],
        num_heads=v["num_attention_heads"],
        num_kv_heads=v.get("num_kv_heads") or v["num_attention_heads"],
        vocab_size=v["vocab_size"],
        max_context=v.get("max_context", 4096),
        head_dim=v.get("head_dim"),
        attention="mla"
        if v.get("mla_kv_lora_rank")
        else "csa"
        if set(v.get("layer_pattern", "")) & {"K", "H"}
        else "standard",
        mla_kv_lora_rank=v.get("mla_kv_lora_rank"),
        mla_rope_dim=v.get("mla_rope_dim"),
        sliding_window=v.get("sliding_window"),
        layer_kinds=tuple(LAYER_LETTERS[c] for c in v["layer_pattern"]) if v.get("layer_pattern") else None,
        recurrent=state,
        head_dim_v=v.get("head_dim_v"),
        global_kv_heads=v.get("global_kv_heads"),
        global_head_dim=v.get("global_head_dim"),
        indexer_head_dim=v.get("indexer_head_dim"),
        unsupported=v.get("unsupported_reason", ""),
        **extra,
    )


def test_qwen3_6_27b_state_matches_llama_cpp_log():
    # llama.cpp PR #22673 (github.com/ggml-org/llama.cpp/pull/22673), Qwen3.6-27B on master:
    # "llama_memory_recurrent: size = 149.62 MiB (1 cells, 64 layers, 1 seqs), R (f32): 5.62 MiB, S (f32): 144.00 MiB"
    arch = arch_from_config("Qwen/Qwen3.5-27B")  # Qwen3.6-27B has the same text config (64 layers, 48 DeltaNet)
    assert layer_counts(arch)["recurrent"] == 48 and layer_counts(arch)["full"] == 16
    assert arch.recurrent.conv_values * 4 * 48 == pytest.approx(5.62 * MIB, abs=0.005 * MIB)
    assert arch.recurrent.state_values * 4 * 48 == 144 * MIB
    assert recurrent_state_bytes(arch, 2) == 2 * recurrent_state_bytes(arch, 1)  # PR #23792: 2 cells, 299.25 MiB


def test_qwen3_5_27b_kv_counts_only_the_16_full_attention_layers():
    # Public log (Qwen3.5/3.6-27B, 24,576 cells): "llama_kv_cache: size = 1536.00 MiB (24576 cells, 16 layers)"
    arch = arch_from_config("Qwen/Qwen3.5-27B")
    state = recurrent_state_bytes(arch, 1)
    assert kv_cache_bytes(arch, Workload(context=24576)) - state == 1536 * MIB


def test_qwen3_5_35b_a3b_state_matches_llama_cpp_log():
    # "llama_memory_recurrent: size = 62.81 MiB (1 cells, 40 layers, 1 seqs), R (f32): 2.81 MiB, S (f32): 60.00 MiB"
    arch = arch_from_config("Qwen/Qwen3.5-35B-A3B")
    assert recurrent_state_bytes(arch, 1) == pytest.approx(62.81 * MIB, abs=0.005 * MIB)


def test_vllm_keeps_the_conv_state_in_bf16_and_the_delta_state_in_the_configs_dtype():
    arch = arch_from_config("Qwen/Qwen3.5-27B")  # mamba_ssm_dtype float32
    state = arch.recurrent
    assert recurrent_state_bytes(arch, 1, "vllm") == 48 * (state.conv_values * 2 + state.state_values * 4)


def test_nemotron_h_keeps_state_in_mamba_layers_and_kv_in_attention_layers_only():
    arch = arch_from_config("nvidia/NVIDIA-Nemotron-3-Nano-30B-A3B-BF16")
    counts = layer_counts(arch)
    assert (counts["recurrent"], counts["full"], counts["none"]) == (23, 6, 23)
    # Mamba-2: d_inner 64 heads × 64, 8 groups, d_state 128, conv 4 (llama-hparams.cpp n_embd_r / n_embd_s)
    assert arch.recurrent.conv_values == 3 * (4096 + 2 * 8 * 128)
    assert arch.recurrent.state_values == 128 * 4096
    per_token = (kv_cache_bytes(arch, Workload(context=8192)) - kv_cache_bytes(arch, Workload(context=4096))) // 4096
    assert per_token == 6 * 2 * 2 * 128 * 2  # 6 layers × K,V × 2 heads × 128 × f16


def test_dsa_adds_the_indexer_key_per_token():
    arch = arch_from_config("zai-org/GLM-5")
    per_token = kv_cache_bytes(arch, Workload(context=512)) // 512
    assert per_token == 78 * (576 + 128) * 2  # llama.cpp: latent plus a K-only f16 indexer cache of width 128
    vllm = kv_cache_bytes(arch, Workload(context=512), "vllm") // 512
    assert vllm == 78 * (576 * 2 + 132)  # vLLM: FP8 indexer keys with one FP32 scale per 128 (132 B)


def test_gemma4_full_layers_use_their_own_kv_width():
    arch = arch_from_config("google/gemma-4-26B-A4B")
    counts = layer_counts(arch)
    assert (counts["full"], counts["sliding"]) == (5, 25)
    work, more = Workload(context=16384), Workload(context=32768)
    per_token = (kv_cache_bytes(arch, more) - kv_cache_bytes(arch, work)) // 16384  # windowed layers are capped
    assert per_token == 5 * 2 * 2 * 512 * 2  # 2 global KV heads × 512, K and V both cached (llama.cpp)


def test_an_unsupported_design_is_refused_not_sized():
    arch = arch_from_config("MiniMaxAI/MiniMax-M1-80k")
    with pytest.raises(EngineError, match="not supported"):
        kv_cache_bytes(arch, Workload(context=4096))


def test_deepseek_v4_compressed_caches_as_llama_cpp_allocates_them():
    """llama.cpp src/llama-kv-cache-dsv4.cpp (ggml-org/llama.cpp@8eb9c86): every layer's 128-token window of raw
    keys (iswa, K only, 512 wide), CSA layers' compressed keys + 128-wide indexer keys in pad256(ceil(kv_size / 4))
    cells, HCA layers' compressed keys in pad256(ceil(kv_size / 128)), F32 compressor state per layer."""
    flash = arch_from_config("deepseek-ai/DeepSeek-V4-Flash")
    counts = layer_counts(flash)
    assert (counts["sliding"], counts["csa"], counts["hca"], counts["full"]) == (2, 21, 20, 0)
    ctx = 1 << 20
    raw = 43 * 768 * 1024  # pad256(128 + ubatch 512) cells of 512 F16 keys
    compressed = 21 * (ctx // 4) * (1024 + 256) + 20 * (ctx // 128) * 1024
    state = 2 * 4 * (21 * 8 * (1024 + 256) + 20 * 128 * 512)  # kv + score, F32: 11.64 MiB
    assert kv_cache_bytes(flash, Workload(context=ctx)) == raw + compressed + state
    assert compressed / GIB == pytest.approx(6.719, abs=0.001)  # 6,880 B per token of context at F16
    # a short context still holds 256 cells per compressed cache
    small = kv_cache_bytes(flash, Workload(context=4096))
    assert small == 43 * 768 * 1024 + 21 * 1024 * 1280 + 20 * 256 * 1024 + state
    assert kv_cache_bytes(flash, Workload(context=4096, kv_cache="q8_0")) < small
    # vLLM: FP8 entries of 584 B in 576-B-aligned pages; a block id addresses every group's page (stride: 21 ×
    # (37,440 + 8,640) + 20 × 1,728 = 1,002,240 B); a 1M request holds 4,096 compressed blocks plus its reservation
    # for the window and 2,048 tokens in flight (2 × 35 + 515 + 273 blocks): 4,954 blocks, 4.62 GiB.
    assert kv_cache_bytes(flash, Workload(context=ctx), runtime="vllm") == 4954 * 1_002_240
    assert kv_cache_bytes(flash, Workload(context=ctx, kv_cache="f16"), runtime="vllm") == 4954 * 1_002_240


def test_deepseek_v4_with_sequences_tensor_parallel_and_the_catalogs_letters():
    from dataclasses import replace

    from catalog.hf_config import COMPRESS_CODES
    from planner.engine.types import COMPRESS_RATIOS

    flash = arch_from_config("deepseek-ai/DeepSeek-V4-Flash")
    one, two = Workload(context=8192), Workload(context=8192, batch=2)
    # llama.cpp, one unified stream: two sequences share pad256(16384) compressed cells and a window of
    # pad256(2 × 128 + 512) cells; the compressor state is one stream's
    state = 2 * 4 * (21 * 8 * (1024 + 256) + 20 * 128 * 512)
    assert kv_cache_bytes(flash, two) == 43 * 768 * 1024 + 21 * 4096 * 1280 + 20 * 256 * 1024 + state
    # --swa-full keeps every raw key of the context
    assert llamacpp_kv_bytes(flash, one, swa_full=True) == 43 * 8192 * 1024 + 21 * 2048 * 1280 + 20 * 256 * 1024 + state
    # vLLM: each request its own blocks; the single KV head replicated on every tensor-parallel rank
    assert kv_cache_bytes(flash, two, "vllm") == 2 * kv_cache_bytes(flash, one, "vllm")
    assert kv_cache_bytes(flash, one, "vllm", tp=4) == 4 * kv_cache_bytes(flash, one, "vllm")
    # the catalog's layer letters and the engine's compression ratios are one mapping
    assert {COMPRESS_RATIOS[LAYER_LETTERS[code]] for ratio, code in COMPRESS_CODES.items() if ratio} == {4, 128}
    assert all(COMPRESS_RATIOS[LAYER_LETTERS[code]] == ratio for ratio, code in COMPRESS_CODES.items() if ratio)
    # a design that says "csa" must be built of its layers, not silently cache nothing
    with pytest.raises(EngineError, match="window-only, CSA or HCA"):
        kv_cache_bytes(replace(flash, layer_kinds=("full",) * 43), one)


def test_every_mixture_of_experts_reads_about_its_published_active_parameters():
    """The engine solves the routed experts from the published total and active counts; what a token passes
    through comes out within 10 % of the published active figure for every catalog MoE (DeepSeek V4 read 18.7 B
    of its 13 B while its attention was priced as plain multi-head projections)."""
    from planner.engine.weights import active_params

    checked = 0
    for fields in FIXTURE_LLMS.values():
        arch = llm_to_arch(LLM(**{k: v for k, v in fields.items() if k != "tags"}))
        if arch.unsupported or not (arch.is_moe and arch.params_active and arch.params_total):
            continue
        assert active_params(arch) == pytest.approx(arch.params_active, rel=0.10), arch.name
        checked += 1
    assert checked > 40


# --- every seed model against its own config.json ---------------------------------------------------


def _kv_values_per_token(config: dict) -> int:
    """An independent reading of a config: values cached per token over the layers whose cache grows
    with the context (full attention), at one value per element."""
    tc = {**config, **config["text_config"]} if isinstance(config.get("text_config"), dict) else config
    encoders = ("Bert", "Roberta", "NewModel", "Bidirectional")
    if (
        any(e in a for a in tc.get("architectures") or [] for e in encoders)
        or tc.get("use_bidirectional_attention") is True
    ):
        return 0  # an encoder: llama.cpp and vLLM keep no KV cache for it
    n = tc.get("num_hidden_layers") or tc.get("n_layer") or tc.get("num_layers") or len(tc["layers_block_type"])
    if tc.get("linear_attn_config"):
        full = [i + 1 in tc["linear_attn_config"]["full_attn_layers"] for i in range(n)]
    elif tc.get("layer_types"):
        full = [t == "full_attention" for t in tc["layer_types"]]
    elif tc.get("hybrid_override_pattern"):
        full = [c == "*" for c in tc["hybrid_override_pattern"]]
    elif tc.get("layers_block_type"):
        full = [b == "attention" for b in tc["layers_block_type"]]
    elif tc.get("full_attention_interval"):  # Qwen3-Next: every 4th layer full, the rest gated DeltaNet
        full = [(i + 1) % tc["full_attention_interval"] == 0 for i in range(n)]
    elif tc.get("model_type") == "gemma2":  # alternating sliding / global
        full = [i % 2 == 1 for i in range(n)]
    elif str(tc.get("model_type")).startswith("gemma3"):  # every 6th layer global unless the config says
        full = [(i + 1) % (tc.get("sliding_window_pattern") or 6) == 0 for i in range(n)]
    elif tc.get("attention_chunk_size") and tc["model_type"].startswith("llama4"):  # every 4th layer is global
        full = [(i + 1) % 4 == 0 for i in range(n)]
    elif tc.get("hybrid_layer_pattern"):
        full = [c == 0 for c in tc["hybrid_layer_pattern"]]
    else:
        full = [True] * n
    if tc.get("compress_ratios"):  # DeepSeek V4: per token, a compressed key per ratio tokens (+ CSA's indexer key)
        ratios = tc["compress_ratios"][:n]
        return sum((tc["head_dim"] + (tc["index_head_dim"] if r == 4 else 0)) // r for r in ratios if r)
    shared = tc.get("num_kv_shared_layers") or 0
    full = [f and i < n - shared for i, f in enumerate(full)]
    if tc.get("kv_lora_rank"):
        return sum(full) * (tc["kv_lora_rank"] + tc["qk_rope_head_dim"] + (tc.get("index_head_dim") or 0))
    q_heads = tc.get("num_attention_heads") or tc["n_head"]
    heads = (
        tc.get("num_global_key_value_heads")
        or tc.get("num_key_value_heads")
        or tc.get("num_kv_heads")
        or tc.get("n_head_kv")
        or (tc.get("multi_query_group_num") if tc.get("multi_query_attention") else None)
        or tc.get("num_attention_groups")
        or (1 if tc.get("multi_query") else q_heads)
    )
    width = tc.get("hidden_size") or tc.get("n_embd") or tc["n_embed"]  # n_embed: BLOOM
    k = tc.get("global_head_dim") or tc.get("head_dim") or tc.get("kv_channels") or width // q_heads
    v = tc.get("v_head_dim") or k
    return sum(full) * heads * (k + v)


SEED_ROWS = [r for r in read_csv(FIXTURE_SOURCE_DIR / seed_models.MODELS_CSV)]
FIXTURE_LLMS = {
    o["fields"]["hf_repo_id"]: o["fields"] for o in json.loads((FIXTURE_SOURCE_DIR.parent / "04_llms.json").read_text())
}


WITH_CONFIG = sorted(r for r in FIXTURE_LLMS if seed_models.config_path(FIXTURE_SOURCE_DIR, r).exists())


@pytest.mark.parametrize("repo_id", WITH_CONFIG)
def test_kv_per_token_of_every_catalog_model_matches_its_own_config(repo_id):
    """The seeded row (as the site sizes it) against an independent reading of the model's config.json."""
    config = json.loads(seed_models.config_path(FIXTURE_SOURCE_DIR, repo_id).read_text())
    text = config.get("text_config") or config
    if "num_attention_heads" not in text and "n_head" not in text:
        pytest.skip("this config leaves its attention shape to transformers' defaults")
    fields = {k: v for k, v in FIXTURE_LLMS[repo_id].items() if k != "tags"}
    arch = llm_to_arch(LLM(**fields))
    if arch.unsupported:
        pytest.skip(f"refused: {arch.unsupported}")
    small, large = 1 << 20, 1 << 21  # beyond every window, so only full layers grow
    grown = kv_cache_bytes(arch, Workload(context=large)) - kv_cache_bytes(arch, Workload(context=small))
    assert grown // small == _kv_values_per_token(config) * 2  # f16


def test_the_seed_configs_are_the_ones_models_csv_names():
    names = {p.name for p in CONFIGS.glob("*.json")}
    assert {seed_models.config_path(FIXTURE_SOURCE_DIR, r["hf_repo_id"]).name for r in SEED_ROWS} <= names
    assert all(r["config_source"] for r in SEED_ROWS)
    assert Path(CONFIGS).is_dir()


def test_short_convolution_state_matches_an_lfm2_log():
    # Public llama.cpp log of an LFM2-1.2B-class model (16 layers: 6 attention + 10 short-conv, n_embd 2048,
    # conv_L_cache 3): "llama_memory_recurrent: ... R (f32): 0.16 MiB, S (f32): 0.00 MiB"
    state = recurrent_state("short_conv", {"l_cache": 3, "hidden_size": 2048})
    assert (state.conv_values * 4 * 10 / MIB, state.state_values) == (pytest.approx(0.16, abs=0.005), 0)


def test_rwkv_state_is_token_shifts_plus_an_embd_by_head_matrix():
    state = recurrent_state("rwkv", {"hidden_size": 2048, "head_size": 64, "token_shift_count": 2})
    assert (state.conv_values, state.state_values) == (2 * 2048, 2048 * 64)


def test_an_unknown_recurrent_design_is_refused():
    with pytest.raises(EngineError, match="not supported"):
        recurrent_state("lightning", {})
