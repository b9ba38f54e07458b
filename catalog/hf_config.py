"""A Hugging Face ``config.json`` -> the catalog's architecture fields. Pure: no I/O, no ORM.

One parser for every path a config arrives by: the seed fixtures (``fixtures/source/configs``), the
Hub refresh and ``import_model``. Multimodal configs keep the language model under ``text_config``.

Layers are described by ``layer_pattern``, one letter per layer: F full attention, S sliding window,
C chunked local attention, R recurrent (a fixed-size state: gated DeltaNet, Mamba, short
convolutions, RWKV), N no cache of its own (an FFN-only layer, or one that reuses an earlier layer's
K/V). A design this parser cannot describe faithfully gets ``unsupported_reason`` instead of numbers.
"""

from math import gcd
from typing import Any

# config.json keys per catalog field, first found wins (text_config first for multimodal configs).
CONFIG_KEYS = {
    "num_layers": ("num_hidden_layers", "n_layer", "num_layers"),
    "hidden_size": ("hidden_size", "n_embd", "n_embed", "d_model"),  # n_embed: BLOOM
    "num_attention_heads": ("num_attention_heads", "n_head"),
    # ChatGLM2/3 multi-query attention: multi_query_group_num KV heads of kv_channels each
    # ... and Step 3.5's num_attention_groups (its GQA KV groups)
    "num_kv_heads": (
        "num_key_value_heads",
        "num_kv_heads",
        "n_head_kv",
        "multi_query_group_num",
        "num_attention_groups",
    ),
    "head_dim": ("head_dim", "kv_channels"),
    "vocab_size": ("vocab_size", "padded_vocab_size"),
    "max_context": ("max_position_embeddings", "max_sequence_length", "seq_length", "n_positions", "model_max_length"),
    "tied_embeddings": ("tie_word_embeddings",),
    "num_experts": ("num_local_experts", "num_experts", "n_routed_experts", "moe_num_experts"),
    "num_experts_per_token": ("num_experts_per_tok", "moe_top_k", "top_k_experts"),
    "first_dense_layers": ("first_k_dense_replace",),  # DeepSeek/Kimi/GLM MoE: leading layers with a dense FFN
    "mla_kv_lora_rank": ("kv_lora_rank",),
    "mla_rope_dim": ("qk_rope_head_dim",),
}

LAYER_TYPE_CODES = {
    "full_attention": "F",
    "attention": "F",
    "global_attention": "F",
    "full": "F",
    "sliding_attention": "S",
    "sliding": "S",
    "local_attention": "S",
    "chunked_attention": "C",
    "linear_attention": "R",
    "mamba": "R",
    "mamba2": "R",
    "conv": "R",
    "short_conv": "R",
}
# Nemotron-H hybrid_override_pattern: M Mamba-2, * attention, - MLP only, E MoE only; the same
# blocks spelled out in Nemotron 3's layers_block_type.
NEMOTRON_CODES = {"M": "R", "*": "F", "-": "N", "E": "N"}
BLOCK_TYPE_CODES = {"mamba": "R", "attention": "F", "mlp": "N", "moe": "N"}
# MiMo-V2 hybrid_layer_pattern: 1 sliding-window attention, 0 full attention.
MIMO_CODES = {1: "S", 0: "F"}
# Layer codes whose layers keep a window of recent tokens (DeepSeek V4's compressed layers keep raw keys too).
WINDOWED_CODES = frozenset("SCKH")
# DeepSeek V4 compress_ratios (one per layer, then the MTP layers'): 0 a window of raw keys only, 4 CSA, 128 HCA.
COMPRESS_CODES = {0: "S", 4: "K", 128: "H"}
# Designs whose cache is not (yet) one of the above, by model_type or by a key only they have.
UNSUPPORTED_MODEL_TYPES = {
    "falcon_h1": "Falcon-H1's parallel attention and Mamba-2 layers",
    "minimax_text_01": "MiniMax lightning attention",
    "minimax_m1": "MiniMax lightning attention",
}
UNSUPPORTED_KEYS = {
    "sparse_attention_config": "MiniMax sparse attention",
    "block_configs": "per-layer attention blocks (DeciLM / Nemotron NAS)",
}
# Encoders attend both ways and keep no KV cache between calls (llama.cpp's llama_model::create_memory makes
# none for BERT, NomicBERT, JinaBERT, ModernBERT, NeoBERT and Gemma-embedding; they only embed or rerank).
ENCODER_MARKERS = ("Bert", "Roberta", "NewModel", "NeoBERT")  # in the architectures' class names
# Decoders whose MLP has two matrices (up, down) and no gate, by model_type (transformers' modeling files:
# PhiMLP fc1/fc2, GPTJMLP fc_in/fc_out, GPTNeoXMLP dense_h_to_4h/dense_4h_to_h, Starcoder2MLP c_fc/c_proj,
# FalconMLP, BloomMLP, GPTBigCode, MPT, OPT, CodeGen, Persimmon; NemotronMLP up_proj/down_proj with ReLU², as vLLM's
# model_executor/models/nemotron.py builds it); every other decoder here is gated.
UNGATED_MODEL_TYPES = {
    "phi",
    "phi-msft",
    "mixformer-sequential",
    "gptj",
    "gpt_neox",
    "gpt2",
    "starcoder2",
    "falcon",
    "bloom",
    "gpt_bigcode",
    "mpt",
    "opt",
    "codegen",
    "persimmon",
    "nemotron",
}
DTYPE_BYTES = {"float32": 4, "fp32": 4, "bfloat16": 2, "float16": 2, "bf16": 2, "fp16": 2}


