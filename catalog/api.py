"""Plain catalog reads (models, GPUs, quantization formats) and staff writes to the GPU catalog."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import history, refresh, search
from catalog.models import GIB, GPU, LLM, BenchmarkScore, ChangeRecord, ModelQuant, QuantFormat
from catalog.sources import SourceError
from config.api import CachedReadMixin, IsStaffOrReadOnly


class QuantFormatSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuantFormat
        fields = [
            "name",
            "family",
            "bits_per_weight",
            "file_bpw_reference",
            "quality_pct",
            "perplexity",
            "kl_divergence",
            "quality_source",
            "source",
        ]


class ModelQuantSerializer(serializers.ModelSerializer):
    quant = serializers.CharField(source="fmt.name")
    bits_per_weight = serializers.FloatField(source="fmt.bits_per_weight")
    quality_pct = serializers.FloatField(source="fmt.quality_pct", allow_null=True)

    class Meta:
        model = ModelQuant
        fields = ["quant", "bits_per_weight", "quality_pct", "file_size_bytes", "repo_id", "filename", "source"]


class BenchmarkSerializer(serializers.ModelSerializer):
    class Meta:
        model = BenchmarkScore
        fields = ["name", "category", "score", "source"]


class LLMListSerializer(serializers.ModelSerializer):
    tags: serializers.SlugRelatedField = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")

    class Meta:
        model = LLM
        fields = [
            "slug",
            "name",
            "hf_repo_id",
            "family",
            "developer",
            "architecture",
            "params_total",
            "params_active",
            "max_context",
            "release_date",
            "license",
            "tags",
            "ollama_tag",
            "docker_model",
            "reviewed",
        ]


class LLMDetailSerializer(LLMListSerializer):
    quantizations = ModelQuantSerializer(many=True, read_only=True)
    benchmarks = BenchmarkSerializer(many=True, read_only=True)

    class Meta(LLMListSerializer.Meta):
        fields = LLMListSerializer.Meta.fields + [
            "description",
            "num_layers",
            "hidden_size",
            "intermediate_size",
            "num_attention_heads",
            "num_kv_heads",
            "head_dim",
            "vocab_size",
            "tied_embeddings",
            "num_experts",
            "num_experts_per_token",
            "attention",
            "window_kind",
            "sliding_window",
            "swa_local_layers",
            "swa_global_layers",
            "mla_kv_lora_rank",
            "mla_rope_dim",
            "layer_pattern",
            "recurrent",
            "unsupported_reason",
            "config_source",
            "model_type",
            "task",
            "causal",
            "native_quant",
            "vision",
            "gguf_repo",
            "ollama_tags",
            "hf_downloads",
            "hf_likes",
            "hf_stats_date",
            "run_commands_source",
            "source",
            "fetched_at",
            "license_url",
            "paper_url",
            "languages",
            "tool_calling",
            "input_modalities",
            "output_modalities",
            "knowledge_cutoff",
            "knowledge_cutoff_estimated",
            "recommended",
            "card_source",
            "card_fetched_at",
            "quantizations",
            "benchmarks",
        ]


class GPUSerializer(serializers.ModelSerializer):
    price_usd = serializers.DecimalField(max_digits=10, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = GPU
        fields = [
            "slug",
            "vendor",
            "name",
            "architecture",
            "release_date",
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
            "price_usd",
            "segment",
            "is_active",
            "source",
            "fetched_at",
            "admin_edited_at",
            "locked_fields",
        ]
        read_only_fields = ["source", "fetched_at", "admin_edited_at", "locked_fields"]
        extra_kwargs = {
            "memory_bytes": {"min_value": 1},
            "bandwidth_gbs": {"min_value": 0.001},
            "fp16_tflops": {"min_value": 0.001},
            "tensor_fp16_tflops": {"min_value": 0.001},
            "tensor_fp8_tflops": {"min_value": 0.001},
            "tensor_int8_tops": {"min_value": 0.001},
            "fp32_tflops": {"min_value": 0},
            "launch_price_usd": {"min_value": 0},
            "street_price_usd": {"min_value": 0},
        }

    def validate_release_date(self, value):
        from django.utils import timezone

        if value and value > timezone.localdate():
            raise serializers.ValidationError("Release date cannot be in the future.")
        return value


class HubImportSerializer(serializers.Serializer):
    repo_id = serializers.RegexField(r"^[\w.-]+/[\w.-]+$", max_length=200, help_text="owner/name on the Hub.")
    gguf_repo = serializers.RegexField(
        r"^[\w.-]+/[\w.-]+$",
        max_length=200,
        required=False,
        help_text="A repo of GGUF files for it (default: the repo itself).",
    )


class ModelFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=(
            'Words in the name, repo id, family, developer or an Ollama tag, in any case and spacing ("llama3 8b", '
            '"deepseek-r1:8b"); a word may be a prefix or one typo away; numbers match exactly.'
        ),
    )
    family = serializers.CharField(required=False, max_length=60)
    developer = serializers.CharField(required=False, max_length=60)
    architecture = serializers.ChoiceField(choices=LLM.Architecture.choices, required=False)
    tag = serializers.SlugField(required=False, max_length=40)
    min_params_b = serializers.FloatField(required=False, min_value=0, max_value=100_000)
    max_params_b = serializers.FloatField(required=False, min_value=0, max_value=100_000)
    reviewed = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "false: only models looked up from the Hub (not reviewed); true: only the catalog. Default: the catalog, "
            "and with q also the models looked up from the Hub."
        ),
    )
    ordering = serializers.ChoiceField(
        required=False,
        choices=[
            "name",
            "-name",
            "params_total",
            "-params_total",
            "max_context",
            "-max_context",
            "release_date",
            "-release_date",
            "hf_downloads",
            "-hf_downloads",
        ],
    )

    def apply(self, qs):
        d = self.validated_data
        qs = qs.listed(searching=bool(d.get("q")) or d.get("reviewed") is False)
        if d.get("reviewed") is not None:
            qs = qs.filter(reviewed=d["reviewed"])
        if d.get("q"):
            qs = search.models(qs, d["q"])
        for field in ("family", "developer", "architecture"):
            if d.get(field):
                qs = qs.filter(**{f"{field}__iexact": d[field]})
        if d.get("tag"):
            qs = qs.filter(tags__slug=d["tag"])
        if d.get("min_params_b") is not None:
            qs = qs.filter(params_total__gte=d["min_params_b"] * 1e9)
        if d.get("max_params_b") is not None:
            qs = qs.filter(params_total__lte=d["max_params_b"] * 1e9)
        return qs.order_by(d.get("ordering") or "name", "slug")


class GPUFilters(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        max_length=100,
        help_text=(
            'Words in the vendor, name, architecture or memory size ("rtx3060", "3060 12gb"); prefixes and one typo '
            "allowed, numbers exact."
        ),
    )
    vendor = serializers.CharField(required=False, max_length=20)
    segment = serializers.ChoiceField(choices=GPU.Segment.choices, required=False)
    architecture = serializers.CharField(required=False, max_length=40)
    min_vram_gb = serializers.FloatField(required=False, min_value=0, max_value=1_000_000)
    max_vram_gb = serializers.FloatField(required=False, min_value=0, max_value=1_000_000)
    max_price = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=1e9,
        help_text="USD; the current price: a dated retail price, else the launch price "
        "of a card from the last four years.",
    )
    active = serializers.BooleanField(required=False, default=True, help_text="false lists retired GPUs too.")
    ordering = serializers.ChoiceField(
        required=False,
        choices=[
            "memory_bytes",
            "-memory_bytes",
            "bandwidth_gbs",
            "-bandwidth_gbs",
            "launch_price_usd",
            "-launch_price_usd",
            "name",
            "-name",
            "release_date",
            "-release_date",
        ],
    )

    def apply(self, qs):
        d = self.validated_data
        if d.get("active", True):
            qs = qs.active()
        if d.get("q"):
            qs = search.gpus(qs, d["q"])
        for field in ("vendor", "architecture"):
            if d.get(field):
                qs = qs.filter(**{f"{field}__iexact": d[field]})
        if d.get("segment"):
            qs = qs.filter(segment=d["segment"])
        if d.get("min_vram_gb") is not None:
            qs = qs.filter(memory_bytes__gte=d["min_vram_gb"] * GIB)
        if d.get("max_vram_gb") is not None:
            qs = qs.filter(memory_bytes__lte=d["max_vram_gb"] * GIB)
        if d.get("max_price") is not None:
            qs = qs.priced_at_most(d["max_price"])
        return qs.order_by(d.get("ordering") or "memory_bytes", "slug")


def filtered(filters_class, request, qs):
    """Validate the query string (400 naming the field) and apply it."""
    filters = filters_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.apply(qs)


@extend_schema_view(list=extend_schema(parameters=[ModelFilters]))
class LLMViewSet(CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Open-weight LLMs in the catalog."""

    lookup_field = "slug"
    queryset = LLM.objects.all()

    def get_queryset(self):
        if self.action == "retrieve":
            return LLM.objects.with_catalog_relations()
        return filtered(ModelFilters, self.request, LLM.objects.prefetch_related("tags"))

    def get_serializer_class(self):
        if self.action == "hub_import":
            return HubImportSerializer
        return LLMDetailSerializer if self.action in ("retrieve", "hub_import") else LLMListSerializer

    @extend_schema(request=HubImportSerializer, responses={201: LLMDetailSerializer})
    @action(detail=False, methods=["post"], url_path="import", permission_classes=[IsStaffOrReadOnly])
    def hub_import(self, request):
        """Staff only: create a model from the Hugging Face Hub by its repo id (with its GGUF files)."""
        params = HubImportSerializer(data=request.data)
        params.is_valid(raise_exception=True)
        try:
            llm = refresh.import_model(params.validated_data["repo_id"], params.validated_data.get("gguf_repo"))
        except SourceError as exc:
            raise serializers.ValidationError({"repo_id": [str(exc)]}) from exc
        history.record(llm, before=None, user=request.user, via=ChangeRecord.Via.API)
        llm = LLM.objects.with_catalog_relations().get(pk=llm.pk)
        return Response(LLMDetailSerializer(llm).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[GPUFilters]),
    destroy=extend_schema(description="Deactivates the GPU (it stays in the catalog and history)."),
)
class GPUViewSet(
    CachedReadMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The GPU catalog. Reads are public; create, update and deactivate need a staff user, and each write
    is recorded in the change history with who and when (fields written are locked against refresh)."""

    lookup_field = "slug"
    serializer_class = GPUSerializer
    permission_classes = [IsStaffOrReadOnly]
    queryset = GPU.objects.all()

    def get_queryset(self):
        if self.action == "list":
            return filtered(GPUFilters, self.request, GPU.objects.all())
        return GPU.objects.all()

    def perform_create(self, serializer):
        gpu = GPU(**serializer.validated_data)
        gpu.source = gpu.source or f"Added through the API by {self.request.user.get_username()}"
        history.save_with_history(gpu, before=None, user=self.request.user, via=ChangeRecord.Via.API)
        serializer.instance = gpu

    def perform_update(self, serializer):
        gpu = serializer.instance
        before = history.snapshot(gpu)
        for key, value in serializer.validated_data.items():
            setattr(gpu, key, value)
        history.save_with_history(gpu, before=before, user=self.request.user, via=ChangeRecord.Via.API)

    def destroy(self, request, *args, **kwargs):
        gpu = self.get_object()
        before = history.snapshot(gpu)
        gpu.is_active = False
        history.save_with_history(
            gpu, before=before, user=request.user, via=ChangeRecord.Via.API, action=ChangeRecord.Action.DEACTIVATE
        )
        return Response(GPUSerializer(gpu).data, status=status.HTTP_200_OK)


@extend_schema_view(list=extend_schema(parameters=[OpenApiParameter("family", str, enum=QuantFormat.Family.values)]))
class QuantFormatViewSet(CachedReadMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Weight formats with bits per weight and measured quality."""

    serializer_class = QuantFormatSerializer
    pagination_class = None

    def get_queryset(self):
        qs = QuantFormat.objects.order_by("sort_order", "name")
        family = self.request.query_params.get("family")
        if family:
            if family not in QuantFormat.Family.values:
                raise serializers.ValidationError({"family": [f"Unknown family {family!r}."]})
            qs = qs.filter(family=family)
        return qs
