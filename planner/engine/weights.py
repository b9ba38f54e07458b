"""Weight memory: the file size of a model in a quantization, tensor by tensor.

A GGUF file is the sum over its tensors of ``n_weights / block_weights × block_bytes`` for each
tensor's ggml type. Block sizes come from ggml (ggml-org/ggml @d99724f ``src/ggml-common.h``
block_* structs and ``src/ggml.c`` type_traits; shared/data/quant_types.csv). Which type each tensor
gets is llama.cpp's per-tensor recipe (``src/llama-quant.cpp`` llama_tensor_get_type_impl @0c1e57098,
summarised in quant_types.csv ``recipe_notes``). Non-GGUF formats (GPTQ, AWQ, bitsandbytes, EXL2,
FP8, MX/NV FP4) quantize only the decoder's linear layers; embeddings and the output head stay 16-bit
(AutoGPTQ ``modeling/llama.py``, AutoAWQ ``quantize/quantizer.py``; vLLM FP8 docs: lm_head kept).
"""

from dataclasses import dataclass
from functools import lru_cache

from .types import NO_CACHE, RECURRENT, Architecture, EngineError, Quantization

# ggml type -> (weights per block, bytes per block). Source: ggml src/ggml-common.h block structs.
GGML_TYPES: dict[str, tuple[int, int]] = {
    "F32": (1, 4),
    "F16": (1, 2),
    "BF16": (1, 2),
    "Q4_0": (32, 18),
    "Q4_1": (32, 20),
    "Q5_0": (32, 22),
    "Q5_1": (32, 24),
    "Q8_0": (32, 34),
    "Q2_K": (256, 84),
    "Q3_K": (256, 110),
    "Q4_K": (256, 144),
    "Q5_K": (256, 176),
    "Q6_K": (256, 210),
    "IQ1_S": (256, 50),
    "IQ1_M": (256, 56),
    "IQ2_XXS": (256, 66),
    "IQ2_XS": (256, 74),
    "IQ2_S": (256, 82),
    "IQ3_XXS": (256, 98),
    "IQ3_S": (256, 110),
    "IQ4_NL": (32, 18),
    "IQ4_XS": (256, 136),
    "TQ1_0": (256, 54),
    "TQ2_0": (256, 66),
    "MXFP4": (32, 17),
    "NVFP4": (64, 36),
}

# Row lengths not divisible by the block fall back (llama-quant.cpp, "incompatible tensor shapes").
FALLBACK = {
    "Q2_K": "Q4_0",
    "Q3_K": "Q4_0",
    "Q4_K": "Q5_0",
    "Q5_K": "Q5_1",
    "Q6_K": "Q8_0",
    "IQ1_S": "IQ4_NL",
    "IQ1_M": "IQ4_NL",
    "IQ2_XXS": "IQ4_NL",
    "IQ2_XS": "IQ4_NL",
    "IQ2_S": "IQ4_NL",
    "IQ3_XXS": "IQ4_NL",
    "IQ3_S": "IQ4_NL",
    "IQ4_XS": "IQ4_NL",
    "TQ1_0": "IQ4_NL",
    "TQ2_0": "IQ4_NL",
}