# What transformers assumes for a key a config.json leaves out, for model types whose published configs rely on
# it (Gemma 3's state neither heads, head width, vocabulary nor context): the config class's __init__ defaults.
CLASS_DEFAULTS: dict[str, dict[str, Any]] = {
    # huggingface/transformers src/transformers/models/gpt2/configuration_gpt2.py, GPT2Config(n_inner=None): the MLP
    # is then 4 × n_embd wide (GPT2Block: inner_dim = config.n_inner if not None else 4 * hidden_size)
    # Nor do GPT2Config, OPTConfig and BloomConfig override PretrainedConfig's tie_word_embeddings=True: their LM heads
    # are the token embedding (GPT2LMHeadModel, OPTForCausalLM, BloomForCausalLM: _tied_weights_keys lm_head.weight).
    "gpt2": {"n_inner": None, "tie_word_embeddings": True},
    "opt": {"tie_word_embeddings": True},
    "bloom": {"tie_word_embeddings": True},
    # huggingface/transformers@008f5c8c29be src/transformers/models/gemma3/configuration_gemma3.py, Gemma3TextConfig
    "gemma3_text": {
        "vocab_size": 262_208,
        "hidden_size": 2304,
        "intermediate_size": 9216,
        "num_hidden_layers": 26,
        "num_attention_heads": 8,
        "num_key_value_heads": 4,
        "head_dim": 256,
        "max_position_embeddings": 131_072,
        "tie_word_embeddings": True,
        "sliding_window": 4096,
        "sliding_window_pattern": 6,
    },
    # Whether the output head shares the token embedding, for model types whose published configs leave it out:
    # huggingface/transformers@008e574391 src/transformers/models/<type>/configuration_<type>.py
    # (GemmaConfig, Gemma2Config, CohereConfig, SmolLM3Config, Starcoder2Config: tie_word_embeddings = True);
    # FalconConfig does not override PretrainedConfig's default of True (@055855363e configuration_falcon.py);
    # Lfm2Config defaults to True and reads the key tie_embedding too (@05cd1ec14d configuration_lfm2.py).
    "gemma": {"tie_word_embeddings": True},
    "gemma2": {"tie_word_embeddings": True},
    "cohere": {"tie_word_embeddings": True},
    "smollm3": {"tie_word_embeddings": True},
    "starcoder2": {"tie_word_embeddings": True},
    "falcon": {"tie_word_embeddings": True},
    "lfm2": {"tie_word_embeddings": True},
}
KEY_ALIASES = {"lfm2": {"tie_embedding": "tie_word_embeddings"}}  # a model type's own name for a standard key


