"""Seed models whose architecture is read from their own ``config.json``.

``fixtures/source/configs/<org>--<name>.json`` are verbatim copies of the models' config files, and
``fixtures/source/models.csv`` holds, per repository, what a config does not say (name, family,
developer, release date, licence, published parameter counts, Ollama tag, GGUF repository) with the
source of the copy and of each fact. The config goes through the same parser as the Hub refresh
(catalog/hf_config.py), so a seed model and an imported one are described alike.
"""

import json
import re
from pathlib import Path

from catalog.config_params import config_params, skipped_expert_params
from catalog.hf_config import WINDOWED_CODES, architecture_fields, attention_kind, layer_mix

MODELS_CSV = "models.csv"
CONFIG_DIR = "configs"
# Published checkpoints of a model in another format are quantizations of it, not models of their own.
FORMAT_VARIANT = re.compile(r"[-_](FP8|NVFP4|FP4|AWQ|GPTQ|INT4|INT8|MXFP4|W4A16|W8A8)([-_].*)?$", re.IGNORECASE)


def config_path(source_dir: Path, repo_id: str) -> Path:
    return source_dir / CONFIG_DIR / (repo_id.replace("/", "--") + ".json")


def is_format_variant(repo_id: str) -> bool:
    return bool(FORMAT_VARIANT.search(repo_id.split("/", 1)[-1]))


# The catalog format a format-variant repository's name states, when its config does not say (NVIDIA's
# FP8/NVFP4 releases of Nemotron and DeepSeek, GLM-4.7-FP8).
VARIANT_FORMATS = {
    "FP8": "FP8",
    "NVFP4": "NVFP4 (nvfp4)",
    "FP4": "NVFP4 (nvfp4)",
    "MXFP4": "MXFP4",
    "AWQ": "AWQ-4bit-g128",
    "GPTQ": "GPTQ-4bit-g128",
}


def variant_format(repo_id: str) -> str:
    match = FORMAT_VARIANT.search(repo_id.split("/", 1)[-1])
    return VARIANT_FORMATS.get(match.group(1).upper(), "") if match else ""


def variant_base(repo_id: str) -> str:
    """The model a format variant quantizes, by name without the org ("Qwen3-32B" for nvidia/Qwen3-32B-NVFP4)."""
    return FORMAT_VARIANT.sub("", repo_id.split("/", 1)[-1]).lower()


def load_config(source_dir: Path, repo_id: str) -> dict:
    with open(config_path(source_dir, repo_id), encoding="utf-8") as handle:
        return json.load(handle)


# "35B-A3B", "2.4T-A95B", "27B": the size a developer publishes in the repository name (total, active).
# Not "8x7B" (experts × expert size), "17B-16E" (Llama 4 names its active size), "A13B" (Hunyuan: active
# only), "E2B" (Gemma: effective size) nor "1_6b": a size glued to a letter or digit says something else.
NAME_SIZE = re.compile(
    r"(?<![A-Za-z\d.])(?<!\d_)(\d+(?:\.\d+)?)([BT])(?:-A(\d+(?:\.\d+)?)B)?(?![a-z])(?!-\d+E)", re.IGNORECASE
)


def name_params(repo_id: str) -> tuple[int | None, int | None]:
    """(total, active) parameters as the repository name states them, rounded as published."""
    match = NAME_SIZE.search(repo_id.split("/", 1)[-1])
    if not match:
        return None, None
    scale = 1e12 if match.group(2).upper() == "T" else 1e9
    total = round(float(match.group(1)) * scale)
    return total, round(float(match.group(3)) * 1e9) if match.group(3) else None


def _billions(value: str) -> int | None:
    value = (value or "").strip()
    return round(float(value) * 1e9) if value else None


PARAMS_FROM_CONFIG = "parameters: counted tensor by tensor from config.json (catalog/config_params.py)"
PARAMS_FROM_NAME = "parameters: the size its repository name states"
ACTIVE_FROM_CONFIG = "active parameters: counted from config.json (the routed experts a token skips)"
SAME_COUNT = 0.02  # a published total this close to the tensors' count counts the same tensors (rounding aside)


