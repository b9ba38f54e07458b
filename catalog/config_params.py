"""Parameter counts read off a ``config.json``, tensor by tensor. Pure: no I/O, no ORM.

For the decoders whose weights follow from their config alone: standard (MHA/GQA) or MLA attention, a dense or
mixture-of-experts FFN, optional shared experts and DeepSeek Sparse Attention's indexer. The tensor shapes are
transformers' modeling files (``LlamaAttention``/``LlamaMLP``, ``MixtralSparseMoeBlock``,
``DeepseekV3Attention``/``DeepseekV3MoE``, ``Qwen2MoeSparseMoeBlock`` with its ``shared_expert_gate``,
``Glm4MoeMoE``); which layers hold experts is the config's ``first_k_dense_replace`` and ``moe_layer_freq``
(DeepSeek, GLM, Kimi, Step) or ``decoder_sparse_step`` and ``mlp_only_layers`` (Qwen MoE).

Left out, as publishers leave them out of the counts they state: multi-token-prediction layers
(``num_nextn_predict_layers``: DeepSeek-V3 is "671B" although its checkpoint holds 685B) and biases (a few million
at most). A vision encoder is counted apart (``planner/engine/vision.py``). Recurrent and hybrid stacks,
per-layer lists and anything else this module does not model give ``None``: the catalog then keeps to a count a
publisher states, rather than one from the wrong formula. ``catalog/tests/test_config_params.py`` holds the
counts to every published figure in the catalog.
"""

from .hf_config import (
    CONFIG_KEYS,
    ENCODER_MARKERS,
    UNGATED_MODEL_TYPES,
    _first,
    _int,
    dense_ffn_width,
    layer_pattern,
    text_config,
)

GATED_FFN = 3  # gate, up and down projections (SwiGLU); every decoder this module counts is gated
# Config keys (when set) that mean weights this module does not model: recurrent or hybrid mixers, per-layer
# attention or expert layouts (Step 3.5's attention_other_setting and moe_layers_enum, Llama 4's interleaved MoE
# with dense MLPs of another width, MiniMax's lightning layers), Gemma 3n/4's per-layer embeddings, shared K/V,
# global head widths and MoE beside a dense MLP, MiMo's sliding-layer heads, NAS blocks, compressed caches,
# Llama 3.2 Vision's cross-attention layers.
UNMODELLED_KEYS = (
    "hybrid_override_pattern",
    "layers_block_type",
    "ssm_cfg",
    "mamba_d_state",
    "linear_attn_config",
    "block_configs",
    "compress_ratios",
    "attention_other_setting",
    "moe_layers_enum",
    "interleave_moe_layer_step",
    "moe_layers",
    "intermediate_size_mlp",
    "attn_type_list",
    "hidden_size_per_layer_input",
    "num_kv_shared_layers",
    "global_head_dim",
    "enable_moe_block",
    "swa_num_key_value_heads",
    "use_double_wide_mlp",
    "altup_num_inputs",
    "cross_attention_layers",
)
# Model types whose tensors differ from the shapes above: Molmo (extra embedding rows), Llama 4 and Gemma 3n/4 (their
# own layer designs), and every ungated MLP (hf_config.UNGATED_MODEL_TYPES).
UNMODELLED_TYPES = {
    "molmo",
    "llama4",
    "llama4_text",
    "gemma3n",
    "gemma3n_text",
    "gemma4",
    "gemma4_text",
    *UNGATED_MODEL_TYPES,
}


def _moe_layers(tc: dict, layers: int) -> list[int] | None:
    """Indices of the layers that hold routed experts, or None when the config says it in a way not modelled."""
    first_dense = tc.get("first_k_dense_replace", 0)
    freq = tc.get("moe_layer_freq", 1)
    step = tc.get("decoder_sparse_step", 1)
    mlp_only = tc.get("mlp_only_layers") or []
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in (first_dense, freq, step)):
        return None
    if not isinstance(mlp_only, list) or freq < 1 or step < 1:
        return None
    return [
        i for i in range(layers) if i >= first_dense and i % freq == 0 and (i + 1) % step == 0 and i not in mlp_only
    ]


def skipped_expert_params(config: dict) -> int | None:
    """The routed-expert weights a token does not pass through: (E - k) gated experts of hidden × expert width in
    each layer that holds experts (the config's first_k_dense_replace / moe_layer_freq / decoder_sparse_step /
    mlp_only_layers, or Step 3.5's explicit moe_layers_enum). What separates a total from the active count, and it
    needs only the expert layout: a design whose other tensors this module does not count still has it. None when
    the config does not state the layout."""
    tc = text_config(config)
    layers, h = _int(tc.get("num_hidden_layers")), _int(tc.get("hidden_size"))
    experts = _int(_first(tc, CONFIG_KEYS["num_experts"]))
    top_k = _int(_first(tc, CONFIG_KEYS["num_experts_per_token"]))
    width = _int(tc.get("moe_intermediate_size")) or dense_ffn_width(tc, h)
    if not (layers and h and experts and top_k and width) or top_k > experts:
        return None
    if tc.get("model_type") in UNGATED_MODEL_TYPES:
        return None
    listed = tc.get("moe_layers_enum")
    if isinstance(listed, str):
        indices = [part.strip() for part in listed.split(",")]
        if not all(i.isdigit() and int(i) < layers for i in indices):
            return None
        moe_layers: list[int] | None = sorted({int(i) for i in indices})
    else:
        moe_layers = _moe_layers(tc, layers)
    if moe_layers is None:
        return None
    return len(moe_layers) * (experts - top_k) * GATED_FFN * h * width