def text_config(config: dict) -> dict:
    """The language model's config: ``text_config`` of a multimodal config, else the config itself; keys its
    model type's config class supplies by default (CLASS_DEFAULTS) filled in where the file leaves them out."""
    if not isinstance(config, dict):
        raise ValueError("config.json is not an object")
    inner = config.get("text_config")
    if inner is None:
        merged = config
    elif not isinstance(inner, dict):
        raise ValueError("text_config is not an object")
    else:
        merged = {**{k: v for k, v in config.items() if k != "text_config"}, **inner}
    model_type = str(merged.get("model_type", ""))
    for alias, key in KEY_ALIASES.get(model_type, {}).items():
        if alias in merged and key not in merged:
            merged = {**merged, key: merged[alias]}
    defaults = CLASS_DEFAULTS.get(model_type)
    merged = {**defaults, **merged} if defaults else merged
    for key, limit in SIZE_LIMITS.items():  # before anything is built per layer or per head from them
        value = merged.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > limit:
            raise ValueError(f"{key} = {value} is beyond any real model (at most {limit:,})")
    return merged


# Ceilings far above any published model (the largest have ~100 layers, ~20,000 width, ~10^6 vocabulary and
# context): a config past them is garbage, and refusing it early keeps a pasted file from costing minutes of work.
SIZE_LIMITS = {
    "num_hidden_layers": 2_000,
    "n_layer": 2_000,
    "num_layers": 2_000,
    "hidden_size": 1_000_000,
    "intermediate_size": 10_000_000,
    "num_attention_heads": 100_000,
    "num_key_value_heads": 100_000,
    "vocab_size": 100_000_000,
    "max_position_embeddings": 1_000_000_000,
    "num_experts": 1_000_000,
    "num_local_experts": 1_000_000,
    "n_routed_experts": 1_000_000,
}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _first(config: dict, keys):
    for key in keys:
        if config.get(key) is not None:
            return config[key]
    return None