def model_params(row: dict, config: dict) -> tuple[int | None, int | None, str]:
    """(total, active, basis): the published counts of the row first, then the count of the config's tensors
    (catalog/config_params.py, exact for the designs it models), then the size the repository name states.
    A published total without an active count gets the routed experts a token skips subtracted. ``basis`` is
    what the model's source says of it ("" when both counts are published)."""
    total, active = _billions(row["params_total_b"]), _billions(row["params_active_b"])
    counted = config_params(config, lm_head=(row.get("task") or "generation") == "generation")
    if total is not None:
        if active is None and counted is None and (skipped := skipped_expert_params(config)):
            # A design whose other tensors are not counted here (Step 3.5's per-layer attention): the experts a token
            # skips still follow from the config's expert layout.
            active = total - skipped
            return total, active if 0 < active < total else None, ACTIVE_FROM_CONFIG
        if active is None and counted and counted[1] is not None:
            # A total within 2 % of the tensors' count counts the same things: take the experts a token skips off it.
            # One that counts more (a vision encoder, MTP layers, the Hub's count of a packed GPTQ file) does not
            # tell the active count: the tensors' own is it.
            same = abs(total / counted[0] - 1) <= SAME_COUNT
            active = total - (counted[0] - counted[1]) if same else counted[1]
            return total, active if 0 < active < total else None, ACTIVE_FROM_CONFIG
        return total, active, ""
    if counted:
        return counted[0], counted[1], PARAMS_FROM_CONFIG
    total, active = name_params(row["hf_repo_id"])
    return total, active, PARAMS_FROM_NAME if total else ""


REQUIRED = ("num_layers", "hidden_size", "num_attention_heads", "vocab_size")
# Why a MoE or hybrid without a published parameter count is not sized (its weights are solved from the count).
NO_PARAMS_REASON = "a model whose parameter count we have no source for"


def config_llm_fields(row: dict, config: dict) -> dict | None:
    """LLM fixture fields for one models.csv row and its config.json; None when the config does not state
    what every catalog model needs (layers, width, heads, vocabulary, and a context here or in the row)."""
    arch = architecture_fields(config)
    if not all(arch.get(k) for k in REQUIRED) or not (arch.get("max_context") or row["context"].strip()):
        return None
    pattern = arch.get("layer_pattern", "")
    attention = attention_kind(arch)
    moe = bool(arch.get("num_experts"))
    total, active, _basis = model_params(row, config)
    if not moe or (active and total and active >= total):
        active = None
    reason = arch.get("unsupported_reason", "")
    hybrid = bool(set(pattern) & {"R", "N"})
    if (moe or hybrid) and not total and not reason:  # the weights are solved from the published count
        reason = NO_PARAMS_REASON
    window = arch.get("sliding_window") if set(pattern) & WINDOWED_CODES or attention == "swa-hybrid" else None
    return {
        "architecture": "moe" if moe else "dense",
        "params_total": total,
        "params_active": active,
        "num_layers": arch["num_layers"],
        "hidden_size": arch["hidden_size"],
        "intermediate_size": arch.get("intermediate_size"),
        "num_attention_heads": arch["num_attention_heads"],
        "num_kv_heads": arch.get("num_kv_heads") or arch["num_attention_heads"],
        "head_dim": arch.get("head_dim") if attention != "mla" else None,
        "vocab_size": arch["vocab_size"],
        "max_context": arch.get("max_context") or int(row["context"]),
        "tied_embeddings": arch.get("tied_embeddings", False),
        "num_experts": arch.get("num_experts") if moe else None,
        "num_experts_per_token": arch.get("num_experts_per_token") if moe else None,
        "attention": attention,
        "window_kind": ("chunked" if "C" in pattern else "sliding") if window else "",
        "sliding_window": window,
        "swa_local_layers": arch.get("swa_local_layers") if window else None,
        "swa_global_layers": arch.get("swa_global_layers") if window else None,
        "swa_pattern_text": layer_mix(pattern)[:120],
        "mla_kv_lora_rank": arch.get("mla_kv_lora_rank"),
        "mla_rope_dim": arch.get("mla_rope_dim"),
        "layer_pattern": pattern,
        "recurrent": arch.get("recurrent", {}),
        "head_dim_v": arch.get("head_dim_v"),
        "global_kv_heads": arch.get("global_kv_heads"),
        "global_head_dim": arch.get("global_head_dim"),
        "indexer_head_dim": arch.get("indexer_head_dim"),
        "unsupported_reason": reason[:200],
        "task": row.get("task") or "generation",
        "causal": arch.get("causal", True),
        "gated_ffn": arch.get("gated_ffn", True),
        "vision": arch.get("vision", {}),
        "native_quant": arch.get("native_quant") or variant_format(row["hf_repo_id"]),
        "model_type": arch.get("model_type", ""),
        "first_dense_layers": arch.get("first_dense_layers", 0) if moe else 0,
    }
