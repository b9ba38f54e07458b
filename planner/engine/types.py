"""Engine inputs and outputs: frozen dataclasses with units in their names.

Sizes are bytes, bandwidth GB/s (10^9 B/s), compute TFLOPS (10^12 FLOP/s), speeds tokens per second.
"""

from dataclasses import dataclass, field

MIB = 1024**2
GIB = 1024**3


class EngineError(ValueError):
    """An input the engine cannot size; ``field`` names the offending input."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


# Per-layer cache kinds of a hybrid stack (Architecture.layer_kinds).
FULL, SLIDING, CHUNKED, RECURRENT, NO_CACHE = "full", "sliding", "chunked", "recurrent", "none"
# DeepSeek V4's compressed layers (attention "csa"): a 128-token window of raw keys plus one compressed key per 4
# tokens and the lightning indexer's key per 4 (CSA), or one compressed key per 128 tokens (HCA).
CSA, HCA = "csa", "hca"
LAYER_KINDS = (FULL, SLIDING, CHUNKED, RECURRENT, NO_CACHE, CSA, HCA)
COMPRESS_RATIOS = {CSA: 4, HCA: 128}


@dataclass(frozen=True)
class RecurrentState:
    """The fixed-size per-sequence state of one recurrent layer, as llama.cpp counts it.

    ``conv_values`` is llama.cpp's n_embd_r (the rolling convolution or token-shift state) and
    ``state_values`` its n_embd_s (the SSM / delta-rule / WKV matrix), both per layer and sequence
    (llama.cpp src/llama-hparams.cpp n_embd_r()/n_embd_s()); ``kind`` names the design.
    ``ssm_dtype_bytes`` is what vLLM keeps the matrix state in (the config's mamba_ssm_dtype, else the
    model dtype); vLLM keeps the conv state in the model dtype (2 B).
    """

    kind: str
    conv_values: int
    state_values: int
    ssm_dtype_bytes: int = 2


@dataclass(frozen=True)
class Architecture:
    """A transformer as its config.json describes it."""

    name: str
    num_layers: int
    hidden_size: int
    num_heads: int
    num_kv_heads: int
    vocab_size: int
    max_context: int
    head_dim: int | None = None
    params_total: int | None = None
    params_active: int | None = None
    intermediate_size: int | None = None
    tied_embeddings: bool = False
    is_moe: bool = False
    num_experts: int | None = None
    experts_per_token: int | None = None
    first_dense_layers: int = 0  # MoE: leading layers with a dense FFN and no experts (first_k_dense_replace)
    # Attention kinds: "standard" (MHA/GQA), "mla", "swa" (sliding/chunked local + global layers), or "csa"
    # (DeepSeek V4: every layer keeps a window of raw keys, K only; CSA/HCA layers also compressed keys).
    attention: str = "standard"
    mla_kv_lora_rank: int | None = None
    mla_rope_dim: int | None = None
    sliding_window: int | None = None
    swa_local_layers: int | None = None
    swa_global_layers: int | None = None
    window_kind: str = "sliding"  # or "chunked" (Llama 4)
    family: str = ""
    # Hybrid stacks: one of LAYER_KINDS per layer (None: every layer follows ``attention`` above).
    layer_kinds: tuple[str, ...] | None = None
    recurrent: RecurrentState | None = None  # the state of each "recurrent" layer
    # Full-attention layers with their own K/V width (Gemma 4: 2 KV heads × 512 on global layers; its
    # attention_k_eq_v still caches V separately in llama.cpp, so it changes nothing here).
    global_kv_heads: int | None = None
    global_head_dim: int | None = None
    head_dim_v: int | None = None  # V width per head where it differs from K (MiMo-V2: K 192, V 128)
    indexer_head_dim: int | None = None  # DeepSeek Sparse Attention: the indexer's key width per token
    unsupported: str = ""  # why the engine cannot size this design yet (it refuses rather than guess)
    # "generation", or "embedding"/"reranking": models that read documents and generate no tokens.
    task: str = "generation"
    causal: bool = True  # False for encoders (BERT-like): they attend both ways and keep no KV cache
    gated_ffn: bool = True  # gate, up and down FFN matrices; BERT-like encoders have up and down only
    vision_params: int = 0  # the vision encoder and projector (llama.cpp's mmproj file), engine/vision.py
    vision_compute_bytes: int = 0  # llama.cpp's image compute buffer for the family, where a log gives it
    native_quant: str = ""  # the format the publisher's checkpoint is in (MXFP4 for gpt-oss, FP8 for DeepSeek V3)

    @property
    def generates(self) -> bool:
        return self.task == "generation"

    @property
    def head_dim_k(self) -> int:
        """Per-head K width: the config's head_dim, else hidden / heads (HF's default)."""
        return self.head_dim or self.hidden_size // self.num_heads

    def kv_widths(self, full_layer: bool = False) -> tuple[int, int]:
        """(K values, V values) per token in one layer: the full-attention layers' own head count and
        head width where the config gives them (Gemma 4 global_*, MiMo-V2 swa_*), else the default."""
        heads, k_dim, v_dim = self.num_kv_heads, self.head_dim_k, self.head_dim_v or self.head_dim_k
        if full_layer and (self.global_kv_heads or self.global_head_dim):
            heads = self.global_kv_heads or heads
            if self.global_head_dim:
                k_dim = self.global_head_dim
                v_dim = self.head_dim_v or self.global_head_dim
        return heads * k_dim, heads * v_dim

    @property
    def gqa_ratio(self) -> float:
        return self.num_heads / self.num_kv_heads


@dataclass(frozen=True)
class Quantization:
    """A weight format. ``file_size_bytes`` is the exact file when the catalog knows it."""

    name: str
    family: str = "gguf"
    bits_per_weight: float = 16.0
    file_size_bytes: int | None = None


@dataclass(frozen=True)
class Workload:
    context: int = 8192
    batch: int = 1  # parallel sequences, each with `context` tokens
    kv_cache: str = "f16"
    ubatch: int = 512  # llama.cpp -ub default (common/common.h)


CPU_CLASS = "cpu"  # a Device that is the machine's CPU and system RAM (CPU-only plans)


@dataclass(frozen=True)
class Device:
    """One accelerator. ``device_class`` is nvidia, amd, intel, apple, integrated, or cpu (CPU_CLASS: the
    processor itself, its memory the system RAM and its bandwidth the RAM's peak)."""

    name: str
    memory_bytes: int
    bandwidth_gbs: float | None
    device_class: str = "nvidia"
    compute_tflops: float | None = None  # the FP32 shader rate: dequantization and the ops between GEMMs run on it
    unified_memory: bool = False
    usable_fraction_override: float | None = None  # Apple: user's iogpu.wired_limit share
    matrix_tflops: float | None = None  # dense FP16/BF16 matrix (tensor-core) throughput, FP32 accumulate
    matrix_fp16acc_tflops: float | None = None  # dense FP16 with FP16 accumulate, where it differs (GeForce: 2×)
    matrix_fp8_tflops: float | None = None  # dense FP8 matrix throughput (None: no FP8 matrix units)
    matrix_int8_tops: float | None = None  # dense INT8 matrix throughput (None: no INT8 matrix units)
    backend: str = ""  # what llama.cpp drives it with: cuda, rocm, vulkan, metal, sycl ("" unknown)
    compute_units: int | None = None  # SMs (NVIDIA), CUs (AMD), Xe cores (Intel): they bound the reads in flight


@dataclass(frozen=True)
class Runtime:
    """Which server allocates the memory: llamacpp (default), ollama or vllm."""

    name: str = "llamacpp"
    flash_attention: bool = True
    gpu_memory_utilization: float = 0.92  # vLLM default (vllm/config/cache.py)
    block_size: int = 16  # vLLM default KV block (vllm/config/cache.py)
    fit_margin_bytes: int = 1024 * MIB  # llama.cpp --fit per-device margin (tools/fit-params)
    mmq: bool = True  # llama.cpp's INT8 prompt kernels on CUDA (the default since June 2024: speed.llamacpp_mmq)


@dataclass(frozen=True)
class Setup:
    """Devices used together. Identical GPUs repeat the same Device."""

    devices: tuple[Device, ...]
    # System RAM bandwidth when the user gives none: DDR4-3200 in two channels (3200 MT/s × 8 B × 2 = 51.2 GB/s),
    # the slowest kit of the planner's presets (planner/specs.RAM_PRESETS), so an offload plan errs slow.
    host_ram_bandwidth_gbs: float = 51.2
    # What may go to system RAM when VRAM is short: "none", "layers" (llama.cpp -ngl), "experts" (a MoE's
    # routed experts, --n-cpu-moe), "auto" (the fastest that fits). True/False mean "auto"/"none".
    offload: bool | str = False
    ram_bytes: int | None = None  # the machine's system RAM; None: not given, so not checked
    cpu_moe_layers: int | None = None  # the user's llama.cpp --n-cpu-moe N (None: the fewest that fit)

    @property
    def offload_mode(self) -> str:
        if isinstance(self.offload, bool):
            return "auto" if self.offload else "none"
        return self.offload


@dataclass(frozen=True)
class MemoryBreakdown:
    weights_bytes: int
    kv_cache_bytes: int
    overhead_bytes: int
    host_weights_bytes: int = 0  # kept in system RAM (token embedding in llama.cpp, offloaded layers)
    projector_bytes: int = 0  # a multimodal model's vision encoder and projector (mmproj), on the GPU

    @property
    def total_bytes(self) -> int:
        return self.weights_bytes + self.kv_cache_bytes + self.overhead_bytes + self.projector_bytes


@dataclass(frozen=True)
class Speed:
    tok_s: float
    low: float
    high: float


@dataclass(frozen=True)
class Plan:
    memory: MemoryBreakdown
    usable_bytes: int
    fits: bool
    headroom_bytes: int
    offloaded_layers: int
    decode: Speed | None
    prefill: Speed | None
    time_to_first_token_s: float | None
    assumptions: tuple[str, ...] = field(default_factory=tuple)
    offload_mode: str = "none"  # what went to system RAM: none, layers or experts
    cpu_moe_layers: int = 0  # layers whose routed experts are in system RAM (llama.cpp --n-cpu-moe N)
    ram_needed_bytes: int = 0  # system RAM the plan needs: host weights and KV plus the OS reserve