# GGUF file type -> bulk tensor type (quant_types.csv base_ggml_type).
FILE_TYPE_BASE = {
    "F32": "F32",
    "F16": "F16",
    "BF16": "BF16",
    "Q8_0": "Q8_0",
    "Q4_0": "Q4_0",
    "Q4_1": "Q4_1",
    "Q5_0": "Q5_0",
    "Q5_1": "Q5_1",
    "Q2_K": "Q2_K",
    "Q2_K_S": "Q2_K",
    "Q3_K_S": "Q3_K",
    "Q3_K_M": "Q3_K",
    "Q3_K_L": "Q3_K",
    "Q4_K_S": "Q4_K",
    "Q4_K_M": "Q4_K",
    "Q5_K_S": "Q5_K",
    "Q5_K_M": "Q5_K",
    "Q6_K": "Q6_K",
    "IQ1_S": "IQ1_S",
    "IQ1_M": "IQ1_M",
    "IQ2_XXS": "IQ2_XXS",
    "IQ2_XS": "IQ2_XS",
    "IQ2_S": "IQ2_XS",
    "IQ2_M": "IQ2_S",
    "IQ3_XXS": "IQ3_XXS",
    "IQ3_XS": "IQ3_S",
    "IQ3_S": "IQ3_S",
    "IQ3_M": "IQ3_S",
    "IQ4_NL": "IQ4_NL",
    "IQ4_XS": "IQ4_XS",
    "TQ1_0": "TQ1_0",
    "TQ2_0": "TQ2_0",
    "MXFP4_MOE": "MXFP4",
    "NVFP4": "NVFP4",
}


@dataclass(frozen=True)
class Tensor:
    """One weight tensor class: ``kind`` decides its quant type, ``row`` is its row length (ne[0])."""

    kind: str  # token_embd, output, attn_q, attn_k, attn_v, attn_output, attn_other, ffn_gate, ffn_up,
    # ffn_down, ffn_gate_exps, ffn_up_exps, ffn_down_exps, norm
    layer: int
    n_weights: int
    row: int


def _more_bits(i: int, n: int) -> bool:
    """llama.cpp use_more_bits(): first 1/8, last 1/8 and every third layer in between."""
    return i < n // 8 or i >= 7 * n // 8 or (i - n // 8) % 3 == 2


