"""KV-cache memory, exactly as each runtime allocates it.

Element sizes are ggml block sizes (shared/data/kv_cache_types.csv, from ggml src/ggml-common.h):
f16/bf16 2 B, q8_0 34 B per 32 (1.0625 B), q4_0 18 B per 32 (0.5625 B); vLLM fp8 1 B.
"""

from .runtime import VLLM_BATCHED_TOKENS_SMALL
from .types import (
    CHUNKED,
    COMPRESS_RATIOS,
    CSA,
    FULL,
    HCA,
    NO_CACHE,
    RECURRENT,
    SLIDING,
    Architecture,
    EngineError,
    Workload,
)

# kv type -> (elements per block, bytes per block)
KV_TYPES: dict[str, tuple[int, int]] = {
    "f32": (1, 4),
    "f16": (1, 2),
    "bf16": (1, 2),
    "q8_0": (32, 34),
    "q5_1": (32, 24),
    "q5_0": (32, 22),
    "q4_1": (32, 20),
    "q4_0": (32, 18),
    "iq4_nl": (32, 18),
    "fp8": (1, 1),
}
LLAMA_CPP_CELL_PAD = 256  # n_ctx rounded up to 256 (llama.cpp src/llama-context.cpp)
# DeepSeek V4's compressor state, in rows per layer and sequence: 2 × ratio for CSA's overlapping compressor, the
# ratio for HCA's (llama.cpp llama_dsv4_comp_state state_size; vLLM deepseek_compressor.py sliding_window).
DSV4_STATE_ROWS = {CSA: 2 * COMPRESS_RATIOS[CSA], HCA: COMPRESS_RATIOS[HCA]}


