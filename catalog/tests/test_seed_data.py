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