def _attention(tc: dict, h: int) -> int | None:
    """Weights of one layer's attention projections (and their norms), or None."""
    heads = _int(tc.get("num_attention_heads"))
    if not heads:
        return None
    if _int(tc.get("kv_lora_rank")):  # DeepSeek MLA (DeepseekV3Attention)
        rank, rope = tc["kv_lora_rank"], _int(tc.get("qk_rope_head_dim"))
        nope, v = _int(tc.get("qk_nope_head_dim")), _int(tc.get("v_head_dim"))
        if not (rope and nope and v):
            return None
        q_rank = _int(tc.get("q_lora_rank"))
        q = h * q_rank + q_rank + q_rank * heads * (nope + rope) if q_rank else h * heads * (nope + rope)
        weights = q + h * (rank + rope) + rank + rank * heads * (nope + v) + heads * v * h
        index_heads, index_dim = _int(tc.get("index_n_heads")), _int(tc.get("index_head_dim"))
        if index_heads and index_dim:  # DeepSeek Sparse Attention's indexer: wq_b, wk with its norm, weights_proj
            weights += (q_rank or h) * index_heads * index_dim + h * index_dim + 2 * index_dim + h * index_heads
        return weights
    head_dim = _int(tc.get("head_dim")) or h // heads
    kv_heads = _int(_first(tc, ("num_key_value_heads",))) or heads
    v_dim = _int(tc.get("v_head_dim")) or head_dim
    return h * heads * head_dim + h * kv_heads * (head_dim + v_dim) + heads * v_dim * h


def config_params(config: dict, lm_head: bool = True) -> tuple[int, int | None] | None:
    """(total, active) parameters of the language model a config describes; active is None for a dense model.
    ``lm_head`` False for an embedding or reranking model, which has no output head even when its config names a
    causal-LM class. None when the design is not one this module counts (see the module docstring)."""
    tc = text_config(config)
    layers, h, vocab = (_int(tc.get(k)) for k in ("num_hidden_layers", "hidden_size", "vocab_size"))
    if not (layers and h and vocab):
        return None
    if any(m in str(a) for a in config.get("architectures") or [] for m in ENCODER_MARKERS):
        return None
    pattern, _reason = layer_pattern(tc, layers)
    if set(pattern) - {"F", "S"}:
        return None  # recurrent, linear-attention or cache-sharing layers: their mixers are not modelled here
    if any(tc.get(k) for k in UNMODELLED_KEYS) or tc.get("model_type") in UNMODELLED_TYPES:
        return None
    attention = _attention(tc, h)
    if attention is None:
        return None
    embed = vocab * h * (1 if tc.get("tie_word_embeddings") or not lm_head else 2)
    per_layer = attention + 2 * h  # and the two RMSNorms around it
    experts = _int(_first(tc, CONFIG_KEYS["num_experts"]))
    dense_width = dense_ffn_width(tc, h)
    if not experts:
        if not dense_width:
            return None
        return embed + h + layers * (per_layer + GATED_FFN * h * dense_width), None
    top_k = _int(_first(tc, CONFIG_KEYS["num_experts_per_token"]))
    expert_width = _int(tc.get("moe_intermediate_size")) or dense_width
    moe_layers = _moe_layers(tc, layers)
    if not (top_k and expert_width and moe_layers is not None) or top_k > experts:
        return None
    if len(moe_layers) < layers and not dense_width:
        return None
    shared_width = _int(_first(tc, ("shared_expert_intermediate_size", "shared_intermediate_size"))) or (
        (_int(_first(tc, ("n_shared_experts", "num_shared_experts"))) or 0)
        * (_int(tc.get("share_expert_dim")) or expert_width)
    )
    expert = GATED_FFN * h * expert_width
    moe_block = experts * expert + h * experts + GATED_FFN * h * shared_width
    if tc.get("shared_expert_intermediate_size"):
        moe_block += h  # Qwen MoE's shared_expert_gate
    dense_layers = layers - len(moe_layers)
    total = (
        embed + h + layers * per_layer + len(moe_layers) * moe_block + dense_layers * GATED_FFN * h * (dense_width or 0)
    )
    skipped = skipped_expert_params(config)
    return total, None if skipped is None else total - skipped
