"""Endpoints that answer with sizing numbers: a model's compatible GPUs, a GPU's models, the plan, and lookups
of any Hugging Face model.

Every number comes from the engine through planner.sizing / planner.specs, like the pages.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from catalog.filters import MAX_PRICE_USD
from catalog.models import GPU, HubLookup, Measurement
from catalog.sources import hf_hub
from catalog.sources.hf_hub import LookupFailed
from config.api import CachedReadMixin, LookupThrottle
from planner import lookup, sizing, snapshot, specs
from planner.engine.plan import MAX_CONTEXT_TOKENS
from planner.engine.types import Runtime, Workload


class WorkloadParams(serializers.Serializer):
    # A request field named "context" beside DRF's serializer context (kept in self._context): the API's word for it.
    context = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        min_value=1,
        max_value=MAX_CONTEXT_TOKENS,
        help_text=f"Tokens per sequence. Default {specs.DEFAULT_CONTEXT:,}, or the "
        "model's own maximum when that is smaller.",
    )
    kv_cache = serializers.ChoiceField(choices=specs.KV_CHOICES, required=False, default=specs.DEFAULT_KV_CACHE)
    batch = serializers.IntegerField(
        required=False, default=1, min_value=1, max_value=1024, help_text="Concurrent sequences."
    )
    runtime = serializers.ChoiceField(choices=specs.RUNTIME_CHOICES, required=False, default=specs.DEFAULT_RUNTIME)

    def validate(self, data):
        problem = specs.kv_cache_problem(data["runtime"], data["kv_cache"])
        if problem:
            raise serializers.ValidationError({"kv_cache": [problem]})
        data.setdefault("context", specs.DEFAULT_CONTEXT)  # a catalog model's own maximum applies below
        return data

    def default_context_for(self, data, llm) -> None:
        """An unstated context is the default or the model's maximum, whichever is smaller."""
        if "context" not in self.initial_data and llm is not None:
            data["context"] = specs.default_context(llm)

    def workload(self) -> Workload:
        d = self.validated_data
        return Workload(context=d["context"], batch=d["batch"], kv_cache=d["kv_cache"])


class OffloadField(serializers.ChoiceField):
    """none | layers | experts | auto; true/false still mean auto/none."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=specs.OFFLOAD_CHOICES,
            help_text="What may go to system RAM when VRAM is short: "
            "none, layers (llama.cpp -ngl), experts (a MoE's routed experts, --n-cpu-moe) or auto "
            "(the fastest that fits). true = auto.",
            **kwargs,
        )

    def to_internal_value(self, data):
        return super().to_internal_value(specs.offload_mode(data))


# What a request body can get before any field is read (config.api.BoundedJSONParser and DRF's parser negotiation).
BODY_ERRORS = {
    413: OpenApiResponse(description="The body is over the size limit."),
    415: OpenApiResponse(description="A body the API cannot parse as JSON or a form (e.g. broken multipart)."),
}


class MachineParams(serializers.Serializer):
    """The user's machine beyond the GPU."""

    offload = OffloadField(required=False, default="none")
    ram_gb = serializers.FloatField(
        required=False,
        min_value=1,
        max_value=100_000,
        help_text="The machine's system RAM in GB (GiB); offloaded bytes must fit in it "
        "less a 4 GiB OS reserve. Ignored on unified-memory devices.",
    )
    ram_bandwidth_gbs = serializers.FloatField(
        required=False, min_value=1, max_value=10_000, help_text="System RAM bandwidth in GB/s (or `ram_preset`)."
    )
    ram_preset = serializers.ChoiceField(
        choices=list(specs.RAM_PRESETS), required=False, help_text="A memory kit: sets ram_bandwidth_gbs to its peak."
    )

    def machine(self) -> dict:
        d = self.validated_data
        return specs.machine(d.get("offload"), d.get("ram_gb"), d.get("ram_preset", ""), d.get("ram_bandwidth_gbs"))


class ModelGPUsParams(WorkloadParams, MachineParams):
    quant = serializers.CharField(
        required=False,
        max_length=60,
        help_text="Any format the runtime loads; default: the model's own for the runtime.",
    )
    vendor = serializers.CharField(required=False, max_length=20)
    segment = serializers.ChoiceField(choices=GPU.Segment.choices, required=False)
    max_price = serializers.FloatField(
        required=False,
        min_value=0,
        max_value=MAX_PRICE_USD,
        help_text="USD; the current price: a dated retail price, else the launch price of "
        "a card from the last four years.",
    )
    all_gpus = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also list GPUs that no current release of the runtime can drive (e.g. Apple or Pascal on vLLM).",
    )
    older = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Also list cards not sold today (released over six years ago, with no retail price on record).",
    )