def pad(value: int, multiple: int) -> int:
    return -(-value // multiple) * multiple


def row_bytes(width: int, kv_type: str) -> int:
    """Bytes of one cached row of ``width`` values: ceil(width / block) × block_bytes."""
    if kv_type not in KV_TYPES:
        raise EngineError("kv_cache", f"unknown KV cache type {kv_type!r}; use one of {', '.join(KV_TYPES)}")
    elems, size = KV_TYPES[kv_type]
    if width % elems:
        raise EngineError("kv_cache", f"{kv_type} needs a head width divisible by {elems} (got {width})")
    return width // elems * size


def bytes_per_cell_per_layer(arch: Architecture, kv_type: str, full_layer: bool = False) -> int:
    """One token's K and V in one layer.

    Standard: n_kv_heads × (head_dim_k + head_dim_v) values (llama.cpp llama-kv-cache.cpp
    ggml_new_tensor_3d(type, n_embd_k_gqa, kv_size, n_stream)). Full layers of a model with its own
    global K/V width (Gemma 4) use ``global_kv_heads`` × ``global_head_dim`` (llama.cpp n_head_kv(il)
    per layer, llama-hparams.cpp n_embd_k_gqa(il)).
    MLA: one latent of kv_lora_rank + rope_dim values and no V tensor (llama.cpp PR #19067 "V-less
    cache"; vLLM MLAAttentionSpec head_size = kv_lora_rank + qk_rope_head_dim, num_kv_heads 1).
    DeepSeek Sparse Attention adds the indexer's key, ``indexer_head_dim`` values per token and layer.
    DeepSeek V4 ("csa"): keys only, one head of head_dim values (llama-kv-cache-dsv4.cpp dsv4_make_k_only).
    """
    if arch.attention == "csa":
        return row_bytes(arch.num_kv_heads * arch.head_dim_k, kv_type)
    if arch.attention == "mla":
        if not (arch.mla_kv_lora_rank and arch.mla_rope_dim):
            raise EngineError("architecture", "MLA needs kv_lora_rank and rope dim")
        latent = row_bytes(arch.mla_kv_lora_rank + arch.mla_rope_dim, kv_type)
        return latent + (row_bytes(arch.indexer_head_dim, kv_type) if arch.indexer_head_dim else 0)
    k_width, v_width = arch.kv_widths(full_layer)
    return row_bytes(k_width, kv_type) + row_bytes(v_width, kv_type)


def layer_kinds(arch: Architecture) -> tuple[str, ...]:
    """Each layer's cache kind: the config's layer pattern, else ``attention`` with its local/global
    period (llama.cpp marks the last layer of each period global: gemma3.cpp/llama4.cpp
    load_swa_pattern, llama-hparams.cpp set_swa_pattern)."""
    if arch.layer_kinds is not None:
        if len(arch.layer_kinds) != arch.num_layers:
            raise EngineError(
                "architecture", f"layer pattern has {len(arch.layer_kinds)} entries for {arch.num_layers} layers"
            )
        return arch.layer_kinds
    if arch.attention != "swa" or not arch.sliding_window:
        return (FULL,) * arch.num_layers
    local, glob = arch.swa_local_layers or 1, arch.swa_global_layers or 1
    local_kind = CHUNKED if arch.window_kind == "chunked" else SLIDING
    return tuple(FULL if i % (local + glob) >= local else local_kind for i in range(arch.num_layers))


def layer_counts(arch: Architecture) -> dict[str, int]:
    kinds = layer_kinds(arch)
    return {kind: kinds.count(kind) for kind in (FULL, SLIDING, CHUNKED, RECURRENT, NO_CACHE, CSA, HCA)}


def check_supported(arch: Architecture) -> None:
    """Refuse what the engine cannot size yet rather than size it with the wrong formula."""
    if arch.unsupported:
        raise EngineError("model", f"{arch.name}: {arch.unsupported} is not supported by the sizing engine yet")
    counts = layer_counts(arch)
    if counts[RECURRENT] and arch.recurrent is None:
        raise EngineError("architecture", f"{arch.name}: recurrent layers need their state dimensions")
    if (counts[SLIDING] or counts[CHUNKED]) and not arch.sliding_window:
        raise EngineError("architecture", f"{arch.name}: windowed layers need a window size")
    if (counts[CSA] or counts[HCA]) and not (arch.attention == "csa" and arch.sliding_window):
        raise EngineError("architecture", f"{arch.name}: compressed layers need DeepSeek V4's window of raw keys")
    if arch.attention == "csa" and (
        not (counts[CSA] or counts[HCA]) or counts[FULL] or counts[CHUNKED] or counts[RECURRENT] or counts[NO_CACHE]
    ):
        raise EngineError("architecture", f"{arch.name}: DeepSeek V4's layers are window-only, CSA or HCA")
    if counts[CSA] and not arch.indexer_head_dim:
        raise EngineError("architecture", f"{arch.name}: CSA layers need the indexer's key width")


def recurrent_state_bytes(arch: Architecture, sequences: int, runtime: str = "llamacpp") -> int:
    """Per-sequence state of the recurrent layers, allocated once per sequence whatever the context.

    llama.cpp: R and S buffers in f32 (llama-context.cpp type_r/type_s default GGML_TYPE_F32), one
    cell per sequence (llama-memory-recurrent.cpp mem_size = max(1, n_seq_max)), recurrent layers only
    (the hybrid memory's filter is hparams.is_recurrent(il)): layers × (n_embd_r + n_embd_s) × 4 B.
    vLLM (MambaSpec): the conv state in the model dtype (2 B) and the matrix state in ``ssm_dtype_bytes``.
    """
    n = layer_counts(arch)[RECURRENT]
    if not n:
        return 0
    state = arch.recurrent
    assert state is not None  # check_supported
    if runtime == "vllm":
        per_layer = state.conv_values * 2 + state.state_values * state.ssm_dtype_bytes
    else:
        per_layer = (state.conv_values + state.state_values) * 4
    return n * per_layer * max(1, sequences)


def llamacpp_kv_bytes(arch: Architecture, work: Workload, swa_full: bool = False) -> int:
    """llama.cpp / Ollama, allocated at start for the whole context.

    Full layers: pad256(context × sequences) cells (one unified stream, llama-server -np N -c).
    Windowed layers (llama-kv-cache-iswa.cpp): pad256(min(n_ctx, window × sequences + n_ubatch)) cells,
    unless --swa-full. Recurrent layers hold a fixed state per sequence instead (recurrent_state_bytes);
    layers with no cache of their own (FFN-only, or K/V shared with an earlier layer) hold nothing.
    Bytes = Σ cells × bytes_per_cell_per_layer over the layers with a cache, plus the recurrent state.
    """
    check_supported(arch)
    if arch.attention == "csa":
        return llamacpp_csa_bytes(arch, work, swa_full)
    n_ctx = work.context * work.batch
    cells_global = pad(n_ctx, LLAMA_CPP_CELL_PAD)
    counts = layer_counts(arch)
    n_windowed = counts[SLIDING] + counts[CHUNKED]
    full = counts[FULL] * bytes_per_cell_per_layer(arch, work.kv_cache, full_layer=True)
    windowed = n_windowed * bytes_per_cell_per_layer(arch, work.kv_cache)
    state = recurrent_state_bytes(arch, work.batch)
    if swa_full or not n_windowed:
        return cells_global * (full + windowed) + state
    return cells_global * full + window_cells(arch, work) * windowed + state


def window_cells(arch: Architecture, work: Workload) -> int:
    """llama.cpp's cells for a windowed layer (llama-kv-cache-iswa.cpp): pad256(min(n_ctx, window × sequences +
    n_ubatch)), never more than the full layers' pad256(n_ctx)."""
    assert arch.sliding_window  # check_supported: windowed layers have a window
    n_ctx = work.context * work.batch
    cells = pad(min(n_ctx, arch.sliding_window * work.batch + work.ubatch), LLAMA_CPP_CELL_PAD)
    return min(cells, pad(n_ctx, LLAMA_CPP_CELL_PAD))


def llamacpp_csa_bytes(arch: Architecture, work: Workload, swa_full: bool = False) -> int:
    """DeepSeek V4 in llama.cpp (src/llama-kv-cache-dsv4.cpp, ggml-org/llama.cpp@8eb9c86, from PR #24162), one
    unified stream of kv_size = pad256(n_ctx) cells:
    - every layer's window of raw keys: an iswa cache whose layers are all windowed, keys only (dsv4_make_k_only),
      window_cells each (pad256(n_ctx) with --swa-full);
    - CSA layers: compressed keys and the lightning indexer's keys (indexer_head_dim wide), GGML_PAD(ceil(kv_size /
      4), 256) cells each; HCA layers: compressed keys, GGML_PAD(ceil(kv_size / 128), 256) cells (dsv4_comp_size);
      all in the -ctk type;
    - the compressors' running state in F32, kv and score tensors of state_size × n_embd_state per layer (one
      stream when unified): CSA 8 × 2·head_dim and its indexer's 8 × 2·indexer_head_dim, HCA 128 × head_dim
      (llama_dsv4_comp_state(…, ratio, state_size, n_embd_state)).
    """
    counts = layer_counts(arch)
    kv_size = pad(work.context * work.batch, LLAMA_CPP_CELL_PAD)
    key = bytes_per_cell_per_layer(arch, work.kv_cache)
    raw_layers = counts[SLIDING] + counts[CSA] + counts[HCA]
    raw = (kv_size if swa_full else window_cells(arch, work)) * raw_layers * key

    def compressed_cells(kind: str) -> int:
        return pad(max(1, -(-kv_size // COMPRESS_RATIOS[kind])), LLAMA_CPP_CELL_PAD)

    indexer = row_bytes(arch.indexer_head_dim or 0, work.kv_cache) if counts[CSA] else 0
    compressed = counts[CSA] * compressed_cells(CSA) * (key + indexer) + counts[HCA] * compressed_cells(HCA) * key
    head, index = arch.num_kv_heads * arch.head_dim_k, arch.indexer_head_dim or 0
    f32 = KV_TYPES["f32"][1]
    state = (
        2
        * f32
        * (counts[CSA] * DSV4_STATE_ROWS[CSA] * (2 * head + 2 * index) + counts[HCA] * DSV4_STATE_ROWS[HCA] * head)
    )
    return raw + compressed + state


def kv_read_bytes(arch: Architecture, work: Workload, kv_bytes: int, runtime: str = "llamacpp", tp: int = 1) -> int:
    """What a decode step reads of a cache of ``kv_bytes``: the cells of the tokens in it. llama.cpp rounds its cells
    up to 256 (pad256(context × sequences)) and its attention views n_kv = pad256(cells used) of them, the rest
    masked; the calibration's decode rows fit better without the masked cells (bench/README.md, 2026-12-08: NVIDIA
    decode leaving each GPU out 7.80 → 6.99 % at tg128, whose 64 tokens sit in 256 cells), so a step reads the
    tokens' share. vLLM: the blocks of a request with one token in flight, not the window blocks it reserves for a
    prompt's tokens in flight (vllm_kv_bytes)."""
    if runtime == "vllm":
        return kv_cache_bytes(arch, work, "vllm", tp=tp, in_flight_tokens=1)
    tokens = work.context * work.batch
    return kv_bytes * tokens // pad(tokens, LLAMA_CPP_CELL_PAD)


# vLLM's DSA indexer cache: FP8 keys plus one FP32 scale per 128 values, uint8 storage
# (vllm/model_executor/models/deepseek_v2.py DeepseekV32IndexerCache: index_head_dim + index_head_dim // 128 × 4).
VLLM_INDEXER_SCALE_BLOCK = 128


def vllm_window_blocks(window: int, in_flight_tokens: int, context: int, block: int) -> int:
    """Blocks vLLM charges a request for a sliding window at admission (kv_cache_interface.py SlidingWindowSpec
    max_admission_blocks_per_request): the window and the prompt tokens in flight, at most the context, plus one."""
    return -(-min(window - 1 + in_flight_tokens, context) // block) + 1


def vllm_kv_bytes(
    arch: Architecture,
    work: Workload,
    block_size: int = 16,
    tp: int = 1,
    in_flight_tokens: int = VLLM_BATCHED_TOKENS_SMALL,
) -> int:
    """vLLM: blocks of ``block_size`` tokens per request (vllm/config/cache.py block_size 16).

    Full layers: cdiv(context, block) blocks per sequence. Sliding layers with the hybrid KV manager:
    cdiv(min(window − 1 + tokens in flight, context), block) + 1 blocks (kv_cache_interface.py
    SlidingWindowSpec; tokens in flight = max_num_batched_tokens, runtime.vllm_batched_tokens). Chunked local
    attention (Llama 4) is allocated like full attention by default (vllm/config/vllm.py).
    KV heads are split over tensor-parallel ranks, at least one per rank; MLA is replicated.
    Recurrent layers hold one state per request (MambaSpec); see recurrent_state_bytes.
    """
    check_supported(arch)
    if arch.attention == "csa":
        return vllm_csa_bytes(arch, work, tp, in_flight_tokens)
    # vLLM --kv-cache-dtype: auto/bfloat16/float16 keep 2 bytes, fp8 (= fp8_e4m3) and fp8_e5m2 one byte per value
    # (vllm/config/cache.py CacheDType; per-layer FP32 scales are negligible).
    kv_type = (
        "fp8"
        if work.kv_cache in {"fp8", "fp8_e4m3", "fp8_e5m2"}
        else ("f16" if work.kv_cache in {"f16", "bf16"} else work.kv_cache)
    )
    if kv_type not in {"f16", "fp8"}:
        raise EngineError("kv_cache", f"vLLM caches KV as auto (16-bit) or fp8, not {work.kv_cache}")

    def per_token_layer(full_layer: bool) -> int:
        if arch.attention == "mla":
            assert arch.mla_kv_lora_rank and arch.mla_rope_dim  # check_supported / bytes_per_cell_per_layer
            latent = row_bytes(arch.mla_kv_lora_rank + arch.mla_rope_dim, kv_type)
            if arch.indexer_head_dim:
                latent += arch.indexer_head_dim + arch.indexer_head_dim // VLLM_INDEXER_SCALE_BLOCK * 4
            return latent * tp
        k_width, v_width = arch.kv_widths(full_layer)
        heads = arch.global_kv_heads if full_layer and arch.global_kv_heads else arch.num_kv_heads
        per_rank = max(1, heads // tp)  # KV heads split over ranks, at least one each (replicated below that)
        return (row_bytes(k_width // heads * per_rank, kv_type) + row_bytes(v_width // heads * per_rank, kv_type)) * tp

    counts = layer_counts(arch)
    full_blocks = -(-work.context // block_size)
    n_full, n_windowed = counts[FULL], counts[SLIDING]
    n_full_like = counts[CHUNKED]  # chunked local layers: allocated like full attention
    window_blocks = 0
    if n_windowed:
        assert arch.sliding_window  # check_supported: windowed layers have a window
        window_blocks = min(
            vllm_window_blocks(arch.sliding_window, in_flight_tokens, work.context, block_size), full_blocks
        )
    full_tokens = full_blocks * block_size
    per_sequence = full_tokens * (
        n_full * per_token_layer(True) + n_full_like * per_token_layer(False)
    ) + window_blocks * block_size * n_windowed * per_token_layer(False)
    return per_sequence * work.batch + recurrent_state_bytes(arch, work.batch, "vllm")


# vLLM's DeepSeek V4 cache (vllm/model_executor/layers/deepseek_v4_attention.py, v1/attention/backends/mla/
# sparse_swa.py, layers/deepseek_compressor.py, v1/core/kv_cache_utils.py; the research notes for issue 13 quote
# them): every entry 448 FP8 NoPE bytes + 64 BF16 RoPE values + 7 scale bytes + 1 pad; indexer keys 128 FP8 + one
# FP32 scale; compressor states F32; every page rounded up to 576 bytes.
VLLM_DSV4_ENTRY, VLLM_DSV4_INDEXER_ENTRY, VLLM_DSV4_PAGE_ALIGN = 584, 132, 576
VLLM_DSV4_BLOCK = 256  # tokens per block of the compressed caches (its FlashMLA sparse backend supports 256 only)
VLLM_DSV4_SWA_GROUPS = 2  # kv_cache_utils splits both V4 models' window layers into two groups of one page each
VLLM_DSV4_SWA_BLOCK = 64  # tokens per block of the window groups (sparse_swa.py: the CSA block shape 256 // 4)
# Compressor-state groups: rows per block (deepseek_compressor.py "block shape [4, …]" for CSA, "[8, …]" for HCA).
VLLM_DSV4_STATE_BLOCK = {CSA: 4, HCA: 8}


def vllm_csa_bytes(
    arch: Architecture, work: Workload, tp: int = 1, in_flight_tokens: int = VLLM_BATCHED_TOKENS_SMALL
) -> int:
    """DeepSeek V4 on vLLM, always in its FP8 layout whatever KV type was asked (vLLM runs V4 with an FP8 cache only;
    the planner's vllm serve command passes --kv-cache-dtype fp8). One block id
    addresses a page of every group (the packed layout, vLLM 0.24+): its stride is the largest group's pages —
    CSA keys (64 entries) + indexer keys (64) per CSA layer + HCA keys (2) per HCA layer, or a window group's, or a
    compressor-state group's. A request is charged, as its admission and "Maximum concurrency" count it
    (get_max_concurrency_for_kv_cache_config): cdiv(L, 256) compressed blocks, each window group's cdiv(min(127 +
    X, L), 64) + 1, the CSA states' cdiv(min(7 + X, L), 4) + 1 and the HCA states' cdiv(min(127 + X, L), 8) + 1,
    where X is the tokens in flight; that reservation is why a short context still costs gigabytes. Checked in
    bench/accuracy.py against published vLLM logs. The single KV head is replicated on every tensor-parallel rank."""
    counts = layer_counts(arch)
    n_csa, n_hca, n_raw = counts[CSA], counts[HCA], counts[SLIDING] + counts[CSA] + counts[HCA]

    def page(entries: int, size: int) -> int:
        return pad(entries * size, VLLM_DSV4_PAGE_ALIGN)

    per = VLLM_DSV4_BLOCK // COMPRESS_RATIOS[CSA]
    compressed_group = n_csa * (page(per, VLLM_DSV4_ENTRY) + page(per, VLLM_DSV4_INDEXER_ENTRY)) + n_hca * page(
        VLLM_DSV4_BLOCK // COMPRESS_RATIOS[HCA], VLLM_DSV4_ENTRY
    )
    head, index, f32 = arch.num_kv_heads * arch.head_dim_k, arch.indexer_head_dim or 0, KV_TYPES["f32"][1]
    csa_rows, hca_rows = VLLM_DSV4_STATE_BLOCK[CSA], VLLM_DSV4_STATE_BLOCK[HCA]
    window_group = -(-n_raw // VLLM_DSV4_SWA_GROUPS) * page(VLLM_DSV4_SWA_BLOCK, VLLM_DSV4_ENTRY)
    csa_state_group = n_csa * (page(csa_rows, 2 * 2 * head * f32) + page(csa_rows, 2 * 2 * index * f32))
    hca_state_group = n_hca * page(hca_rows, 2 * head * f32)
    stride = max(compressed_group, window_group, csa_state_group, hca_state_group)
    length = work.context
    assert arch.sliding_window  # check_supported

    def reserved(window: int, block: int) -> int:
        return vllm_window_blocks(window, in_flight_tokens, length, block)

    blocks = (
        -(-length // VLLM_DSV4_BLOCK)
        + VLLM_DSV4_SWA_GROUPS * reserved(arch.sliding_window, VLLM_DSV4_SWA_BLOCK)
        + reserved(DSV4_STATE_ROWS[CSA], csa_rows)
        + reserved(DSV4_STATE_ROWS[HCA], hca_rows)
    )
    return blocks * stride * work.batch * tp


def kv_cache_bytes(
    arch: Architecture,
    work: Workload,
    runtime: str = "llamacpp",
    tp: int = 1,
    in_flight_tokens: int = VLLM_BATCHED_TOKENS_SMALL,
) -> int:
    if work.context <= 0:
        raise EngineError("context", "must be a positive number of tokens")
    if work.batch <= 0:
        raise EngineError("batch", "must be at least 1")
    if not arch.causal:
        # Encoders keep no cache between calls: llama.cpp's llama_model::create_memory returns no memory
        # for BERT, NomicBERT, JinaBERT, ModernBERT, NeoBERT and Gemma-embedding (src/llama-model.cpp), and
        # vLLM runs encoder-only models with encoder-only attention, which allocates no KV blocks.
        return 0
    if runtime == "vllm":
        return vllm_kv_bytes(arch, work, tp=tp, in_flight_tokens=in_flight_tokens)
    return llamacpp_kv_bytes(arch, work)
