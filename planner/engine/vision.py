"""The vision encoder and projector of a multimodal model: llama.cpp's separate ``mmproj`` GGUF, vLLM's
vision tower. Pure: a config's ``vision_config`` dimensions in, parameters and bytes out.

A ViT block is attention (Q, K, V, O: 4·h² weights) plus an MLP of two matrices (h·i each; three when it is
gated, SwiGLU as in Qwen2.5-VL and Pixtral); a patch embedding (channels · patch² · temporal patch · h);
learned position embeddings where the config has a table; and a projector into the language model's width:
- one matrix when tokens map one to one (Gemma 3's mm_input_projection);
- an MLP over merged patches when 2×2 patches become one token (Qwen-VL's merger: merged width → merged
  width → LM width), with one more such merger per "deepstack" layer in Qwen3-VL;
- Mistral 3 (Pixtral): a patch merger (merged width → h) then a two-layer MLP (h → LM width → LM width).
Biases and norms are left out (under 1 % of these encoders). Checked against llama.cpp's printed mmproj
sizes in bench/accuracy.py (vision rows).
"""

from typing import Any

PROJECTOR_BYTES_PER_PARAM = 2  # mmproj files are written F16 (convert_hf_to_gguf.py --mmproj default); vLLM loads BF16

# llama.cpp's image compute buffer (libmtmd warm-up with its default largest image, flash attention on), by
# model family, as printed in public logs ("alloc_compute_meta: CUDA0 compute buffer size"):
# - gemma3: 121.25 MiB at 896×896 (llama.cpp PR #22790 log; gpustack/gguf-parser-go#44 table: 121 MiB FA on)
# - qwen2_5_vl: 704.79 MiB at 1288×1288 (ROCm log, KlimtechRAG; gguf-parser-go#44 table: 705 MiB FA on)
# - qwen3_vl / qwen3_5 / qwen3_5_moe merger: 248.10 MiB at 1472×1472 (27B-class Qwen3.5 log); the 4B prints
#   223.30 MiB and gguf-parser-go#44 lists 323 MiB for Qwen3-VL: the largest-sized of the two Qwen3.5 logs is kept.
# Without flash attention these buffers are ~7-40× larger (gguf-parser-go#44: gemma3 1132, Qwen2.5-VL 4872 MiB).
IMAGE_COMPUTE_MIB = {
    "gemma3": 121.25,
    "qwen2_5_vl": 704.79,
    "qwen3_vl": 248.10,
    "qwen3_vl_moe": 248.10,
    "qwen3_5": 248.10,
    "qwen3_5_moe": 248.10,
}
MIB = 1024**2


def vision_encoder_params(dims: dict[str, Any]) -> int:
    """Weights of the encoder plus projector, from the dims catalog/hf_config.vision_dims reads."""
    h, i, layers = dims["hidden"], dims["intermediate"], dims["layers"]
    per_layer = 4 * h * h + (3 if dims.get("gated") else 2) * h * i
    patch = dims.get("channels", 3) * dims.get("patch", 14) ** 2 * dims.get("temporal_patch", 1) * h
    positions = dims.get("positions", 0) * h
    merge = dims.get("merge", 1)
    merged = h * merge**2
    out = dims.get("out_hidden") or h
    if dims.get("family") == "mistral3":
        projector = (merged * h if merge > 1 else 0) + h * out + out * out
    elif merge > 1:
        projector = (merged * merged + merged * out) * (1 + dims.get("extra_projectors", 0))
    else:
        projector = merged * out
    return int(layers * per_layer + patch + positions + projector)


def image_compute_bytes(dims: dict[str, Any] | None) -> int:
    """The encoder's compute buffer for one image where a public log gives it for the family, else 0."""
    return round(IMAGE_COMPUTE_MIB.get((dims or {}).get("family", ""), 0) * MIB)