class Rounded(serializers.FloatField):
    """Speeds to two decimals: the error band is far wider than that."""

    def to_representation(self, value):
        return round(float(value), 2)


class SpeedSerializer(serializers.Serializer):
    tok_s = Rounded(help_text="Estimated tokens per second.")
    low = Rounded(help_text="Low end of the band: the 10th percentile of measured/predicted ratios.")
    high = Rounded(help_text="High end: the 90th percentile.")


class MemorySerializer(serializers.Serializer):
    weights_bytes = serializers.IntegerField()
    kv_cache_bytes = serializers.IntegerField()
    overhead_bytes = serializers.IntegerField()
    total_bytes = serializers.IntegerField()
    host_weights_bytes = serializers.IntegerField(help_text="Weights kept in system RAM.")
    projector_bytes = serializers.IntegerField(
        help_text="A multimodal model's vision encoder and projector (llama.cpp's mmproj), on the GPU; 0 for text-only."
    )


class GPUBriefSerializer(serializers.ModelSerializer):
    price_usd = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)

    class Meta:
        model = GPU
        fields = ["slug", "vendor", "name", "memory_bytes", "bandwidth_gbs", "segment", "price_usd", "backends"]


class CompatibleGPUSerializer(serializers.Serializer):
    gpu = GPUBriefSerializer()
    required_bytes = serializers.IntegerField(source="plan.memory.total_bytes")
    usable_bytes = serializers.IntegerField(source="plan.usable_bytes")
    headroom_bytes = serializers.IntegerField(source="plan.headroom_bytes")
    decode_tok_s = SpeedSerializer(source="plan.decode", allow_null=True)
    prefill_tok_s = SpeedSerializer(source="plan.prefill", allow_null=True)
    offload_mode = serializers.CharField(source="plan.offload_mode", help_text="none, layers or experts.")
    cpu_moe_layers = serializers.IntegerField(source="plan.cpu_moe_layers")
    offloaded_layers = serializers.IntegerField(source="plan.offloaded_layers")
    ram_needed_bytes = serializers.IntegerField(source="plan.ram_needed_bytes")
    tok_s_per_dollar = serializers.FloatField(
        allow_null=True,
        help_text="Decode tokens/s per USD of current price: a dated retail price, else the launch "
        "price of a card launched in the last four years; null for older cards with only a launch price.",
    )


