"""Parameter counts read off config.json (catalog/config_params.py) against what publishers state."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from catalog import seed_models
from catalog.config_params import config_params

SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source"


def _config(repo_id: str) -> dict:
    return seed_models.load_config(SOURCE, repo_id)


@pytest.mark.parametrize(
    ("repo_id", "total", "active"),
    [
        # Mistral's announcement states 46.7B total and 12.9B used per token.
        ("mistralai/Mixtral-8x7B-Instruct-v0.1", 46_702_792_704, 12_879_925_248),
        # DeepSeek-V3's report: 671B total, 37B activated (its 14B multi-token-prediction module left out).
        ("deepseek-ai/DeepSeek-V3", 671_026_404_352, 37_552_282_624),
        ("meta-llama/Llama-3.1-8B-Instruct", 8_030_261_248, None),  # the Hub's safetensors count: 8,030,261,248
        ("zai-org/GLM-4.7-Flash", 29_943_390_976, 3_896_763_136),  # MLA, one dense layer, a shared expert
    ],
)
def test_golden_counts(repo_id, total, active):
    assert config_params(_config(repo_id)) == (total, active)


# Published figures that count something else than the language model's own tensors, each with the reason.
COUNTS_OTHER_THINGS = {
    "Qwen/Qwen3-0.6B": "the Hub's safetensors count, which stores the tied output head again (Qwen's card: 0.6B)",
    "Qwen/Qwen3-1.7B": "the Hub's safetensors count, which stores the tied output head again (Qwen's card: 1.7B)",
    "google/gemma-3-4b-it": "includes the 0.4B SigLIP vision encoder",
    "google/gemma-3-27b-it": "includes the 0.4B SigLIP vision encoder",
    "deepseek-ai/DeepSeek-OCR-2": "includes the vision encoder",
    "meta-models/Muse-Glimmer-30B": "includes the vision encoder",
    "microsoft/phi-4": "stated as 14B; the tensors hold 14.66B",
    "Qwen/Qwen-7B": "stated as 7B on its card; the tensors hold 7.72B (QWenMLP at intermediate_size // 2)",
    "poolside/Laguna-XS.2-FP8": "stated as 33B; the tensors hold 33.94B",
}


def test_counts_agree_with_every_published_total():
    """Every model with a config copy and a total its publisher states (not one read from its repository name):
    the count of the config's tensors is within 1.5 % of it, or of the rounding of a figure like "14B" (at most 5 %)."""
    checked, misses = 0, []
    for obj in json.loads((Path(settings.BASE_DIR) / "fixtures" / "04_llms.json").read_text()):
        fields = obj["fields"]
        path = seed_models.config_path(SOURCE, fields["hf_repo_id"])
        if not path.exists() or not fields["params_total"] or seed_models.PARAMS_FROM_NAME in fields["source"]:
            continue
        if seed_models.PARAMS_FROM_CONFIG in fields["source"] or fields["hf_repo_id"] in COUNTS_OTHER_THINGS:
            continue
        counted = config_params(_config(fields["hf_repo_id"]))
        if counted is None:
            continue
        published = fields["params_total"]
        rounding = 0.5 * 10 ** (len(str(published)) - len(str(published).rstrip("0"))) / published
        checked += 1
        if abs(counted[0] / published - 1) > max(0.015, min(rounding, 0.05)):  # "1B" may not mean 1.5B
            misses.append((fields["hf_repo_id"], published, counted[0]))
    assert checked >= 50 and not misses, misses


def test_designs_it_does_not_model_give_none():
    """A hybrid stack, Llama 4's interleaved MoE and Gemma 4's per-layer embeddings are left to published counts."""
    for repo_id in (
        "Qwen/Qwen3-Next-80B-A3B-Instruct",
        "meta-llama/Llama-4-Scout-17B-16E-Instruct",
        "google/gemma-4-E2B-it",
        "stepfun-ai/Step-3.5-Flash",
    ):
        assert config_params(_config(repo_id)) is None, repo_id
    assert config_params({"num_hidden_layers": 2}) is None
    assert (
        config_params(
            {
                "model_type": "phi",
                "num_hidden_layers": 2,
                "hidden_size": 8,
                "vocab_size": 10,
                "num_attention_heads": 2,
                "intermediate_size": 16,
            }
        )
        is None
    )  # ungated MLP


def test_seed_takes_published_counts_first_then_the_config_then_the_name():
    mixtral = {"hf_repo_id": "mistralai/Mixtral-8x7B-Instruct-v0.1", "params_total_b": "", "params_active_b": ""}
    config = _config(mixtral["hf_repo_id"])
    assert seed_models.model_params(mixtral, config) == (46_702_792_704, 12_879_925_248, seed_models.PARAMS_FROM_CONFIG)
    published = {**mixtral, "params_total_b": "46.7", "params_active_b": "12.9"}
    assert seed_models.model_params(published, config) == (46_700_000_000, 12_900_000_000, "")
    total_only = {**mixtral, "params_total_b": "46.7"}
    counted_total, counted_active = config_params(config)
    skipped = counted_total - counted_active  # the routed experts a token does not pass through
    assert seed_models.model_params(total_only, config) == (
        46_700_000_000,
        46_700_000_000 - skipped,
        seed_models.ACTIVE_FROM_CONFIG,
    )
    unknown = {"hf_repo_id": "someone/Hybrid-35B-A3B", "params_total_b": "", "params_active_b": ""}
    assert seed_models.model_params(unknown, {"hybrid_override_pattern": "M*", "num_hidden_layers": 2}) == (
        35_000_000_000,
        3_000_000_000,
        seed_models.PARAMS_FROM_NAME,
    )


def test_tied_embeddings_follow_the_config_class_default():
    """Gemma, Cohere, SmolLM3, StarCoder2, Falcon and LFM2 configs that leave tie_word_embeddings out are tied, as
    transformers builds them: the output head is not a second copy of the embedding."""
    from catalog.hf_config import architecture_fields

    assert architecture_fields(_config("google/gemma-2b-it"))["tied_embeddings"] is True
    assert architecture_fields(_config("CohereForAI/aya-23-8B"))["tied_embeddings"] is True
    assert architecture_fields({"model_type": "lfm2", "tie_embedding": False})["tied_embeddings"] is False
    assert "tied_embeddings" not in architecture_fields({"model_type": "llama"})


def test_a_design_not_counted_still_gives_the_experts_a_token_skips():
    """Step 3.5 Flash's per-layer attention keeps config_params out, but its expert layout is explicit
    (moe_layers_enum: layers 3-44; 288 experts of width 1280, top 8), so its published total gets an active count:
    42 × (288 - 8) × 3 × 4096 × 1280 routed weights skipped per token."""
    from catalog.config_params import skipped_expert_params

    step = _config("stepfun-ai/Step-3.5-Flash")
    assert config_params(step) is None
    assert skipped_expert_params(step) == 42 * 280 * 3 * 4096 * 1280
    row = {"params_total_b": "199.4", "params_active_b": "", "task": "generation", "hf_repo_id": "x/y"}
    total, active, basis = seed_models.model_params(row, step)
    assert (total, active) == (199_400_000_000, 199_400_000_000 - 42 * 280 * 3 * 4096 * 1280)
    assert basis == seed_models.ACTIVE_FROM_CONFIG
    mixtral = _config("mistralai/Mixtral-8x7B-Instruct-v0.1")  # the same rule config_params applies
    assert config_params(mixtral)[1] == config_params(mixtral)[0] - skipped_expert_params(mixtral)