def layer_pattern(tc: dict, num_layers: int | None) -> tuple[str, str]:
    """(pattern letters, unsupported reason). Empty pattern: every layer is plain attention."""
    n = num_layers or 0
    pattern = ""
    layer_types = tc.get("layer_types")
    override = tc.get("hybrid_override_pattern")
    if isinstance(override, str) and override:
        if set(override) - set(NEMOTRON_CODES):
            return "", f"hybrid layer code {sorted(set(override) - set(NEMOTRON_CODES))}"
        pattern = "".join(NEMOTRON_CODES[c] for c in override)
    elif isinstance(tc.get("layers_block_type"), list) and tc["layers_block_type"]:
        blocks = [str(b) for b in tc["layers_block_type"]]
        if set(blocks) - set(BLOCK_TYPE_CODES):
            return "", f"layer block {sorted(set(blocks) - set(BLOCK_TYPE_CODES))}"
        pattern = "".join(BLOCK_TYPE_CODES[b] for b in blocks)
    elif isinstance(tc.get("hybrid_layer_pattern"), list) and tc["hybrid_layer_pattern"]:
        codes = tc["hybrid_layer_pattern"]
        if set(codes) - set(MIMO_CODES):
            return "", f"hybrid layer code {sorted(set(codes) - set(MIMO_CODES))}"
        pattern = "".join(MIMO_CODES[c] for c in codes)
    elif isinstance(layer_types, list) and layer_types:
        unknown = sorted({str(t) for t in layer_types if str(t) not in LAYER_TYPE_CODES})
        if unknown:
            return "", f"layer type {', '.join(unknown)}"
        pattern = "".join(LAYER_TYPE_CODES[str(t)] for t in layer_types)
    elif _int(tc.get("full_attention_interval")) and any(k.startswith("linear_") for k in tc):
        every = tc["full_attention_interval"]
        pattern = "".join("F" if (i + 1) % every == 0 else "R" for i in range(n))
    elif _int(tc.get("attn_layer_period")) and tc.get("attn_layer_offset") is not None:  # Jamba
        period, offset = tc["attn_layer_period"], tc["attn_layer_offset"]
        pattern = "".join("F" if i % period == offset else "R" for i in range(n))
    elif _int(tc.get("sliding_window")) and tc.get("model_type") == "gemma2":
        pattern = "".join("S" if i % 2 == 0 else "F" for i in range(n))  # transformers Gemma2: even layers slide
    elif _int(tc.get("sliding_window")) and str(tc.get("model_type", "")).startswith("gemma3"):
        every = tc.get("sliding_window_pattern") or 6  # transformers Gemma3TextConfig default: 5 sliding, 1 full
        pattern = "".join("F" if (i + 1) % every == 0 else "S" for i in range(n))
    elif _int(tc.get("attention_chunk_size")) and str(tc.get("model_type", "")).startswith("llama4"):
        # Llama 4: RoPE layers attend within chunks, NoPE layers globally. no_rope_layers[i] = 1 marks a RoPE
        # layer; absent, transformers' Llama4TextConfig makes every no_rope_layer_interval-th (4th) layer NoPE.
        rope = tc.get("no_rope_layers") or [
            int((i + 1) % (tc.get("no_rope_layer_interval") or 4) != 0) for i in range(n)
        ]
        pattern = "".join("C" if r else "F" for r in rope)
    elif isinstance(tc.get("compress_ratios"), list) and tc["compress_ratios"]:  # DeepSeek V4
        ratios = tc["compress_ratios"][:n]
        if set(ratios) - set(COMPRESS_CODES):
            return "", f"compression ratio {sorted(set(ratios) - set(COMPRESS_CODES))}"
        pattern = "".join(COMPRESS_CODES[r] for r in ratios)
    elif isinstance(tc.get("linear_attn_config"), dict):  # Kimi Linear: 1-based layer numbers per kind
        layers = tc["linear_attn_config"]
        kda, full = layers.get("kda_layers") or [], layers.get("full_attn_layers") or []
        pattern = "".join("R" if i + 1 in kda else "F" if i + 1 in full else "?" for i in range(n))
        if "?" in pattern:
            return "", "layers that are neither KDA nor full attention"
    shared = _int(tc.get("num_kv_shared_layers"))
    if shared and n:
        pattern = (pattern or "F" * n)[: n - shared] + "N" * shared
    if pattern and len(pattern) != n:
        return "", f"a layer pattern of {len(pattern)} layers for {n} layers"
    return pattern, ""


