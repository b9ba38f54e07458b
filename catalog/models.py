"""The catalog: open-weight LLMs, quantization formats, a model's published quantizations,
benchmark scores and the GPU catalog.

Invariants are database constraints; every row has a natural key so fixtures survive primary-key
churn. Sizes are stored in bytes, bandwidth in GB/s (10^9 bytes per second), prices in USD.
"""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

GIB = 1024**3


def not_in_the_future(value) -> None:
    """A release date is a fact of the past: the admin, the API and the CSV import all check it through the field."""
    if value and value > timezone.localdate():
        raise ValidationError("Release date cannot be in the future.")


class TagManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Tag(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=60)

    objects = TagManager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class QuantFormatManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class QuantFormat(models.Model):
    """A weight quantization format (GGUF file type, GPTQ/AWQ, FP8, MX/NV FP4, floats)."""

    class Family(models.TextChoices):
        FLOAT = "float", "Float"
        GGUF = "gguf", "GGUF"
        GPTQ = "gptq", "GPTQ"
        AWQ = "awq", "AWQ"
        BNB = "bnb", "bitsandbytes"
        EXL2 = "exl2", "EXL2"
        FP8 = "fp8", "FP8"
        MXFP4 = "mxfp4", "MXFP4"
        NVFP4 = "nvfp4", "NVFP4"

    name = models.CharField(max_length=60, unique=True)
    family = models.CharField(max_length=10, choices=Family.choices)
    base_type = models.CharField(max_length=20, blank=True, help_text="Bulk ggml tensor type of a GGUF file type.")
    block_weights = models.PositiveIntegerField(null=True, blank=True)
    block_bytes = models.FloatField(null=True, blank=True)
    bits_per_weight = models.FloatField(help_text="Nominal bits per weight of the base tensor type.")
    file_bpw_reference = models.FloatField(
        null=True, blank=True, help_text="Whole-file bits per weight of Llama-3.1-8B in this format (llama.cpp table)."
    )
    quality_pct = models.FloatField(
        null=True, blank=True, help_text="100 × PPL(F16) / PPL(quant) on the source's own baseline."
    )
    perplexity = models.FloatField(null=True, blank=True)
    kl_divergence = models.FloatField(null=True, blank=True)
    quality_source = models.TextField(blank=True)
    recipe_notes = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    source = models.TextField(blank=True)

    objects = QuantFormatManager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(bits_per_weight__gt=0), name="quantformat_bpw_positive"),
            models.CheckConstraint(
                condition=Q(quality_pct__isnull=True) | Q(quality_pct__gte=0, quality_pct__lte=100),
                name="quantformat_quality_0_100",
            ),
            models.CheckConstraint(
                condition=Q(block_bytes__isnull=True) | Q(block_bytes__gt=0), name="quantformat_block_bytes_positive"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class LLMQuerySet(models.QuerySet):
    def with_catalog_relations(self):
        """Everything a model page or API detail needs, in a fixed number of queries."""
        return self.prefetch_related("tags", "quantizations__fmt", "benchmarks")

    def reviewed(self):
        """The curated catalog: default lists show only these, never models looked up from the Hub."""
        return self.filter(reviewed=True)

    def listed(self, searching: bool):
        """What a list shows: the catalog; a search also finds models looked up from the Hub, but not pasted
        configs (their names are whatever the paster wrote)."""
        return self.exclude(hf_repo_id__startswith=LLM.PASTED) if searching else self.reviewed()


_LLMManagerBase = models.Manager.from_queryset(LLMQuerySet)


class LLMManager(_LLMManagerBase):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


RECOMMENDED_KEYS = {
    "temperature": float,
    "temperature_min": float,
    "temperature_max": float,
    "top_p": float,
    "system_prompt": str,
    "thinking_prefix": str,
    "prompt_tip": str,
}


def validate_recommended(value) -> None:
    """Recommended settings are a flat object of known keys: numbers for sampling, text for prompts."""

    if not isinstance(value, dict):
        raise ValidationError("Recommended settings must be an object.")
    for key, item in value.items():
        kind = RECOMMENDED_KEYS.get(key)
        if kind is None:
            raise ValidationError(f"Unknown recommended setting {key!r}; known: {', '.join(RECOMMENDED_KEYS)}.")
        if kind is float and (isinstance(item, bool) or not isinstance(item, int | float) or not 0 <= item <= 2):
            raise ValidationError(f"{key} must be a number from 0 to 2.")
        if kind is str and not isinstance(item, str):
            raise ValidationError(f"{key} must be text.")


class LLM(models.Model):
    """An open-weight model with the architecture facts the sizing engine needs."""

    class Architecture(models.TextChoices):
        DENSE = "dense", "Dense"
        MOE = "moe", "MoE"

    class Attention(models.TextChoices):
        MHA = "mha", "Multi-head (MHA)"
        GQA = "gqa", "Grouped-query (GQA)"
        MLA = "mla", "Multi-head latent (MLA)"
        SWA = "swa-hybrid", "Sliding-window hybrid"
        HYBRID = "hybrid", "Hybrid (recurrent + attention)"

    class Task(models.TextChoices):
        GENERATION = "generation", "Text generation"
        EMBEDDING = "embedding", "Embedding"
        RERANKING = "reranking", "Reranking"

    class WindowKind(models.TextChoices):
        NONE = "", "None"
        SLIDING = "sliding", "Sliding window"
        CHUNKED = "chunked", "Chunked local"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    hf_repo_id = models.CharField("Hugging Face repo id", max_length=200, unique=True)
    family = models.CharField(max_length=60, db_index=True)
    developer = models.CharField(max_length=60, db_index=True)
    release_date = models.DateField(null=True, blank=True, validators=[not_in_the_future])
    license = models.CharField(max_length=60, blank=True)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="llms")

    architecture = models.CharField(max_length=10, choices=Architecture.choices, default=Architecture.DENSE)
    model_type = models.CharField(max_length=40, blank=True, help_text="config.json model_type, e.g. llama, qwen3_moe.")
    task = models.CharField(
        max_length=10,
        choices=Task.choices,
        default=Task.GENERATION,
        help_text="Embedding and reranking models read documents and generate no tokens.",
    )
    causal = models.BooleanField(default=True, help_text="Off for encoders (BERT-like): no KV cache.")
    gated_ffn = models.BooleanField(
        default=True, help_text="Gate, up and down FFN matrices; off for BERT-like up/down."
    )
    params_total = models.BigIntegerField(null=True, blank=True, help_text="Total parameters.")
    params_active = models.BigIntegerField(null=True, blank=True, help_text="Parameters used per token (MoE).")
    num_layers = models.PositiveIntegerField()
    hidden_size = models.PositiveIntegerField()
    intermediate_size = models.PositiveIntegerField(null=True, blank=True, help_text="Dense FFN width.")
    num_attention_heads = models.PositiveIntegerField()
    num_kv_heads = models.PositiveIntegerField()
    head_dim = models.PositiveIntegerField(null=True, blank=True, help_text="Blank for MLA models.")
    vocab_size = models.PositiveIntegerField()
    max_context = models.PositiveIntegerField()
    tied_embeddings = models.BooleanField(default=False)
    num_experts = models.PositiveIntegerField(null=True, blank=True)
    num_experts_per_token = models.PositiveIntegerField(null=True, blank=True)
    first_dense_layers = models.PositiveIntegerField(
        default=0, help_text="MoE: leading layers with a dense FFN and no experts (config first_k_dense_replace)."
    )

    attention = models.CharField(max_length=12, choices=Attention.choices, default=Attention.GQA)
    window_kind = models.CharField(max_length=10, choices=WindowKind.choices, blank=True, default="")
    sliding_window = models.PositiveIntegerField(null=True, blank=True)
    swa_local_layers = models.PositiveIntegerField(null=True, blank=True, help_text="Local layers per period.")
    swa_global_layers = models.PositiveIntegerField(null=True, blank=True, help_text="Global layers per period.")
    swa_pattern_text = models.CharField(max_length=120, blank=True)
    mla_kv_lora_rank = models.PositiveIntegerField(null=True, blank=True)
    mla_rope_dim = models.PositiveIntegerField(null=True, blank=True)
    # 2026 designs (catalog/hf_config.py reads them from config.json; the engine sizes them).
    layer_pattern = models.CharField(
        max_length=400,
        blank=True,
        help_text="One letter per layer: F full attention, S sliding, C chunked, R recurrent, N no own cache. "
        "Blank: every layer follows the attention kind.",
    )
    recurrent = models.JSONField(default=dict, blank=True, help_text="Recurrent layers' design and dimensions.")
    native_quant = models.CharField(
        max_length=40,
        blank=True,
        help_text="The format its own checkpoint is published in (config quantization_config), "
        "e.g. MXFP4, FP8-Block-128x128; blank for 16-bit.",
    )
    vision = models.JSONField(
        default=dict,
        blank=True,
        help_text="Vision encoder dimensions (from vision_config); blank for text-only models.",
    )
    head_dim_v = models.PositiveIntegerField(
        null=True, blank=True, help_text="V width per head where it differs from K."
    )
    global_kv_heads = models.PositiveIntegerField(null=True, blank=True, help_text="KV heads of full-attention layers.")
    global_head_dim = models.PositiveIntegerField(
        null=True, blank=True, help_text="Head width of full-attention layers."
    )
    indexer_head_dim = models.PositiveIntegerField(
        null=True, blank=True, help_text="DeepSeek Sparse Attention indexer key width."
    )
    unsupported_reason = models.CharField(
        max_length=200,
        blank=True,
        help_text="A design the sizing engine cannot size yet; pages say so instead of sizing it.",
    )
    config_source = models.TextField(
        blank=True, help_text="Where the config.json the architecture comes from was read."
    )

    # What the model's own card and its publishers say (fixtures/source/model_cards.csv; the Hub refresh).
    license_url = models.URLField(blank=True)
    paper_url = models.URLField(blank=True)
    languages = models.CharField(max_length=200, blank=True, help_text="Comma-separated, as the card lists them.")
    tool_calling = models.BooleanField(null=True, blank=True, help_text="Blank: no source says.")
    input_modalities = models.CharField(
        max_length=60, blank=True, help_text="Comma-separated: text, image, audio, video."
    )
    output_modalities = models.CharField(max_length=60, blank=True)
    knowledge_cutoff = models.CharField(
        max_length=7,
        blank=True,
        validators=[RegexValidator(r"^\d{4}-(0[1-9]|1[0-2])$", "Use YYYY-MM.")],
        help_text="YYYY-MM.",
    )
    knowledge_cutoff_estimated = models.BooleanField(
        default=False, help_text="The source marks the cutoff as estimated."
    )
    recommended = models.JSONField(
        default=dict,
        blank=True,
        validators=[validate_recommended],
        help_text="Recommended settings: temperature, temperature_min, temperature_max, top_p, system_prompt, "
        "thinking_prefix, prompt_tip.",
    )
    card_source = models.TextField(blank=True, help_text="Where the card facts above come from.")
    card_markdown = models.TextField(blank=True, help_text="The Hub model card (README.md), fetched by the refresh.")
    card_fetched_at = models.DateTimeField(null=True, blank=True)

    hf_downloads = models.PositiveBigIntegerField(null=True, blank=True)
    hf_likes = models.PositiveIntegerField(null=True, blank=True)
    hf_stats_date = models.DateField(null=True, blank=True, help_text="When downloads and likes were read.")
    hf_stats_source = models.TextField(blank=True)
    ollama_tag = models.CharField(max_length=80, blank=True)
    ollama_tags = models.JSONField(
        default=dict,
        blank=True,
        help_text='Ollama library tag per GGUF format, e.g. {"Q4_K_M": "llama3.1:8b-instruct-q4_K_M"}.',
    )
    gguf_repo = models.CharField(max_length=200, blank=True, help_text="A Hugging Face repository of its GGUF files.")
    gguf_quants = models.JSONField(
        default=list, blank=True, help_text="The formats that repository's file listing shows; empty: not on record."
    )
    docker_model = models.CharField(max_length=120, blank=True)
    run_commands_source = models.TextField(blank=True)

    source = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    locked_fields = models.JSONField(default=list, blank=True, help_text="Fields set by hand; refresh skips them.")
    reviewed = models.BooleanField(
        default=True,
        db_index=True,
        help_text="Off for a model a user looked up on the Hub (a HubLookup) until staff promote it into the catalog.",
    )

    objects = LLMManager()

    class Meta:
        verbose_name = "LLM"
        verbose_name_plural = "LLMs"
        ordering = ["family", "params_total", "name"]
        indexes = [  # the list filters compare case-insensitively (family__iexact, developer__iexact)
            models.Index(Upper("family"), name="llm_family_upper_idx"),
            models.Index(Upper("developer"), name="llm_developer_upper_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(params_total__isnull=True) | Q(params_total__gt=0), name="llm_params_positive"
            ),
            models.CheckConstraint(
                condition=Q(params_active__isnull=True)
                | Q(params_total__isnull=True)
                | Q(params_active__lte=models.F("params_total")),
                name="llm_active_le_total",
            ),
            models.CheckConstraint(
                condition=Q(params_active__isnull=True) | Q(params_active__gt=0), name="llm_active_positive"
            ),
            models.CheckConstraint(
                condition=Q(
                    num_layers__gt=0, hidden_size__gt=0, num_attention_heads__gt=0, vocab_size__gt=0, max_context__gt=0
                ),
                name="llm_dims_positive",
            ),
            models.CheckConstraint(
                condition=Q(num_kv_heads__gt=0, num_kv_heads__lte=models.F("num_attention_heads")),
                name="llm_kv_heads_1_to_heads",
            ),
            models.CheckConstraint(
                condition=~Q(attention="mla")
                | Q(
                    mla_kv_lora_rank__isnull=False,
                    mla_rope_dim__isnull=False,
                    mla_kv_lora_rank__gt=0,
                    mla_rope_dim__gt=0,
                ),
                name="llm_mla_dims_required",
            ),
            models.CheckConstraint(
                condition=Q(attention="mla") | Q(head_dim__isnull=False, head_dim__gt=0),
                name="llm_head_dim_required_unless_mla",
            ),
            models.CheckConstraint(
                condition=~Q(attention="swa-hybrid") | Q(sliding_window__isnull=False, sliding_window__gt=0),
                name="llm_swa_window_required",
            ),
            models.CheckConstraint(condition=Q(layer_pattern__regex=r"^[FSCRN]*$"), name="llm_layer_pattern_letters"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("planner:model_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    # Fields the Hub refresh maintains; an admin's edit locks them like GPU specs.
    LOCKABLE_FIELDS = (
        "license",
        "num_layers",
        "hidden_size",
        "intermediate_size",
        "num_attention_heads",
        "num_kv_heads",
        "head_dim",
        "vocab_size",
        "max_context",
        "tied_embeddings",
        "num_experts",
        "num_experts_per_token",
        "sliding_window",
        "mla_kv_lora_rank",
        "mla_rope_dim",
        "params_total",
        "params_active",
        "hf_downloads",
        "hf_likes",
        "layer_pattern",
        "recurrent",
        "head_dim_v",
        "global_kv_heads",
        "global_head_dim",
        "indexer_head_dim",
        "unsupported_reason",
    )

    def is_locked(self, field: str) -> bool:
        return field in self.locked_fields

    # A model sized from a config.json a user pasted has no repository: its hf_repo_id is this prefix and a digest
    # (":" is in no Hub repository id, so no repository can be taken for one).
    PASTED = "pasted:"

    @property
    def pasted(self) -> bool:
        return self.hf_repo_id.startswith(self.PASTED)

    @property
    def is_moe(self) -> bool:
        return self.architecture == self.Architecture.MOE


class ModelQuantManager(models.Manager):
    def get_by_natural_key(self, llm_slug, fmt_name):
        return self.get(llm__slug=llm_slug, fmt__name=fmt_name)


class ModelQuant(models.Model):
    """A model published in a format: the exact file size when known, and where to get it."""

    llm = models.ForeignKey(LLM, on_delete=models.CASCADE, related_name="quantizations")
    fmt = models.ForeignKey(QuantFormat, on_delete=models.PROTECT, related_name="model_quants", verbose_name="format")
    file_size_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Exact file size; blank means the engine computes it."
    )
    repo_id = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=250, blank=True)
    source = models.TextField(blank=True)

    objects = ModelQuantManager()

    class Meta:
        ordering = ["llm", "fmt__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["llm", "fmt"], name="modelquant_unique_llm_fmt"),
            models.CheckConstraint(
                condition=Q(file_size_bytes__isnull=True) | Q(file_size_bytes__gt=0), name="modelquant_size_positive"
            ),
        ]

    def __str__(self):
        return f"{self.llm} {self.fmt}"

    def natural_key(self):
        return (self.llm.slug, self.fmt.name)

    natural_key.dependencies = ["catalog.llm", "catalog.quantformat"]  # type: ignore[attr-defined]  # Django\'s documented way


class BenchmarkScoreManager(models.Manager):
    def get_by_natural_key(self, llm_slug, name):
        return self.get(llm__slug=llm_slug, name=name)


class BenchmarkScore(models.Model):
    llm = models.ForeignKey(LLM, on_delete=models.CASCADE, related_name="benchmarks")
    name = models.CharField(max_length=80)
    category = models.CharField(max_length=40, blank=True, help_text="E.g. Math, Code, Knowledge, Reasoning.")
    score = models.FloatField()
    source = models.TextField()

    objects = BenchmarkScoreManager()

    class Meta:
        ordering = ["llm", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["llm", "name"], name="benchmark_unique_llm_name"),
            models.CheckConstraint(condition=Q(score__gte=0), name="benchmark_score_non_negative"),
        ]

    def __str__(self):
        return f"{self.name}: {self.score}"

    def natural_key(self):
        return (self.llm.slug, self.name)

    natural_key.dependencies = ["catalog.llm"]  # type: ignore[attr-defined]  # Django\'s documented way