class ModelGPUsView(CachedReadMixin, GenericAPIView):
    """GPUs that can run the model at a quantization and context, sorted by memory (smallest first)."""

    serializer_class = CompatibleGPUSerializer

    @extend_schema(parameters=[ModelGPUsParams], responses={200: CompatibleGPUSerializer(many=True)})
    def get(self, request, slug):
        llm = snapshot.model(slug)  # with its quantizations; no SQL once warm
        if llm is None:
            raise Http404("No such model.")
        params = ModelGPUsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        params.default_context_for(d, llm)
        problem = specs.context_problem(llm, d["context"])
        if problem:
            raise serializers.ValidationError({"context": [problem]})
        inputs = sizing.plan_inputs(llm, None, d.get("quant"), d["runtime"], quants=llm.quantizations.all())
        rows = sizing.gpu_rows(
            llm,
            inputs.quant,
            params.workload(),
            Runtime(name=d["runtime"]),
            vendor=d.get("vendor", ""),
            segment=d.get("segment", ""),
            max_price=d.get("max_price"),
            all_gpus=d["all_gpus"],
            older=d["older"],
            **params.machine(),
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(CompatibleGPUSerializer(page, many=True).data)


class FittingModelSerializer(serializers.Serializer):
    model = serializers.SlugField(source="llm.slug")
    name = serializers.CharField(source="llm.name")
    params_total = serializers.IntegerField(source="llm.params_total", allow_null=True)
    quant = serializers.CharField(source="fmt.name", help_text="Best-quality format of the runtime that fits.")
    required_bytes = serializers.IntegerField(source="plan.memory.total_bytes")
    headroom_bytes = serializers.IntegerField(source="plan.headroom_bytes")
    decode_tok_s = SpeedSerializer(source="plan.decode", allow_null=True)


class GPUModelsView(CachedReadMixin, GenericAPIView):
    """Every catalog model that fits on the GPU, at its best-quality quantization, largest model first."""

    serializer_class = FittingModelSerializer

    @extend_schema(parameters=[WorkloadParams], responses={200: FittingModelSerializer(many=True)})
    def get(self, request, slug):
        gpu = get_object_or_404(GPU, slug=slug)
        params = WorkloadParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        fits = sizing.best_fit_per_model(
            gpu, snapshot.reviewed_models(), params.workload(), Runtime(name=params.validated_data["runtime"])
        )
        rows = [{"llm": llm, "fmt": fmt, "plan": p} for llm, fmt, p in fits]
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(FittingModelSerializer(page, many=True).data)


def _custom_api_field(f: specs.CustomField) -> serializers.Field:
    if f.kind is float:
        return serializers.FloatField(
            required=f.required, min_value=f.min_value, max_value=f.max_value, help_text=f.help_text
        )
    return serializers.IntegerField(
        required=f.required, min_value=int(f.min_value), max_value=int(f.max_value), help_text=f.help_text
    )


class ArchitectureInput(serializers.Serializer):
    """A custom model, described by the numbers of its config.json."""

    # The fields and rules are specs.CUSTOM_ARCH and specs.custom_arch_problems, as the planner form takes them.

    def get_fields(self):
        return {name: _custom_api_field(f) for name, f in specs.CUSTOM_ARCH.items()}

    def validate(self, data):
        problems = specs.custom_arch_problems(data)
        if problems:
            raise serializers.ValidationError({name: [problem] for name, problem in problems})
        return data


class PlanInput(WorkloadParams, MachineParams):
    model = serializers.SlugField(required=False, help_text="A catalog model's slug (or give `architecture`).")
    architecture = ArchitectureInput(required=False, help_text="A custom model instead of `model`.")
    quant = serializers.CharField(
        required=False,
        max_length=60,
        help_text="Any catalog format the runtime loads (case-insensitive). Default: the model's native format "
        "for the runtime (gpt-oss: MXFP4; DeepSeek-V3 on vLLM: FP8), else Q4_K_M on llama.cpp/Ollama, BF16 on vLLM.",
    )
    gpu = serializers.SlugField(required=False, help_text="A catalog GPU's slug (or `vram_gb`; neither: memory only).")
    vram_gb = serializers.FloatField(
        required=False,
        min_value=0.5,
        max_value=100_000,
        help_text="Custom GPU memory in GB (GiB, as vendors count VRAM).",
    )
    bandwidth_gbs = serializers.FloatField(required=False, min_value=1, max_value=100_000)
    gpu_count = serializers.IntegerField(required=False, default=1, min_value=1, max_value=specs.MAX_GPU_COUNT)
    cpu_only = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "Run on the CPU alone (llama.cpp/Ollama): the model sits in system RAM (`ram_gb`, less a 4 GiB OS reserve) "
            "and decodes at its bandwidth (`ram_bandwidth_gbs` or `ram_preset`; default DDR4-3200 dual channel, "
            "51.2 GB/s). No `gpu` or `vram_gb`; prefill is not estimated."
        ),
    )
    cpu_moe_layers = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2000,
        help_text=(
            "llama.cpp's --n-cpu-moe N: the routed experts of the first N layers in system RAM (with `offload` experts "
            "or auto; a mixture of experts on one GPU). Default: the fewest that fit."
        ),
    )

    ARCH_KEYS = tuple(ArchitectureInput().fields)

    def to_internal_value(self, data):
        # GET carries a custom architecture as flat query parameters (params_b=…&layers=…).
        if hasattr(data, "getlist") and "architecture" not in data and any(k in data for k in self.ARCH_KEYS):
            flat = {k: v for k, v in data.items() if k not in self.ARCH_KEYS}
            flat["architecture"] = {k: data[k] for k in self.ARCH_KEYS if k in data}
            data = flat
        return super().to_internal_value(data)

    def validate(self, data):
        data = super().validate(data)
        model, arch = data.get("model"), data.get("architecture")
        if model and arch:
            raise serializers.ValidationError({"model": ["Give a catalog model or a custom architecture, not both."]})
        if not model and not arch:
            raise serializers.ValidationError({"model": ["Give a catalog model slug or a custom architecture."]})
        if problems := specs.machine_problems(data):
            errors = {}
            for field, message in problems:
                errors.setdefault(field, []).append(message)
            raise serializers.ValidationError(errors)
        if arch and arch.get("max_context"):  # a custom model's own limit, as a catalog model's
            if "context" not in self.initial_data:
                data["context"] = min(specs.DEFAULT_CONTEXT, arch["max_context"])
            elif data["context"] > arch["max_context"]:
                raise serializers.ValidationError(
                    {"context": [f"This model supports at most {arch['max_context']:,} tokens."]}
                )
        if model:
            data["llm"] = snapshot.model(model)
            if data["llm"] is None:
                raise serializers.ValidationError({"model": [f"Unknown model {model!r}."]})
            self.default_context_for(data, data["llm"])
            problem = specs.context_problem(data["llm"], data["context"])
            if problem:
                raise serializers.ValidationError({"context": [problem]})
        if data.get("gpu"):
            data["gpu_row"] = snapshot.gpu(data["gpu"])
            if data["gpu_row"] is None:
                raise serializers.ValidationError({"gpu": [f"Unknown GPU {data['gpu']!r}."]})
            if not data.get("quant"):  # the model's default, fitted to this GPU (BF16 -> F16 before Ampere)
                data["quant"] = specs.default_quant(data.get("llm"), data["runtime"], data["gpu_row"])
            fmt = sizing.resolve_format(data["quant"], data["runtime"])
            if specs.runtime_backend(data["gpu_row"], data["runtime"]) is None:
                raise serializers.ValidationError(
                    {"gpu": [specs.gpu_problem(data["gpu_row"], data["runtime"], fmt.name, fmt.family)]}
                )
            problem = specs.hardware_problem(fmt.name, fmt.family, data["runtime"], data["gpu_row"])
            if problem:
                raise serializers.ValidationError({"quant": [problem]})
        return data