def recurrent_dims(tc: dict) -> dict | None:
    """The recurrent layers' design and dimensions (planner.engine.recurrent.DIMS), or None."""
    ssm_dtype = DTYPE_BYTES.get(
        str(
            tc.get("mamba_ssm_dtype")
            or tc.get("mamba_ssm_cache_dtype")
            or tc.get("torch_dtype")
            or tc.get("dtype")
            or "bfloat16"
        ),
        2,
    )
    if _int(tc.get("linear_num_value_heads")):
        return {
            "kind": "gated_deltanet",
            "conv_kernel": tc.get("linear_conv_kernel_dim"),
            "k_heads": tc.get("linear_num_key_heads"),
            "k_head_dim": tc.get("linear_key_head_dim"),
            "v_heads": tc.get("linear_num_value_heads"),
            "v_head_dim": tc.get("linear_value_head_dim"),
            "ssm_dtype_bytes": ssm_dtype,
        }
    kda = tc.get("linear_attn_config")
    if isinstance(kda, dict) and _int(kda.get("num_heads")):  # Kimi Delta Attention: state always FP32 in vLLM
        return {
            "kind": "kda",
            "conv_kernel": kda.get("short_conv_kernel_size"),
            "heads": kda["num_heads"],
            "head_dim": kda.get("head_dim"),
            "ssm_dtype_bytes": 4,
        }
    if _int(tc.get("mamba_num_heads")):  # nemotron_h
        return {
            "kind": "mamba2",
            "conv_kernel": tc.get("conv_kernel"),
            "d_inner": tc["mamba_num_heads"] * (tc.get("mamba_head_dim") or 0),
            "n_groups": tc.get("n_groups"),
            "d_state": tc.get("ssm_state_size"),
            "ssm_dtype_bytes": ssm_dtype,
        }
    if _int(tc.get("mamba_n_heads")):  # granitemoehybrid
        return {
            "kind": "mamba2",
            "conv_kernel": tc.get("mamba_d_conv"),
            "d_inner": tc["mamba_n_heads"] * (tc.get("mamba_d_head") or 0),
            "n_groups": tc.get("mamba_n_groups"),
            "d_state": tc.get("mamba_d_state"),
            "ssm_dtype_bytes": ssm_dtype,
        }
    if _int(tc.get("mamba_d_state")) and _int(tc.get("mamba_expand")):  # Jamba: Mamba-1, no groups
        return {
            "kind": "mamba2",
            "conv_kernel": tc.get("mamba_d_conv"),
            "d_inner": tc["mamba_expand"] * (tc.get("hidden_size") or 0),
            "n_groups": 0,
            "d_state": tc.get("mamba_d_state"),
            "ssm_dtype_bytes": ssm_dtype,
        }
    if _int(tc.get("conv_L_cache")):  # LFM2
        return {
            "kind": "short_conv",
            "l_cache": tc["conv_L_cache"],
            "hidden_size": tc.get("hidden_size"),
            "ssm_dtype_bytes": ssm_dtype,
        }
    return None


def _unsupported(config: dict, tc: dict) -> str:
    for model_type in (tc.get("model_type"), config.get("model_type")):
        if model_type in UNSUPPORTED_MODEL_TYPES:
            return UNSUPPORTED_MODEL_TYPES[model_type]
    for key, reason in UNSUPPORTED_KEYS.items():
        if tc.get(key):
            return reason
    attn_types = tc.get("attn_type_list")  # MiniMax: 0 lightning (linear) attention, 1 softmax attention
    if isinstance(attn_types, list) and any(t != 1 for t in attn_types):
        return "MiniMax lightning attention"
    return ""


# The GGUF type llama.cpp converts a natively quantized checkpoint to (convert_hf_to_gguf keeps gpt-oss's MXFP4).
NATIVE_GGUF = {"MXFP4": "MXFP4_MOE"}


def native_quant(config: dict) -> str:
    """The catalog format a checkpoint is published in, from its ``quantization_config`` (top level or in
    text_config): transformers' mxfp4/fp8, NVIDIA ModelOpt's quant_algo, compressed-tensors float-quantized
    8-bit. "" for 16-bit or a scheme we do not map."""
    q = config.get("quantization_config")
    if not isinstance(q, dict) and isinstance(config.get("text_config"), dict):
        q = config["text_config"].get("quantization_config")
    if not isinstance(q, dict):
        return ""
    method = str(q.get("quant_method") or "").lower()
    if method == "mxfp4":
        return "MXFP4"
    if method == "fp8":
        return "FP8-Block-128x128" if q.get("weight_block_size") == [128, 128] else "FP8"
    if method == "modelopt":
        return {"NVFP4": "NVFP4 (nvfp4)", "FP8": "FP8"}.get(str(q.get("quant_algo") or "").upper(), "")
    if method == "compressed-tensors" and q.get("format") == "float-quantized":
        return "FP8"
    return ""


