"""The models side: open-weight LLMs, quantization formats, a model's published quantizations and its
benchmark scores."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse

from .common import not_in_the_future


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
        CSA = "csa", "Compressed sparse (CSA/HCA)"

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
        help_text="One letter per layer: F full attention, S sliding, C chunked, R recurrent, N no own cache, "
        "K compressed ¼ with an indexer (CSA), H compressed 1/128 (HCA). "
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
            models.CheckConstraint(condition=Q(layer_pattern__regex=r"^[FSCRNKH]*$"), name="llm_layer_pattern_letters"),
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
