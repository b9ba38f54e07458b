"""Plain catalog reads (models, GPUs, quantization formats) and staff writes to the GPU catalog."""

import django_filters.rest_framework as df
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import history, refresh
from catalog.filters import GPUFilterSet, ModelFilterSet, StrictBooleanFilter
from catalog.models import GPU, LLM, BenchmarkScore, ChangeRecord, ModelQuant, QuantFormat
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
            "tensor_fp16acc_tflops",
            "tensor_fp8_tflops",
            "tensor_int8_tops",
            "compute_units",
            "tdp_w",
            "launch_price_usd",
            "street_price_usd",
            "street_price_observed_at",
            "price_usd",
            "availability",
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
            "tensor_fp16acc_tflops": {"min_value": 0.001},
            "tensor_fp8_tflops": {"min_value": 0.001},
            "tensor_int8_tops": {"min_value": 0.001},
            "compute_units": {"min_value": 1},
            "fp32_tflops": {"min_value": 0},
            "launch_price_usd": {"min_value": 0},
            "street_price_usd": {"min_value": 0},
        }


class HubImportSerializer(serializers.Serializer):
    repo_id = serializers.RegexField(r"^[\w.-]+/[\w.-]+$", max_length=200, help_text="owner/name on the Hub.")
    gguf_repo = serializers.RegexField(
        r"^[\w.-]+/[\w.-]+$",
        max_length=200,
        required=False,
        help_text="A repo of GGUF files for it (default: the repo itself).",
    )


MODEL_ORDERINGS = ("name", "params_total", "max_context", "release_date", "hf_downloads")
GPU_ORDERINGS = ("memory_bytes", "bandwidth_gbs", "launch_price_usd", "name", "release_date")


class ModelAPIFilter(ModelFilterSet):
    """The model list's filters (catalog.filters) with the API's own: the Hub lookups and an ordering."""

    reviewed = StrictBooleanFilter(
        help_text=(
            "false: only models looked up from the Hub (not reviewed); true: only the catalog. Default: the catalog, "
            "and with q also the models looked up from the Hub."
        ),
    )
    ordering = df.ChoiceFilter(
        method="no_filter",
        choices=[(f, f) for name in MODEL_ORDERINGS for f in (name, f"-{name}")],
        help_text="A field to order by, descending with a leading '-' (default: name).",
    )

    def no_filter(self, qs, name, value):
        return qs  # ordered in filter_queryset, after everything else

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by(self.form.cleaned_data.get("ordering") or "name", "slug")


class GPUAPIFilter(GPUFilterSet):
    """The GPU list's filters (catalog.filters) with the API's own: retired GPUs and an ordering."""

    active = StrictBooleanFilter(method="no_filter", help_text="false lists retired GPUs too (default: true).")
    ordering = df.ChoiceFilter(
        method="no_filter",
        choices=[(f, f) for name in GPU_ORDERINGS for f in (name, f"-{name}")],
        help_text="A field to order by, descending with a leading '-' (default: memory_bytes).",
    )

    def no_filter(self, qs, name, value):
        return qs  # applied in filter_queryset

    def filter_queryset(self, queryset):
        d = self.form.cleaned_data
        if d.get("active") is not False:
            queryset = queryset.active()
        return super().filter_queryset(queryset).order_by(d.get("ordering") or "memory_bytes", "slug")


class ListFilterMixin:
    """django-filter on the list action only: a detail or write reads its object whatever the list's filters are."""

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class LLMViewSet(ListFilterMixin, CachedReadMixin, viewsets.ReadOnlyModelViewSet):
    """Open-weight LLMs in the catalog."""

    lookup_field = "slug"
    queryset = LLM.objects.all()
    filter_backends = [DjangoFilterBackend]
    filterset_class = ModelAPIFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return LLM.objects.with_catalog_relations()
        return LLM.objects.prefetch_related("tags")

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
    destroy=extend_schema(description="Deactivates the GPU (it stays in the catalog and history)."),
)
class GPUViewSet(
    ListFilterMixin,
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
    filter_backends = [DjangoFilterBackend]
    filterset_class = GPUAPIFilter

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
