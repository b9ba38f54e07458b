"""Recurrent layers' per-sequence state, from a config's dimensions, as llama.cpp sizes it.

llama.cpp keeps two buffers per recurrent layer and sequence (src/llama-hparams.cpp):
n_embd_r = (d_conv − 1) × (d_inner + 2 × n_group × d_state), the rolling convolution input, and
n_embd_s = d_state × d_inner, the SSM (or delta-rule) matrix; LFM2's short convolutions have
n_embd_r = n_embd × (L_cache − 1) and no matrix; RWKV has n_embd_r = token_shift_count × n_embd
(the token shifts) and n_embd_s = n_embd × head_size (the WKV matrix). Each design below says how
its config keys map onto those hparams.
"""

from typing import Any

from .types import EngineError, RecurrentState

# kind -> the dims it needs (names as stored in the catalog, from config.json)
DIMS = {
    # Gated DeltaNet (Qwen3-Next, Qwen3.5/3.6): convert_hf_to_gguf.py Qwen3NextModel maps
    # linear_conv_kernel_dim -> ssm.conv_kernel, linear_key_head_dim -> ssm.state_size,
    # linear_num_key_heads -> ssm.group_count, linear_value_head_dim × linear_num_value_heads -> ssm.inner_size.
    "gated_deltanet": ("conv_kernel", "k_heads", "k_head_dim", "v_heads", "v_head_dim"),
    # Kimi Delta Attention (Kimi Linear): short convolutions on q, k and v and a head_dim² state per head
    # (llama.cpp llama-hparams.cpp, n_embd_head_kda branch: n_embd_r = 3·(d_conv−1)·n_head·head_dim,
    # n_embd_s = head_dim²·n_head).
    "kda": ("conv_kernel", "heads", "head_dim"),
    # Mamba-2 (Nemotron-H, Granite 4.0-H, Jamba 1.5 uses Mamba-1: n_groups 0): d_inner = heads × head_dim.
    "mamba2": ("conv_kernel", "d_inner", "n_groups", "d_state"),
    # LFM2 gated short convolution: conv_L_cache.
    "short_conv": ("l_cache", "hidden_size"),
    # RWKV-6/7: token shifts (2 per layer: time mix and channel mix) and an n_embd × head_size matrix.
    "rwkv": ("hidden_size", "head_size", "token_shift_count"),
}


def _need(kind: str, dims: dict[str, Any]) -> list[int]:
    values = []
    for name in DIMS[kind]:
        value = dims.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise EngineError("architecture", f"{kind} state needs a whole number for {name}")
        values.append(value)
    return values


def recurrent_state(kind: str, dims: dict[str, Any], ssm_dtype_bytes: int = 2) -> RecurrentState:
    """The per-layer state of a ``kind`` recurrent layer with config ``dims`` (see DIMS)."""
    if kind not in DIMS:
        raise EngineError(
            "model", f"the {kind or 'unknown'} recurrent design is not supported by the sizing engine yet"
        )
    if kind == "gated_deltanet":
        conv_kernel, k_heads, k_head_dim, v_heads, v_head_dim = _need(kind, dims)
        d_inner = v_heads * v_head_dim
        conv = (conv_kernel - 1) * (d_inner + 2 * k_heads * k_head_dim)
        state = k_head_dim * d_inner
    elif kind == "kda":
        conv_kernel, heads, head_dim = _need(kind, dims)
        conv = 3 * (conv_kernel - 1) * heads * head_dim
        state = head_dim * head_dim * heads
    elif kind == "mamba2":
        conv_kernel, d_inner, n_groups, d_state = _need(kind, dims)
        conv = (conv_kernel - 1) * (d_inner + 2 * n_groups * d_state)
        state = d_state * d_inner
    elif kind == "short_conv":
        l_cache, hidden = _need(kind, dims)
        conv, state = hidden * (l_cache - 1), 0
    else:
        hidden, head_size, shifts = _need(kind, dims)
        conv, state = shifts * hidden, hidden * head_size
    return RecurrentState(kind=kind, conv_values=conv, state_values=state, ssm_dtype_bytes=ssm_dtype_bytes)