def vision_dims(config: dict) -> dict | None:
    """The vision encoder's dimensions from ``vision_config`` (planner/engine/vision.py sizes them), or None
    for a text-only config or one that leaves its encoder's shape unstated."""
    vc = config.get("vision_config")
    if not isinstance(vc, dict):
        return None
    layers, hidden = _int(vc.get("depth")) or _int(vc.get("num_hidden_layers")), _int(vc.get("hidden_size"))
    intermediate = _int(vc.get("intermediate_size"))
    if not (layers and hidden and intermediate):
        return None
    patch = _int(vc.get("patch_size")) or 14
    dims: dict[str, Any] = {
        "layers": layers,
        "hidden": hidden,
        "intermediate": intermediate,
        "patch": patch,
        "gated": (vc.get("hidden_act") or vc.get("hidden_activation")) in ("silu", "swiglu"),
        "channels": _int(_first(vc, ("in_chans", "in_channels", "num_channels"))) or 3,
        "temporal_patch": _int(vc.get("temporal_patch_size")) or 1,
    }
    ratio = vc.get("pixel_shuffle_ratio")
    merge = (
        _int(vc.get("spatial_merge_size"))
        or _int(config.get("spatial_merge_size"))
        or (round(1 / ratio) if isinstance(ratio, int | float) and 0 < ratio < 1 else 1)
    )
    dims["merge"] = merge
    dims["family"] = str(config.get("model_type") or "")[:40]  # the projector's design follows the model family
    deepstack = vc.get("deepstack_visual_indexes")
    if isinstance(deepstack, list) and deepstack:
        dims["extra_projectors"] = len(deepstack)  # Qwen3-VL: one more merger per deepstack layer
    positions = _int(vc.get("num_position_embeddings"))
    if not positions and "siglip" in str(vc.get("model_type", "")) and _int(vc.get("image_size")):
        positions = (vc["image_size"] // patch) ** 2  # SigLIP's learned table: one row per patch
    if positions:
        dims["positions"] = positions
    out = _int(_first(vc, ("out_hidden_size", "projector_output_dim"))) or _int(text_config(config).get("hidden_size"))
    if out:
        dims["out_hidden"] = out
    return dims


def dense_ffn_width(tc: dict, hidden: int | None) -> int | None:
    """The width of a dense FFN's hidden layer, however a config states it (ffn_dim: OPT; n_inner: GPT-2, whose null
    means 4 × n_embd in transformers). The first Qwen states its two input matrices together: QWenMLP (the
    repositories' modeling_qwen.py) builds w1, w2 and c_proj at intermediate_size // 2."""
    ffn = _first(tc, ("intermediate_size", "ffn_hidden_size", "ffn_dim", "n_inner"))
    if ffn is None and "n_inner" in tc and hidden:
        ffn = 4 * hidden
    if tc.get("model_type") == "qwen" and _int(ffn):
        ffn //= 2
    return _int(ffn) or None


def architecture_fields(config: dict) -> dict:
    """Catalog fields stated by a config.json (absent keys stay absent; nothing is nulled).

    Raises ValueError for a config that is not an object (or whose text_config is not)."""
    tc = text_config(config)
    values: dict[str, Any] = {}
    if "num_hidden_layers" not in tc and isinstance(tc.get("layers_block_type"), list):
        values["num_layers"] = len(tc["layers_block_type"])  # Nemotron 3 states its layers only as this list
    for name, keys in CONFIG_KEYS.items():
        value = _first(tc, keys)
        if value is None:
            continue
        if name == "tied_embeddings":
            values[name] = bool(value)
        elif _int(value):
            values[name] = value
    mla = "mla_kv_lora_rank" in values
    if "head_dim" not in values and not mla and values.get("hidden_size") and values.get("num_attention_heads"):
        values["head_dim"] = values["hidden_size"] // values["num_attention_heads"]  # transformers' default
    if "num_kv_heads" not in values and tc.get("multi_query") is True:
        values["num_kv_heads"] = 1  # Falcon-7B's multi-query attention: one K/V head
    ffn = dense_ffn_width(tc, values.get("hidden_size"))
    if "num_experts" not in values and ffn:
        values["intermediate_size"] = ffn  # dense FFN width (for MoE configs it is the expert width: skipped)
    if "num_kv_heads" not in values and "num_attention_heads" in values and not mla:
        values["num_kv_heads"] = values["num_attention_heads"]  # MHA: HF's default
    if (mla or tc.get("compress_ratios")) and _int(tc.get("index_head_dim")):
        values["indexer_head_dim"] = tc["index_head_dim"]  # DeepSeek Sparse Attention's (and V4 CSA's) indexer keys
    if not mla and _int(tc.get("v_head_dim")) and tc["v_head_dim"] != values.get("head_dim"):
        values["head_dim_v"] = tc["v_head_dim"]
    if _int(tc.get("global_head_dim")):  # Gemma 4: full layers' own K/V width and head count
        values["global_head_dim"] = tc["global_head_dim"]
    if _int(tc.get("num_global_key_value_heads")):
        values["global_kv_heads"] = tc["num_global_key_value_heads"]
    if _int(tc.get("swa_num_key_value_heads")) and values.get("num_kv_heads"):  # MiMo-V2: sliding layers differ
        values["global_kv_heads"] = values["num_kv_heads"]
        values["num_kv_heads"] = tc["swa_num_key_value_heads"]

    archs = config.get("architectures") or []
    bert_like = isinstance(archs, list) and any(m in str(a) for a in archs for m in ENCODER_MARKERS)
    if bert_like or tc.get("model_type") in UNGATED_MODEL_TYPES:
        values["gated_ffn"] = False  # BERT's FFN (BertIntermediate, BertOutput) and GPT-style MLPs: up, down
    bidirectional = isinstance(archs, list) and any("Bidirectional" in str(a) for a in archs)  # LFM2 embeddings
    if bert_like or bidirectional or tc.get("use_bidirectional_attention") is True or tc.get("is_causal") is False:
        values["causal"] = False
    model_type = tc.get("model_type") or config.get("model_type")
    if isinstance(model_type, str) and model_type:
        values["model_type"] = model_type[:40]  # the transformers architecture family: llama, qwen3_moe, …
    vision = vision_dims(config)
    if vision:
        values["vision"] = vision
    if native_quant(config):
        values["native_quant"] = native_quant(config)
    pattern, reason = layer_pattern(tc, values.get("num_layers"))
    reason = _unsupported(config, tc) or reason
    window = _first(tc, ("sliding_window", "attention_chunk_size"))
    uses_window = tc.get("use_sliding_window")
    windowed = set(pattern) & WINDOWED_CODES
    if _int(window) and uses_window is not False and (not pattern or windowed):
        values["sliding_window"] = window
        kinds = [c for c in pattern if c in "FSC"]
        local, full = sum(1 for c in kinds if c in "SC"), kinds.count("F")
        if local and full:
            g = gcd(local, full)
            values["swa_local_layers"], values["swa_global_layers"] = local // g, full // g
    elif windowed:
        reason = reason or "windowed layers without a window size"
    if "R" in pattern:
        dims = recurrent_dims(tc)
        if dims is None:
            reason = reason or f"the recurrent layers of {tc.get('model_type') or 'this model'}"
        else:
            values["recurrent"] = dims
    if pattern and set(pattern) != {"F"}:
        values["layer_pattern"] = pattern
    if reason:
        values["unsupported_reason"] = reason
    return values


def attention_kind(values: dict) -> str:
    """The catalog's attention label for parsed fields (LLM.Attention values)."""
    pattern = values.get("layer_pattern", "")
    if values.get("mla_kv_lora_rank"):
        return "mla"
    if set(pattern) & {"K", "H"}:
        return "csa"
    if "R" in pattern:
        return "hybrid"
    if values.get("swa_local_layers"):
        return "swa-hybrid"
    return "mha" if values.get("num_kv_heads") == values.get("num_attention_heads") else "gqa"


def layer_mix(pattern: str) -> str:
    """A human summary of a layer pattern, e.g. "48 linear (recurrent) + 16 full attention"."""
    names = (
        ("R", "recurrent"),
        ("S", "sliding-window"),
        ("C", "chunked-local"),
        ("F", "full attention"),
        ("K", "compressed ¼ (CSA)"),
        ("H", "compressed 1/128 (HCA)"),
        ("N", "without own cache"),
    )
    return " + ".join(f"{pattern.count(code)} {name}" for code, name in names if pattern.count(code))