class ServingSerializer(serializers.Serializer):
    context = serializers.IntegerField()  # type: ignore[assignment]  # (see WorkloadParams.context)
    max_concurrency = serializers.IntegerField()
    per_sequence_tok_s = Rounded(allow_null=True)
    aggregate_tok_s = Rounded(allow_null=True)


class MeasurementSerializer(serializers.ModelSerializer):
    gpu: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    source_url = serializers.CharField(read_only=True)
    estimate_tok_s = Rounded(
        read_only=True,
        allow_null=True,
        help_text=(
            "The engine's figure for the same test: decode with the KV cache at `depth`, prefill averaged over a "
            "prompt of `depth` tokens."
        ),
    )

    class Meta:
        model = Measurement
        fields = [
            "gpu",
            "gpu_label",
            "n_gpus",
            "model_label",
            "quant",
            "runtime",
            "backend",
            "test",
            "kind",
            "depth",
            "tok_s",
            "estimate_tok_s",
            "build",
            "measured_on",
            "source",
            "source_url",
        ]


class PlanOutput(serializers.Serializer):
    """Without a GPU (no `gpu`, no `vram_gb`) the memory is all there is: the fit, headroom, speeds, max
    context and best quantization are null."""

    inputs = serializers.DictField(help_text="The request as understood, defaults filled in.")
    weights_source = serializers.ChoiceField(
        choices=["published", "computed"],
        help_text="published: the catalog has the real file's size; computed: llama.cpp's per-tensor recipe.",
    )
    memory = MemorySerializer(source="plan.memory")
    usable_bytes = serializers.IntegerField(source="plan.usable_bytes", allow_null=True)
    fits = serializers.BooleanField(source="plan.fits", allow_null=True)
    headroom_bytes = serializers.IntegerField(source="plan.headroom_bytes", allow_null=True)
    offloaded_layers = serializers.IntegerField(source="plan.offloaded_layers", allow_null=True)
    offload_mode = serializers.CharField(
        source="plan.offload_mode", allow_null=True, help_text="What went to system RAM: none, layers or experts."
    )
    cpu_moe_layers = serializers.IntegerField(
        source="plan.cpu_moe_layers",
        allow_null=True,
        help_text="Layers whose routed experts are in system RAM (--n-cpu-moe).",
    )
    ram_needed_bytes = serializers.IntegerField(
        source="plan.ram_needed_bytes",
        allow_null=True,
        help_text="System RAM the plan needs: host weights, KV, OS reserve.",
    )
    decode_tok_s = SpeedSerializer(
        source="plan.decode", allow_null=True, help_text="Per sequence, with `batch` sequences decoding together."
    )
    decode_total_tok_s = Rounded(
        allow_null=True,
        help_text=(
            "Decode summed over the `batch` sequences: per-sequence × batch (a large batch meets the compute roof)."
        ),
    )
    prefill_tok_s = SpeedSerializer(source="plan.prefill", allow_null=True)
    time_to_first_token_s = Rounded(source="plan.time_to_first_token_s", allow_null=True)
    max_context = serializers.IntegerField(allow_null=True, help_text="Largest context that fits (0: none).")
    best_quant = serializers.CharField(allow_null=True, help_text="Best-quality quantization that fits.")
    fewest_gpus = serializers.IntegerField(
        allow_null=True,
        required=False,
        help_text=(
            "How many of this GPU hold the model at this quantization and context with nothing in system RAM (null: "
            "no GPU given, the CPU alone, or more than 64)."
        ),
    )
    serving = ServingSerializer(
        allow_null=True,
        required=False,
        help_text=(
            "vLLM only: the most sequences of `context` tokens whose KV cache fits at once (vLLM's 'Maximum "
            "concurrency' line) and the decode throughput with that many: the slower of reading weights and KV and "
            "computing the batch (--max-num-seqs may cap the batch below it)."
        ),
    )
    measured = MeasurementSerializer(
        many=True,
        required=False,
        help_text=(
            "Published measurements of this model and format on this many of this GPU with this runtime (the catalog's "
            "measurement set), to read beside the estimate: `depth` is the tokens in the KV cache during the test."
        ),
    )
    assumptions = serializers.ListField(child=serializers.CharField(), source="plan.assumptions")
    commands = serializers.DictField(
        child=serializers.CharField(allow_null=True),
        allow_null=True,
        help_text="Run commands for this plan: llamacpp, ollama, vllm, docker (null where that runtime cannot run "
        "it; `command_notes` says why). Null for a custom architecture.",
    )
    command_notes = serializers.DictField(child=serializers.CharField(), allow_null=True)


