"""The hardware side: the GPU catalog and published speed measurements."""

import uuid
from datetime import timedelta
from decimal import Decimal

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils import timezone

from .common import GIB, not_in_the_future
from .llm import LLM

GPU_LIMITS: dict[str, int | float | Decimal] = {
    "memory_bytes": 64 * 1024**4,
    "bus_width_bits": 65_536,
    "bandwidth_gbs": 100_000.0,
    "fp16_tflops": 100_000.0,
    "fp32_tflops": 100_000.0,
    "tensor_fp16_tflops": 100_000.0,
    "tensor_fp16acc_tflops": 100_000.0,
    "tensor_fp8_tflops": 100_000.0,
    "tensor_int8_tops": 100_000.0,
    "compute_units": 100_000,
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

    class Availability(models.TextChoices):
        """How a GPU is sold new: why one has no price to show (fixtures/source/gpu_availability.csv, with sources)."""

        RETAIL = "retail", "Sold as a card or a computer"
        SYSTEM = "system", "Only inside servers or prebuilt systems"
        CLOUD = "cloud", "Only rented in the cloud"
        MOBILE = "mobile", "Only in laptops"
        CANCELLED = "cancelled", "Cancelled before it shipped"

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
    tensor_fp16acc_tflops = models.FloatField(
        "Tensor FP16 TFLOPS, FP16 accumulate",
        null=True,
        blank=True,
        help_text="Dense FP16 matrix throughput accumulating in FP16, where it differs from the FP32-accumulate "
        "figure (GeForce cards run that at half rate): llama.cpp's cuBLAS GEMMs accumulate in FP16.",
        validators=[MaxValueValidator(GPU_LIMITS["tensor_fp16acc_tflops"])],
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
    compute_units = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Streaming multiprocessors (NVIDIA), compute units (AMD), Xe cores (Intel) or GPU cores (Apple): how "
        "many requests to memory the GPU keeps in flight grows with them, which caps the read rate of llama.cpp's "
        "decode kernels.",
        validators=[MaxValueValidator(GPU_LIMITS["compute_units"])],
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
    availability = models.CharField(
        max_length=10,
        choices=Availability.choices,
        default=Availability.RETAIL,
        help_text="How it is sold new; a GPU no one sells on its own has no price of its own to show.",
    )
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
        "tensor_fp16acc_tflops",
        "tensor_fp8_tflops",
        "tensor_int8_tops",
        "compute_units",
        "tdp_w",
        "launch_price_usd",
        "street_price_usd",
        "street_price_observed_at",
        "availability",
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
                for field in ("tensor_fp16acc_tflops", "tensor_fp8_tflops", "tensor_int8_tops", "compute_units")
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

    COMPUTE_UNIT_LABELS = {"NVIDIA": "SMs", "AMD": "Compute units", "Intel": "Xe cores", "Apple": "GPU cores"}

    @property
    def compute_units_label(self) -> str:
        return self.COMPUTE_UNIT_LABELS.get(self.vendor, "Compute units")

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

        if self.availability == self.Availability.CANCELLED:
            return False
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
    def not_sold_alone(self) -> str:
        """Why a GPU has no price of its own, when no one sells it on its own ("Only rented in the cloud"); blank for
        a GPU sold as a card or a computer."""
        return "" if self.availability == self.Availability.RETAIL else self.get_availability_display()

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