# Upper bounds for every GPU figure, ten times or more past the largest real part (an 8-GPU board's 1.5 TB, 8 TB/s,
# a few thousand dense TFLOPS, 1,400 W): a figure beyond one is a typo or a broken feed, and an unbounded float
# (1e308) would turn every speed into infinity. Enforced by the database, the model's validators (admin, CSV,
# feeds) and, through them, the API serializer.
GPU_LIMITS: dict[str, int | float | Decimal] = {
    "memory_bytes": 64 * 1024**4,
    "bus_width_bits": 65_536,
    "bandwidth_gbs": 100_000.0,
    "fp16_tflops": 100_000.0,
    "fp32_tflops": 100_000.0,
    "tensor_fp16_tflops": 100_000.0,
    "tensor_fp8_tflops": 100_000.0,
    "tensor_int8_tops": 100_000.0,
    "tdp_w": 100_000,
    "launch_price_usd": Decimal("10000000"),
    "street_price_usd": Decimal("10000000"),
}


class GPUQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def with_current_price(self):
        """Annotated ``current_price``: GPU.current_price_usd in SQL (a dated retail price, else the launch price of
        a card released since GPU.launch_price_since(), else null)."""
        if "current_price" in self.query.annotations:
            return self
        return self.annotate(
            current_price=Case(
                When(street_price_usd__isnull=False, then=F("street_price_usd")),
                When(release_date__gte=GPU.launch_price_since(), then=F("launch_price_usd")),
                default=None,
            )
        )

    def priced_at_most(self, usd):
        """GPUs whose current price is at most ``usd``; a card with no current price is not."""
        return self.with_current_price().filter(current_price__lte=usd)