def _params_split(arch: Architecture) -> tuple[int, int, int]:
    """(non-FFN per layer, dense FFN per layer, expert FFN per layer), in weights.

    Attention, embeddings and norms follow from the config. FFN widths come from
    ``intermediate_size`` when given; otherwise the FFN is what the published parameter count
    leaves over, and for MoE the expert share is solved from total and active counts:
    total = shared + E·e, active = shared + k·e (E experts, k routed per token).
    """
    h, layers = arch.hidden_size, arch.num_layers
    hd = arch.head_dim_k
    embed = arch.vocab_size * h * (1 if arch.tied_embeddings or not arch.causal else 2)  # encoders: no LM head
    norms = (2 * layers + 1) * h
    # DeepSeek MLA's projections (no q_lora_rank for V2-Lite: q_proj direct) and V4's low-rank query and grouped
    # output projections (q_lora_rank, o_lora_rank, o_groups) stay in what the count leaves over.
    attn = 0 if arch.attention in {"mla", "csa"} else h * hd * (2 * arch.num_heads + 2 * arch.num_kv_heads)
    hybrid = any(k in {RECURRENT, NO_CACHE} for k in arch.layer_kinds or ())
    if arch.intermediate_size and not arch.is_moe and not hybrid:
        ffn = _ffn_matrices(arch) * h * arch.intermediate_size
        return attn, ffn, 0
    if not arch.params_total:
        raise EngineError("params_total", f"{arch.name}: needs a parameter count or an FFN width")
    # Hybrid stacks: recurrent mixers' weights are what the count leaves over, spread like the FFN.
    rest = arch.params_total - embed - norms - attn * attention_layers(arch)
    if rest <= 0:
        raise EngineError("params_total", f"{arch.name}: parameter count is smaller than its attention and embeddings")
    if not arch.is_moe or not (arch.num_experts and arch.experts_per_token and arch.params_active):
        return attn, _whole_ffn(rest // layers, h), 0
    n_exp, k = arch.num_experts, arch.experts_per_token
    expert_total = (arch.params_total - arch.params_active) * n_exp // max(n_exp - k, 1)
    expert_total = min(expert_total, rest)
    per_expert = _whole_ffn(expert_total // (layers * n_exp), h)
    return attn, max((rest - expert_total) // layers, 0), per_expert * n_exp


def _ffn_matrices(arch: Architecture) -> int:
    """A gated FFN has gate, up and down matrices; BERT's (transformers' BertIntermediate and BertOutput,
    llama.cpp's ffn_up and ffn_down with GELU) has up and down only."""
    return 3 if arch.gated_ffn else 2


def _has_attention(arch: Architecture, layer: int) -> bool:
    """Whether a layer has attention projections: all but recurrent ones (an approximation for layers
    without a cache of their own: Gemma's shared-KV layers keep Q and O, Nemotron's FFN-only layers have
    none; the published total is kept either way, only its split between tensors moves)."""
    return not arch.layer_kinds or arch.layer_kinds[layer] != RECURRENT


def attention_layers(arch: Architecture) -> int:
    return sum(1 for i in range(arch.num_layers) if _has_attention(arch, i))


def _whole_ffn(ffn_params: int, hidden: int) -> int:
    """A gated FFN of 3 × hidden × width weights with width rounded to a multiple of 256, as every
    config in our catalog has it (e.g. 14336 = 56 × 256); published counts are often rounded."""
    width = max(round(ffn_params / (3 * hidden) / 256), 1) * 256
    return 3 * hidden * width


def tensors(arch: Architecture) -> tuple[Tensor, ...]:
    return _tensors(arch)


@lru_cache(maxsize=512)
def _tensors(arch: Architecture) -> tuple[Tensor, ...]:
    h, layers, hd = arch.hidden_size, arch.num_layers, arch.head_dim_k
    attn, ffn, experts = _params_split(arch)
    out = [Tensor("token_embd", -1, arch.vocab_size * h, h)]
    if not arch.tied_embeddings and arch.causal:
        out.append(Tensor("output", -1, arch.vocab_size * h, h))
    q_w, kv_w = h * hd * arch.num_heads, h * hd * arch.num_kv_heads
    for i in range(layers):
        if attn and _has_attention(arch, i):
            out += [
                Tensor("attn_q", i, q_w, h),
                Tensor("attn_k", i, kv_w, h),
                Tensor("attn_v", i, kv_w, h),
                Tensor("attn_output", i, q_w, hd * arch.num_heads),
            ]
        if ffn > 0:
            width = max(ffn // (3 * h), 1)
            if arch.attention == "mla" and not arch.is_moe:
                out.append(Tensor("attn_other", i, ffn, h))
            elif _ffn_matrices(arch) == 2:
                out += [Tensor("ffn_up", i, ffn // 2, h), Tensor("ffn_down", i, ffn - ffn // 2, ffn // (2 * h))]
            else:
                out += [
                    Tensor("ffn_gate", i, ffn // 3, h),
                    Tensor("ffn_up", i, ffn // 3, h),
                    Tensor("ffn_down", i, ffn - 2 * (ffn // 3), width),
                ]
        if experts > 0:
            width = max(experts // (3 * h * (arch.num_experts or 1)), 1)
            out += [
                Tensor("ffn_gate_exps", i, experts // 3, h),
                Tensor("ffn_up_exps", i, experts // 3, h),
                Tensor("ffn_down_exps", i, experts - 2 * (experts // 3), width),
            ]
    out.append(Tensor("norm", -1, (2 * layers + 1) * h, h))
    return tuple(out)


def _recipe(ftype: str, t: Tensor, arch: Architecture, attn_v_index: int) -> str:
    """llama.cpp's tensor type for one tensor of a GGUF file type (llama-quant.cpp @0c1e57098): norms stay F32,
    float files keep their type, gpt-oss keeps its MXFP4 experts, the output head and token embedding have their
    own rules, and the layer tensors follow the file type's per-tensor rules (_layer_type)."""
    base = FILE_TYPE_BASE[ftype]
    if t.kind == "norm":
        return "F32"
    if arch.native_quant == "MXFP4" and t.kind.endswith("_exps"):
        # gpt-oss ships its experts in MXFP4 and every GGUF keeps them so: unsloth/gpt-oss-20b-GGUF's
        # Q2_K and Q4_0 are 11.5 GB and its F16 13.8 GB (Hub file listing, fixtures/source/gguf_files.csv).
        return "MXFP4"
    if ftype in {"F32", "F16", "BF16"}:
        return base
    if ftype == "MXFP4_MOE":
        return "MXFP4" if t.kind.endswith("_exps") else "Q8_0"
    if t.kind == "output" or (t.kind == "token_embd" and arch.tied_embeddings):
        return _output_type(ftype, base)
    if t.kind == "token_embd":
        return _token_embd_type(ftype, base)
    return _layer_type(ftype, base, t, arch, attn_v_index)


def _output_type(ftype: str, base: str) -> str:
    """The output head (and a tied embedding, which is the head)."""
    if ftype in {"Q8_0", "Q6_K"}:
        return base
    if ftype in {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS"}:
        return "Q5_K"
    return "Q6_K"


def _token_embd_type(ftype: str, base: str) -> str:
    if ftype in {"IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S"}:
        return "Q2_K"
    if ftype in {"IQ2_M", "IQ3_XXS"}:
        return "IQ3_S"
    if ftype in {"TQ1_0", "TQ2_0"}:
        return "Q4_K"
    return base


def _layer_type(ftype: str, base: str, t: Tensor, arch: Architecture, attn_v_index: int) -> str:
    """A layer tensor's type: attn_v, ffn_down and attn_output get more bits in most K and IQ mixes, MoE with 8
    experts keeps attention at Q8_0/Q5_K, IQ3_XS gives some tensors fewer."""
    n = arch.num_layers
    eight_experts = arch.is_moe and arch.num_experts == 8
    kind = t.kind.replace("_exps", "")
    if kind == "attn_v":
        if eight_experts and ftype not in {"Q8_0"}:
            return "Q8_0"
        return _attn_v_type(ftype, base, arch, attn_v_index)
    if kind == "attn_k" and eight_experts and ftype not in {"Q8_0"}:
        return "Q8_0"
    if kind == "ffn_down":
        return _ffn_down_type(ftype, base, t.layer, n)
    if kind == "attn_output":
        if eight_experts and ftype in {
            "Q2_K",
            "Q3_K_S",
            "Q3_K_M",
            "Q4_K_M",
            "IQ3_XS",
            "IQ3_S",
            "IQ3_M",
            "IQ4_XS",
            "IQ4_NL",
        }:
            return "Q5_K"
        return {"Q2_K": "Q3_K", "Q3_K_M": "Q4_K", "Q3_K_L": "Q5_K", "IQ3_M": "Q4_K"}.get(ftype, base)
    if kind in {"attn_q", "attn_k"} and ftype == "IQ3_XS":  # noqa: SIM114 (two llama.cpp rules, kept apart)
        return "IQ3_XXS"
    if kind in {"ffn_gate", "ffn_up"} and ftype == "IQ3_XS" and n // 8 <= t.layer < 7 * n // 8:
        return "IQ3_XXS"
    return base


def _attn_v_type(ftype: str, base: str, arch: Architecture, attn_v_index: int) -> str:
    """attn_v: more bits with grouped KV heads (gqa_ratio >= 4) and in the first layers; at least Q5_K at 70B."""
    n = arch.num_layers
    is_70b = n == 80  # llama.cpp LLM_TYPE_70B for llama/qwen2 with 80 layers
    rules = {
        "Q2_K": "Q4_K" if arch.gqa_ratio >= 4 else "Q3_K",
        "Q2_K_S": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "Q3_K_M": "Q5_K" if attn_v_index < 2 else "Q4_K",
        "Q3_K_L": "Q5_K",
        "Q4_K_S": "Q5_K" if attn_v_index < 4 else "Q4_K",
        "Q4_K_M": "Q6_K" if _more_bits(attn_v_index, n) else "Q4_K",
        "Q5_K_M": "Q6_K" if _more_bits(attn_v_index, n) else "Q5_K",
        "IQ4_XS": "Q5_K" if arch.gqa_ratio >= 4 else base,
        "IQ4_NL": "Q5_K" if arch.gqa_ratio >= 4 else base,
        "IQ3_S": "Q4_K" if arch.gqa_ratio >= 4 else base,
        "IQ3_XS": "Q4_K" if arch.gqa_ratio >= 4 else base,
        "IQ3_M": "Q4_K",
        "IQ3_XXS": "Q4_K" if arch.gqa_ratio >= 4 else "IQ3_S",
        "IQ2_XXS": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "IQ2_XS": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "IQ2_S": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "IQ2_M": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "IQ1_S": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
        "IQ1_M": "Q4_K" if arch.gqa_ratio >= 4 else "Q2_K",
    }
    chosen = rules.get(ftype, base)
    if is_70b and chosen in {"Q3_K", "Q4_K"}:
        chosen = "Q5_K"
    return chosen


def _ffn_down_type(ftype: str, base: str, layer: int, n: int) -> str:
    """ffn_down: more bits in the first eighth (or sixteenth) of the layers, or on _more_bits' layers."""
    first_eighth = layer < n // 8
    rules = {
        "Q2_K": "Q3_K",
        "Q2_K_S": "Q4_K" if first_eighth else base,
        "Q3_K_M": "Q5_K" if layer < n // 16 else "Q4_K",
        "Q3_K_L": "Q5_K",
        "Q4_K_S": "Q5_K" if first_eighth else base,
        "Q4_K_M": "Q6_K" if _more_bits(layer, n) else base,
        "Q5_K_M": "Q6_K" if _more_bits(layer, n) else base,
        "IQ4_XS": "Q5_K" if first_eighth else base,
        "IQ4_NL": "Q5_K" if first_eighth else base,
        "IQ3_M": "Q4_K" if first_eighth else base,
        "IQ2_XXS": "Q2_K" if first_eighth else base,
        "IQ2_XS": "Q2_K" if first_eighth else base,
        "IQ1_S": "Q2_K" if first_eighth else base,
        "IQ1_M": "Q2_K" if first_eighth else base,
    }
    return rules.get(ftype, base)


def _tensor_bytes(ggml_type: str, t: Tensor) -> int:
    block_w, block_b = GGML_TYPES[ggml_type]
    if t.row % block_w:
        fallback = FALLBACK.get(ggml_type, "F16")
        if t.row % GGML_TYPES[fallback][0]:
            fallback = "F16"
        block_w, block_b = GGML_TYPES[fallback]
    return -(-t.n_weights // block_w) * block_b


def gguf_tensor_bytes(arch: Architecture, ftype: str) -> dict[str, int]:
    """Bytes per tensor class of a GGUF of ``ftype`` built by llama-quantize's default recipe.

    Sum of ceil(n_weights / block_weights) × block_bytes over the tensors (ggml block sizes).
    """
    if ftype not in FILE_TYPE_BASE:
        raise EngineError("quant", f"no GGUF recipe for {ftype}")
    totals: dict[str, int] = {}
    attn_v_index = 0
    for t in tensors(arch):
        ggml_type = _recipe(ftype, t, arch, attn_v_index)
        if t.kind == "attn_v":
            attn_v_index += 1
        totals[t.kind] = totals.get(t.kind, 0) + _tensor_bytes(ggml_type, t)
    return totals


def linear_format_tensor_bytes(arch: Architecture, quant: Quantization) -> dict[str, int]:
    """GPTQ/AWQ/bnb/EXL2/FP8/MX: decoder linears at the format's bits per weight (scales included
    in ``bits_per_weight``, quant_types.csv), embeddings and output head at 16 bit, norms FP32.
    gpt-oss style MXFP4 checkpoints quantize only experts; other weights stay BF16."""
    totals: dict[str, int] = {}
    experts_only = quant.family in {"mxfp4"} and arch.is_moe
    for t in tensors(arch):
        if t.kind == "norm":
            size = t.n_weights * 4
        elif t.kind in {"token_embd", "output"} or (experts_only and not t.kind.endswith("_exps")):
            size = t.n_weights * 2
        else:
            size = int(t.n_weights * quant.bits_per_weight / 8)
        totals[t.kind] = totals.get(t.kind, 0) + size
    return totals


@lru_cache(maxsize=4096)
def weight_tensor_bytes(arch: Architecture, quant: Quantization) -> dict[str, int]:
    """Bytes per tensor class (cached: inputs are frozen; callers must not mutate the result)."""
    if quant.family in {"gguf", "float"} and quant.name in FILE_TYPE_BASE:
        return gguf_tensor_bytes(arch, quant.name)
    return linear_format_tensor_bytes(arch, quant)


# GGUF metadata (header, tokenizer tokens, scores and merges) per vocabulary entry. Our fit: the
# exact Meta-Llama-3-8B-Instruct files (ddh0/UnquantizedEmbeddingTesting sizes.txt, in
# shared/data/gguf_sizes_public.csv) exceed their tensor data by 7,835,936 B at vocab 128,256 in
# every quantization, i.e. 61.1 B per token.
GGUF_METADATA_BYTES_PER_VOCAB = 61.1


def weights_bytes(arch: Architecture, quant: Quantization) -> int:
    """Total weight bytes: the exact file size when known, else the per-tensor sum above."""
    if quant.file_size_bytes:
        return quant.file_size_bytes
    return sum(weight_tensor_bytes(arch, quant).values())


def file_bytes(arch: Architecture, quant: Quantization) -> int:
    """Predicted file size on disk: tensor data plus GGUF metadata for GGUF formats."""
    if quant.file_size_bytes:
        return quant.file_size_bytes
    meta = int(arch.vocab_size * GGUF_METADATA_BYTES_PER_VOCAB) if quant.family in {"gguf", "float"} else 0
    return weights_bytes(arch, quant) + meta


def token_embedding_bytes(arch: Architecture, quant: Quantization) -> int:
    """llama.cpp keeps token_embd in host memory (only the rows of the prompt are read), unless tied."""
    if arch.tied_embeddings:
        return 0
    return weight_tensor_bytes(arch, quant).get("token_embd", 0)


def active_weight_bytes(arch: Architecture, quant: Quantization) -> int:
    """Bytes read per decoded token: everything but the token embedding, and for MoE only the
    routed experts' share (k of E) of the expert tensors plus the shared parts."""
    parts = weight_tensor_bytes(arch, quant)
    total = weights_bytes(arch, quant)
    scale = total / max(sum(parts.values()), 1)  # an exact file size rescales the per-tensor split
    expert: float = sum(v for k, v in parts.items() if k.endswith("_exps"))
    dense = sum(parts.values()) - expert - (0 if arch.tied_embeddings else parts.get("token_embd", 0))
    if expert and arch.num_experts and arch.experts_per_token:
        expert = expert * arch.experts_per_token / arch.num_experts
    return int((dense + expert) * scale)


def total_params(arch: Architecture) -> int:
    """The published count, else the sum of the tensors built from the config."""
    return arch.params_total or sum(t.n_weights for t in tensors(arch))


def active_params(arch: Architecture) -> int:
    """Parameters used per token: the published active count for MoE, else all of them."""
    return arch.params_active or total_params(arch)


def routed_expert_params(arch: Architecture) -> int:
    """The routed-expert weights one token passes through (k of E experts per MoE layer), solved from the published
    counts as in _params_split: total = shared + E·e, active = shared + k·e, so k·e = (total - active)·k / (E - k).
    0 for a dense model or one without those counts."""
    if not (arch.is_moe and arch.num_experts and arch.experts_per_token and arch.params_total and arch.params_active):
        return 0
    n, k = arch.num_experts, arch.experts_per_token
    return max(arch.params_total - arch.params_active, 0) * k // max(n - k, 1)