class PlanView(CachedReadMixin, APIView):
    """Size one setup: memory breakdown, fit and headroom, speed with its error band, max context, best
    quantization. GET takes query parameters (a custom architecture as flat parameters); POST takes JSON.
    POST only computes (it writes nothing), so it is open to everyone like GET."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(parameters=[PlanInput], responses={200: PlanOutput})
    def get(self, request):
        return self._plan(request.query_params)

    @extend_schema(request=PlanInput, responses={200: PlanOutput, **BODY_ERRORS})
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        return self._plan(request.data)

    def _plan(self, data):
        params = PlanInput(data=data)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        llm = d.get("llm")  # from the snapshot, its quantizations prefetched
        inputs = sizing.plan_inputs(
            llm, d.get("architecture"), d.get("quant"), d["runtime"], quants=llm.quantizations.all() if llm else None
        )
        echo = {k: v for k, v in d.items() if k not in {"llm", "gpu_row"}} | {"quant": inputs.quant.name}
        runtime = Runtime(name=d["runtime"])
        out = {
            "inputs": echo,
            "weights_source": inputs.weights_source,
            "max_context": None,
            "best_quant": None,
            "fewest_gpus": None,
            "measured": sizing.measured(llm, d.get("gpu_row"), d["gpu_count"], inputs.quant.name, d["runtime"]),
        }
        chosen = sizing.plan_devices(
            d.get("gpu_row"),
            d.get("vram_gb"),
            d.get("bandwidth_gbs"),
            d["gpu_count"],
            d["cpu_only"],
            d.get("ram_gb"),
            params.machine(),
        )
        if chosen is None:  # memory only: no device, so no fit and no speed
            out["plan"] = sizing.memory_only(inputs, params.workload(), runtime, d["gpu_count"])
        else:
            devices, machine = chosen
            result = sizing.full_plan(
                inputs, params.workload(), runtime, devices, **machine, cpu_moe_layers=d.get("cpu_moe_layers")
            )
            out.update(
                plan=result.plan,
                max_context=result.max_context,
                best_quant=result.best_quant,
                serving=result.serving,
                fewest_gpus=result.fewest_gpus,
            )
        decode = out["plan"].decode
        out["decode_total_tok_s"] = decode.tok_s * d["batch"] if decode else None
        run = sizing.run_commands(llm, inputs.quant.name, d, out["plan"]) if llm else None
        out.update(commands=run.as_dict() if run else None, command_notes=run.notes if run else None)
        return Response(PlanOutput(out).data)


class LookupInput(serializers.Serializer):
    repo_id = serializers.CharField(
        max_length=300,
        required=False,
        help_text=(
            "A Hugging Face model repository: owner/name, its link, hf.co/owner/name, or an owner/name:Q4_K_M GGUF "
            "reference."
        ),
    )
    config = serializers.JSONField(
        required=False,
        help_text=("Instead of repo_id: a model's config.json (an object), sized at once without reading the Hub."),
    )
    quant = ""

    def validate(self, data):
        if ("repo_id" in data) == ("config" in data):
            raise serializers.ValidationError({"repo_id": ["Give either repo_id or config."]})
        if "config" in data and not isinstance(data["config"], dict):
            raise serializers.ValidationError({"config": ["A config.json is a JSON object."]})
        return data

    def validate_repo_id(self, value):
        try:
            repo_id, quant = hf_hub.parse_ref(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        self.quant = quant
        return repo_id


class LookupModel(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    hf_repo_id = serializers.CharField()
    reviewed = serializers.BooleanField(help_text="false: looked up from the Hub, not reviewed by staff.")
    url = serializers.SerializerMethodField(help_text="The model page.")
    api_url = serializers.SerializerMethodField(help_text="The model in this API.")

    def get_url(self, llm) -> str:
        return self.context["request"].build_absolute_uri(llm.get_absolute_url())

    def get_api_url(self, llm) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:model-detail", args=[llm.slug]))


class LookupOutput(serializers.Serializer):
    id = serializers.UUIDField(allow_null=True, help_text="The job; null when the model is in the catalog.")
    url = serializers.CharField(allow_null=True, help_text="GET it for the job's status.")
    repo_id = serializers.CharField()
    quant = serializers.CharField(allow_blank=True, help_text="The GGUF quantization the reference named, if any.")
    status = serializers.ChoiceField(choices=HubLookup.Status.choices)
    message = serializers.CharField(allow_blank=True, help_text="Why it failed, or what the model page can size.")
    files = serializers.ListField(child=serializers.CharField(), help_text="What the lookup read on the Hub.")
    requested_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    model = LookupModel(allow_null=True)


def lookup_answer(request, lookup, model, repo_id: str, quant: str = "") -> dict:
    """The JSON of a lookup (or of a catalog model a lookup request named)."""
    job = reverse("api:model-lookup-job", args=[lookup.pk]) if lookup else None
    return LookupOutput(
        {
            "id": lookup.pk if lookup else None,
            "url": request.build_absolute_uri(job) if job else None,
            "repo_id": lookup.repo_id if lookup else repo_id,
            "quant": quant,
            "status": lookup.status if lookup else HubLookup.Status.DONE,
            "message": lookup.message if lookup else f"{model.name} is in the catalog.",
            "files": lookup.files if lookup else [],
            "requested_at": lookup.queued_at if lookup else None,
            "finished_at": lookup.finished_at if lookup else None,
            "model": model,
        },
        context={"request": request},
    ).data


class LookupView(APIView):
    """Size any Hugging Face model: 200 when it is in the catalog or was looked up recently (the model, or why the
    lookup failed), else 202 with a job to poll. One job per repository at a time (a second request joins it);
    rate-limited per client. Metadata only is read (model info, config.json, README.md, GGUF file listings), never
    a weight file."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = [*APIView.throttle_classes, LookupThrottle]

    @extend_schema(
        request=LookupInput,
        responses={200: LookupOutput, 202: LookupOutput, **BODY_ERRORS},
        description="With `config` instead of `repo_id`, the pasted config.json is sized at once (200).",
    )
    def post(self, request):
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        params = LookupInput(data=request.data)
        params.is_valid(raise_exception=True)
        if "config" in params.validated_data:
            try:
                found, model = lookup.from_config(params.validated_data["config"])
            except LookupFailed as exc:
                raise serializers.ValidationError({"config": [str(exc)]}) from exc
            return Response(lookup_answer(request, found, model, found.repo_id))
        repo_id = params.validated_data["repo_id"]
        found, model = lookup.request(repo_id)
        body = lookup_answer(request, found, model, repo_id, params.quant)
        if model is not None or not found.pending:  # in the catalog, or looked up already (done or failed)
            return Response(body)
        return Response(body, status=202, headers={"Location": body["url"]})


class LookupJobView(APIView):
    """A lookup job: queued, running, done (with the model) or failed (with the reason)."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(responses={200: LookupOutput})
    def get(self, request, pk):
        found = HubLookup.objects.select_related("llm").filter(pk=pk).first()
        if found is None:
            raise NotFound("No such lookup.")
        found = lookup.current(found)
        return Response(lookup_answer(request, found, found.llm, found.repo_id))