_GPUManagerBase = models.Manager.from_queryset(GPUQuerySet)


class GPUManager(_GPUManagerBase):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class GPU(models.Model):
    """A GPU (or an Apple chip × memory option) with the specs that decide fit and speed."""

    class Segment(models.TextChoices):
        CONSUMER = "consumer", "Consumer"
        WORKSTATION = "workstation", "Workstation"
        DATACENTER = "datacenter", "Datacenter"
        INTEGRATED = "integrated", "Integrated"
        APPLE = "apple", "Apple unified memory"

    vendor = models.CharField(max_length=20, db_index=True)
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    architecture = models.CharField(max_length=40, blank=True)
    release_date = models.DateField(null=True, blank=True, validators=[not_in_the_future])
    release_year_only = models.BooleanField(default=False, help_text="Source gives only the year.")
    memory_bytes = models.PositiveBigIntegerField(validators=[MaxValueValidator(GPU_LIMITS["memory_bytes"])])
    memory_type = models.CharField(max_length=20, blank=True)
    bus_width_bits = models.PositiveIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(GPU_LIMITS["bus_width_bits"])]
    )
    bandwidth_gbs = models.FloatField(
        null=True,
        blank=True,
        help_text="GB/s (10^9 bytes per second).",
        validators=[MaxValueValidator(GPU_LIMITS["bandwidth_gbs"])],
    )
    fp16_tflops = models.FloatField(
        null=True,
        blank=True,
        help_text="Shader FP16 rate (TechPowerUp).",
        validators=[MaxValueValidator(GPU_LIMITS["fp16_tflops"])],
    )
    fp32_tflops = models.FloatField(null=True, blank=True, validators=[MaxValueValidator(GPU_LIMITS["fp32_tflops"])])
    tensor_fp16_tflops = models.FloatField(
        null=True,
        blank=True,
        help_text="Dense FP16/BF16 tensor throughput.",
        validators=[MaxValueValidator(GPU_LIMITS["tensor_fp16_tflops"])],
    )
    tensor_fp8_tflops = models.FloatField(
        "Tensor FP8 TFLOPS",
        null=True,
        blank=True,
        help_text="Dense FP8 matrix throughput (a vLLM FP8 checkpoint's GEMMs).",
        validators=[MaxValueValidator(GPU_LIMITS["tensor_fp8_tflops"])],
    )
    tensor_int8_tops = models.FloatField(
        "Tensor INT8 TOPS",
        null=True,
        blank=True,
        help_text="Dense INT8 matrix throughput (llama.cpp's quantized prompt kernels multiply in INT8).",
        validators=[MaxValueValidator(GPU_LIMITS["tensor_int8_tops"])],
    )
    tdp_w = models.PositiveIntegerField(null=True, blank=True, validators=[MaxValueValidator(GPU_LIMITS["tdp_w"])])
    launch_price_usd = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MaxValueValidator(GPU_LIMITS["launch_price_usd"])],
    )
    street_price_usd = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MaxValueValidator(GPU_LIMITS["street_price_usd"])],
    )
    street_price_observed_at = models.DateField(null=True, blank=True)
    segment = models.CharField(max_length=12, choices=Segment.choices, db_index=True)
    is_active = models.BooleanField(default=True)
    # What can drive it (fixtures/source/gpu_backends.csv): which runtimes run on it is planner/specs.py's rule.
    backends = models.CharField(
        max_length=60,
        blank=True,
        validators=[
            RegexValidator(
                r"^((cuda|rocm|vulkan|metal|sycl)(,|$))*$", "Comma-separated: cuda, rocm, vulkan, metal, sycl."
            )
        ],
        help_text="Compute backends a current llama.cpp can use on it: cuda, rocm, vulkan, metal, sycl.",
    )
    cuda_cc = models.CharField(
        "CUDA compute capability",
        max_length=20,
        blank=True,
        help_text="E.g. 8.6; several separated by ';' when the architecture spans them.",
    )
    gfx_target = models.CharField(
        "AMD gfx target",
        max_length=60,
        blank=True,
        help_text="E.g. gfx1100; several separated by ';' when not pinned to one.",
    )
    backends_source = models.TextField(blank=True)

    source = models.TextField(blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    admin_edited_at = models.DateTimeField(null=True, blank=True)
    locked_fields = models.JSONField(default=list, blank=True, help_text="Fields set by hand; refresh skips them.")
    stale_since = models.DateTimeField(null=True, blank=True, help_text="Missing from the GPU feed since then.")

    objects = GPUManager()

    # Spec fields an admin may set by hand; a field set by hand is locked against the refresh.
    LOCKABLE_FIELDS = (
        "vendor",
        "name",
        "architecture",
        "release_date",
        "release_year_only",
        "memory_bytes",
        "memory_type",
        "bus_width_bits",
        "bandwidth_gbs",
        "fp16_tflops",
        "fp32_tflops",
        "tensor_fp16_tflops",
        "tensor_fp8_tflops",
        "tensor_int8_tops",
        "tdp_w",
        "launch_price_usd",
        "street_price_usd",
        "street_price_observed_at",
        "segment",
        "is_active",
    )

    class Meta:
        verbose_name = "GPU"
        ordering = ["memory_bytes", "name"]
        # Each serves a filter of the list pages and the API; bench/explain.py shows the plans before/after.
        indexes = [
            models.Index(fields=["is_active", "memory_bytes"], name="gpu_active_memory_idx"),
            models.Index(fields=["memory_bytes", "name"], name="gpu_memory_idx"),
            models.Index(Upper("vendor"), name="gpu_vendor_upper_idx"),  # vendor__iexact cannot use a plain index
        ]
        constraints = [
            models.CheckConstraint(condition=Q(memory_bytes__gt=0), name="gpu_memory_positive"),
            models.CheckConstraint(
                condition=Q(bandwidth_gbs__isnull=True) | Q(bandwidth_gbs__gt=0), name="gpu_bandwidth_positive"
            ),
            models.CheckConstraint(
                condition=Q(launch_price_usd__isnull=True) | Q(launch_price_usd__gte=0),
                name="gpu_launch_price_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(street_price_usd__isnull=True) | Q(street_price_usd__gte=0),
                name="gpu_street_price_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(fp16_tflops__isnull=True) | Q(fp16_tflops__gt=0), name="gpu_fp16_positive"
            ),
            models.CheckConstraint(
                condition=Q(tensor_fp16_tflops__isnull=True) | Q(tensor_fp16_tflops__gt=0), name="gpu_tensor_positive"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": 0}), name=f"gpu_{field}_positive"
                )
                for field in ("tensor_fp8_tflops", "tensor_int8_tops")
            ],
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": limit}),
                    name=f"gpu_{field}_bounded",
                )
                for field, limit in GPU_LIMITS.items()
            ],
        ]

    def __str__(self):
        return f"{self.vendor} {self.name}" if not self.name.startswith(self.vendor) else self.name

    def get_absolute_url(self):
        # Kept on the instance (per slug): a model page links 100 GPUs of the long-lived catalog snapshot,
        # and reverse() was 4% of the server's CPU under load (bench/README.md).
        slug, url = self.__dict__.get("_url_for", (None, None))
        if slug != self.slug:
            url = reverse("planner:gpu_detail", args=[self.slug])
            self.__dict__["_url_for"] = (self.slug, url)
        return url

    def natural_key(self):
        return (self.slug,)

    @property
    def memory_gib(self) -> float:
        return self.memory_bytes / GIB

    def is_locked(self, field: str) -> bool:
        return field in self.locked_fields

    BACKEND_LABELS = {
        "cuda": "CUDA",
        "rocm": "ROCm",
        "vulkan": "Vulkan",
        "metal": "Metal",
        "sycl": "SYCL",
        "unknown": "unknown backend",
    }

    @property
    def backend_labels(self) -> list[str]:
        return [self.BACKEND_LABELS.get(b, b) for b in self.backends.split(",") if b]

    # Cards people buy today: released in the last six years (the span issue 13 asks prices for) or with a dated
    # retail price; the model page lists these by default, older ones behind a toggle.
    SOLD_TODAY_YEARS = 6

    @property
    def sold_today(self) -> bool:
        from django.utils import timezone

        if self.street_price_usd is not None:
            return True
        return self.release_date is not None and (
            (timezone.localdate() - self.release_date).days <= 365.25 * self.SOLD_TODAY_YEARS
        )

    # A launch list price stops being what a buyer pays once the card has been out this long: NVIDIA and AMD
    # replace a consumer generation about every two years, and two generations on a card is sold used or not
    # at all. A product rule for "best value" and "cheapest", not an engine constant.
    LAUNCH_PRICE_CURRENT_YEARS = 4

    @classmethod
    def launch_price_since(cls):
        """The earliest release date whose launch price still counts as a price today."""
        from django.utils import timezone

        return timezone.localdate() - timedelta(days=365.25 * cls.LAUNCH_PRICE_CURRENT_YEARS)

    @property
    def current_price_usd(self):
        """The price to rank by today: a dated retail observation, else the launch price of a recent card."""
        if self.street_price_usd is not None:
            return self.street_price_usd
        if self.launch_price_usd is not None and self.release_date and self.release_date >= self.launch_price_since():
            return self.launch_price_usd
        return None

    @property
    def price_label(self) -> str:
        """What the price is and of when: a dated retail observation, or the launch list price."""
        if self.street_price_usd is not None:
            return f"retail, {self.street_price_observed_at:%b %Y}" if self.street_price_observed_at else "retail"
        if self.launch_price_usd is not None:
            return f"launch price, {self.release_date:%Y}" if self.release_date else "launch price"
        return ""

    @property
    def price_usd(self):
        """The price a buyer would pay today: street price when known, otherwise launch price."""
        return self.street_price_usd if self.street_price_usd is not None else self.launch_price_usd


class MeasurementManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(key=key)


class Measurement(models.Model):
    """A published speed measurement of a model on a GPU: what the calibration is fitted on (bench/calibrate.py reads
    these rows) and what the site shows beside its estimate. Every row names its source."""

    class Runtime(models.TextChoices):
        LLAMACPP = "llamacpp", "llama.cpp"
        OLLAMA = "ollama", "Ollama"
        VLLM = "vllm", "vLLM"

    class Kind(models.TextChoices):
        DECODE = "decode", "Decode (generation)"
        PREFILL = "prefill", "Prefill (prompt processing)"

    key = models.SlugField(
        max_length=40, unique=True, default="", blank=True, help_text="Stable identifier (filled in when left blank)."
    )
    llm = models.ForeignKey(
        LLM,
        on_delete=models.CASCADE,
        related_name="measurements",
        help_text="The catalog model with the measured model's shapes.",
    )
    model_label = models.CharField(max_length=120, help_text="The model as the source names it.")
    gpu = models.ForeignKey(GPU, on_delete=models.CASCADE, related_name="measurements")
    gpu_label = models.CharField(max_length=120, blank=True, help_text="The GPU as the source names it.")
    n_gpus = models.PositiveSmallIntegerField(default=1)
    bandwidth_gbs = models.FloatField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(GPU_LIMITS["bandwidth_gbs"])],
        help_text="The measured part's bandwidth when the source states a lower bin than the catalog GPU's.",
    )
    quant = models.CharField(max_length=60, help_text="The format, as the catalog names it (Q4_K_M, F16, MXFP4…).")
    file_size_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    runtime = models.CharField(max_length=10, choices=Runtime.choices, default=Runtime.LLAMACPP)
    backend = models.CharField(max_length=60, blank=True, help_text="CUDA, ROCm, Vulkan, Metal, SYCL…")
    test = models.CharField(max_length=80, help_text="The benchmark as the source names it: pp512, tg128, …")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    depth = models.PositiveIntegerField(
        help_text="Tokens in the KV cache on average while the test runs (tg128: 64; pp512: 512)."
    )
    tok_s = models.FloatField(validators=[MaxValueValidator(1_000_000.0)])
    build = models.CharField(max_length=80, blank=True, help_text="Runtime version or commit.")
    measured_on = models.CharField(max_length=40, blank=True, help_text="When, as precisely as the source says.")
    source = models.TextField(help_text="Where the figure is published (a link and, if needed, where on the page).")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MeasurementManager()

    class Meta:
        ordering = ["llm", "gpu", "kind", "quant", "depth"]
        indexes = [models.Index(fields=["llm", "gpu", "runtime"], name="measurement_plan_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(tok_s__gt=0) & Q(tok_s__lte=1_000_000), name="measurement_tok_s_range"),
            models.CheckConstraint(condition=Q(n_gpus__gte=1), name="measurement_n_gpus_positive"),
            models.CheckConstraint(condition=~Q(source=""), name="measurement_has_source"),
            models.CheckConstraint(
                condition=Q(bandwidth_gbs__isnull=True) | Q(bandwidth_gbs__gt=0), name="measurement_bandwidth_positive"
            ),
        ]

    def __str__(self):
        return f"{self.model_label} {self.quant} on {self.gpu_label or self.gpu}: {self.test} {self.tok_s:g} tok/s"

    # Not stored: what the engine predicts for this test, set on copies by planner.sizing.with_estimates.
    estimate_tok_s: float | None = None
    estimate_off_pct: float | None = None

    def save(self, *args, **kwargs):
        if not self.key:
            self.key = f"m-{uuid.uuid4().hex[:16]}"
        super().save(*args, **kwargs)

    def natural_key(self):
        return (self.key,)

    natural_key.dependencies = ["catalog.llm", "catalog.gpu"]  # type: ignore[attr-defined]  # Django\'s documented way

    @property
    def source_url(self) -> str:
        """The first link in the source, for a clickable citation."""
        for word in self.source.split():
            if word.startswith(("https://", "http://")):
                return word.rstrip(").,;")
        return ""


class ChangeRecord(models.Model):
    """One change to a catalog row, by whom, through what, with old and new values per field.

    ``snapshot`` is the row's editable state after the change, so an admin can revert to it.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DEACTIVATE = "deactivate", "Deactivated"
        REVERT = "revert", "Reverted"
        UNLOCK = "unlock", "Unlocked fields"
        DELETE = "delete", "Deleted"

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin"
        API = "api", "API"
        CSV = "csv", "CSV import"
        REFRESH = "refresh", "Catalog refresh"

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=12, choices=Action.choices)
    via = models.CharField(max_length=8, choices=Via.choices)
    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    snapshot = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(
        "catalog.RefreshRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        help_text="The refresh run that wrote it (channel refresh).",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="change_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} ({self.get_via_display()})"


class RefreshRunQuerySet(models.QuerySet):
    def running(self):
        return self.filter(status=RefreshRun.Status.RUNNING)


class RefreshRun(models.Model):
    """One catalog refresh of one source: when, how it ended, what it wrote and what it skipped (``changes``: one
    record per row it wrote, which history.revert_run undoes).

    At most one run per source is ``running`` (a partial unique constraint: the atomic claim that
    keeps two workers from refreshing the same source at once)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=20, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    triggered_by = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Skipped records and their reasons.")
    message = models.TextField(blank=True, help_text="Why the run failed, or a summary.")
    reverted_at = models.DateTimeField(null=True, blank=True, help_text="When an admin reverted what it wrote.")

    objects = RefreshRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(status="running"), name="refresh_one_running_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_status_display().lower()} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def wrote(self) -> int:
        return self.created + self.updated


class CSVImport(models.Model):
    """A GPU CSV upload, kept server-side between its preview and its confirmation (nothing is posted back), and
    applied by a Celery task when large (catalog/gpu_csv.py: run_import), all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Writing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(help_text="The uploaded CSV (cleared once imported).")
    uploaded_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why it failed, or a summary.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "CSV import"

    def __str__(self):
        return f"{self.file_name or 'CSV'} ({self.get_status_display().lower()})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class HubLookup(models.Model):
    """A user's request to size a Hugging Face repository outside the catalog, and its outcome.

    One row per repository (``key``, the repo id in lower case): a second request while the first is queued or
    running joins it, and a finished lookup is reused until it is older than settings.HUB_LOOKUP_MAX_AGE_S.
    The model it creates is provisional (``LLM.reviewed`` off) until staff promote it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200, unique=True, help_text="The repository id in lower case.")
    repo_id = models.CharField("Hugging Face repo id", max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True, help_text="Why it failed, or what the model page can and cannot size.")
    llm = models.ForeignKey(LLM, null=True, blank=True, on_delete=models.SET_NULL, related_name="hub_lookups")
    files = models.JSONField(default=list, blank=True, help_text="The Hub files and API calls the lookup read.")
    requests = models.PositiveIntegerField(default=1, help_text="How many times users asked for it.")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Hub lookup"
        ordering = ["-requests", "-queued_at"]

    def __str__(self):
        return f"{self.repo_id} ({self.get_status_display().lower()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
