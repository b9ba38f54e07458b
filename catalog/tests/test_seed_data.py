import pytest

from catalog.seed_data import _swa_split, gpu_slug, llm_tags, quality_pct


def test_gpu_slug_does_not_repeat_the_vendor():
    assert gpu_slug("NVIDIA", "GeForce RTX 4090") == "nvidia-geforce-rtx-4090"
    assert gpu_slug("Apple", "Apple M1 (8 GB unified)") == "apple-m1-8-gb-unified"


def test_swa_pattern_is_read_as_local_to_global_layers():
    assert _swa_split("5 local : 1 global") == (5, 1, "sliding")
    assert _swa_split("3 chunked-local (8192) : 1 global NoPE") == (3, 1, "chunked")
    assert _swa_split("1 sliding (128) : 1 full (alternating layer_types)") == (1, 1, "sliding")
    assert _swa_split("") == (None, None, "")


def test_quality_is_the_perplexity_ratio_to_the_same_series_baseline():
    row = {"ppl_llama3_8b": "6.407115", "ppl_f16_baseline": "6.233160"}
    assert quality_pct(row) == 97.28
    assert quality_pct({"ppl_llama3_8b": "", "ppl_f16_baseline": "6.2"}) is None


def test_distilled_reasoning_models_get_their_tags():
    tags = llm_tags({"hf_repo_id": "deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "architecture": "dense"})
    assert "distilled" in tags and "reasoning" in tags


def test_r1_distills_are_chat_models_not_base():
    tags = llm_tags({"hf_repo_id": "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B", "architecture": "dense"})
    assert "chat" in tags and "base" not in tags
    assert "base" in llm_tags({"hf_repo_id": "meta-llama/Llama-3.1-8B", "architecture": "dense"})


@pytest.mark.parametrize(
    "repo, expected",
    [
        ("Qwen/Qwen3.5-35B-A3B", (35_000_000_000, 3_000_000_000)),
        ("Qwen/Qwen3.8-2.4T-A95B", (2_400_000_000_000, 95_000_000_000)),
        ("dunzhang/stella_en_1.5B_v5", (1_500_000_000, None)),
        ("mistralai/Mixtral-8x7B-v0.1", (None, None)),  # experts × expert size, not a total
        ("meta-llama/Llama-4-Scout-17B-16E-Instruct", (None, None)),  # the active size
        ("tencent/Hunyuan-A13B-Instruct", (None, None)),  # active only
        ("google/gemma-4-E2B-it", (None, None)),  # an effective size
        ("stabilityai/stablelm-2-zephyr-1_6b", (None, None)),
    ],
)
def test_sizes_stated_in_repository_names(repo, expected):
    from catalog.seed_models import name_params

    assert name_params(repo) == expected


def test_moe_configs_name_their_experts_and_kv_groups_their_own_way():
    from catalog.hf_config import architecture_fields

    step = {
        "num_hidden_layers": 48,
        "hidden_size": 4096,
        "num_attention_heads": 64,
        "num_attention_groups": 8,
        "vocab_size": 128896,
        "moe_num_experts": 288,
        "moe_top_k": 8,
    }
    fields = architecture_fields(step)
    assert (fields["num_experts"], fields["num_experts_per_token"], fields["num_kv_heads"]) == (288, 8, 8)


def test_a_format_block_must_give_its_bits_per_weight():
    from catalog.seed_data import format_blocks

    gptq = {
        "name": "GPTQ-4bit-g128",
        "format_family": "gptq",
        "base_ggml_type": "",
        "block_weights": "128",
        "block_bytes": "66.5",
        "nominal_bpw": "4.15625",
    }
    assert format_blocks(gptq) == {"base_type": "", "block_weights": 128, "block_bytes": 66.5}
    with pytest.raises(ValueError, match="bits per weight"):
        format_blocks({**gptq, "nominal_bpw": "4.2"})
