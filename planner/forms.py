"""Input parsing for pages: every field validated, errors name the field."""

from copy import deepcopy
from urllib.parse import urlencode

from django import forms
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.http import QueryDict
from django.urls import reverse

from catalog.filters import MAX_PRICE_USD, GPUFilterSet, ModelFilterSet
from catalog.models import GPU, LLM
from planner import sizing, specs
from planner.engine.plan import MAX_CONTEXT_TOKENS
from planner.engine.types import EngineError, Setup
from planner.specs import CUSTOM_FIELDS, KV_CHOICES, RUNTIME_CHOICES, RUNTIME_LABELS, context_problem, kv_cache_problem

RUNTIME_FORM_CHOICES = [(r, RUNTIME_LABELS[r]) for r in RUNTIME_CHOICES]
KV_FORM_CHOICES = [(k, k) for k in KV_CHOICES]


class OffloadChoice(forms.ChoiceField):
    """An offload mode; true/false (old links, the API's spelling) still mean auto/none."""

    def to_python(self, value):
        return specs.offload_mode(super().to_python(value))


def engine_error(form: forms.Form, exc: EngineError, field: str | None = None) -> None:
    """An input the engine cannot size, shown on the form: on ``field`` or the field the error names when the form
    has it, else above the form (the API's answer to the same error: config.api.exception_handler)."""
    name = field or exc.field
    form.add_error(name if name in form.fields else None, exc.message)


class MachineFields(forms.Form):
    """The user's machine beyond the GPU: what may go to system RAM, how much RAM, how fast."""

    offload = OffloadChoice(
        choices=[
            ("none", "Nothing"),
            ("auto", "Whatever decodes fastest"),
            ("layers", "Whole layers (-ngl)"),
            ("experts", "MoE experts (--n-cpu-moe)"),
        ],
        required=False,
        label="Offload to system RAM",
    )
    ram_gb = forms.FloatField(min_value=1, max_value=100_000, required=False, label="System RAM (GB)")
    ram_preset = forms.ChoiceField(
        choices=[("", f"RAM speed: {Setup.host_ram_bandwidth_gbs:g} GB/s")]
        + [(k, f"{label} ({bw:g} GB/s)") for k, (label, bw) in specs.RAM_PRESETS.items()],
        required=False,
        label="RAM kit",
    )

    def clean_offload(self):
        return specs.offload_mode(self.cleaned_data.get("offload") or self.data.get("offload") or "none")

    def machine(self) -> dict:
        """Keyword arguments for sizing: offload, ram_bytes, ram_bandwidth_gbs."""
        d = self.cleaned_data
        return specs.machine(d.get("offload"), d.get("ram_gb"), d.get("ram_preset") or "")


class SizingForm(MachineFields):
    """Context, KV precision, runtime and quantization for a model page."""

    context = forms.IntegerField(
        min_value=1, max_value=MAX_CONTEXT_TOKENS, required=False, initial=specs.DEFAULT_CONTEXT
    )
    kv_cache = forms.ChoiceField(
        choices=KV_FORM_CHOICES, required=False, initial=specs.DEFAULT_KV_CACHE, label="KV cache"
    )
    runtime = forms.ChoiceField(choices=RUNTIME_FORM_CHOICES, required=False, initial=specs.DEFAULT_RUNTIME)
    quant = forms.CharField(required=False, max_length=60, help_text="Blank: the model's own format for the runtime.")
    vendor = forms.CharField(required=False, max_length=20)
    segment = forms.ChoiceField(choices=[("", "Any segment")] + list(GPU.Segment.choices), required=False)
    max_price = forms.FloatField(min_value=0, max_value=MAX_PRICE_USD, required=False, label="Max price (USD)")
    all_gpus = forms.BooleanField(required=False, label="Include GPUs the runtime cannot drive")
    older = forms.BooleanField(required=False, label="Include cards not sold today")
    gpu_sort = forms.ChoiceField(
        required=False,
        label="Sort GPUs by",
        choices=[
            ("memory", "Memory (least first)"),
            ("price", "Price (cheapest first)"),
            ("speed", "Speed (fastest first)"),
            ("value", "Tokens/s per dollar"),
        ],
    )
    gpu_page = forms.IntegerField(required=False, min_value=1, max_value=10_000, widget=forms.HiddenInput)

    def __init__(self, *args, llm: LLM | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.llm = llm

    def clean_context(self):
        value = self.cleaned_data.get("context") or specs.default_context(self.llm)
        problem = context_problem(self.llm, value)
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean_kv_cache(self):
        return self.cleaned_data.get("kv_cache") or specs.DEFAULT_KV_CACHE

    def clean_runtime(self):
        value = self.cleaned_data.get("runtime") or specs.DEFAULT_RUNTIME
        problem = kv_cache_problem(value, self.data.get("kv_cache"))
        if problem:
            raise forms.ValidationError(problem)
        return value

    def clean(self):
        data = super().clean()
        if data.get("quant") and "runtime" in data:  # any format the runtime loads, in any case
            try:
                data["quant"] = sizing.resolve_format(data["quant"], data["runtime"]).name
            except EngineError as exc:
                engine_error(self, exc, "quant")
        return data


def _custom_form_field(f: "specs.CustomField") -> forms.Field:
    if f.kind is float:
        return forms.FloatField(min_value=f.min_value, max_value=f.max_value, required=False, label=f.label)
    return forms.IntegerField(min_value=int(f.min_value), max_value=int(f.max_value), required=False, label=f.label)


class CustomArchitectureFields(forms.Form):
    """A model described by hand (config.json numbers) instead of a catalog model: the fields and rules of
    specs.CUSTOM_ARCH, as the API takes them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update({name: _custom_form_field(f) for name, f in specs.CUSTOM_ARCH.items()})

    def custom(self, data) -> dict | None:
        """The custom architecture, or None when no custom field was given; flags what cannot be."""
        given = {k: data.get(k) for k in CUSTOM_FIELDS}
        if all(v is None for v in given.values()):
            return None
        for name, problem in specs.custom_arch_problems(given):
            if name not in self.errors:
                self.add_error(name, problem)
        return given


class ListedModelMixin:
    """The model choices are the catalog, plus a model looked up from the Hub when a link names it: its page's
    plan and compare links work, and it is in no one else's list."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = self.data.get("model", "") if self.is_bound else ""
        self.fields["model"].queryset = LLM.objects.filter(Q(reviewed=True) | Q(slug=chosen)).order_by("name")


class PlanForm(ListedModelMixin, CustomArchitectureFields, MachineFields):
    model = forms.ModelChoiceField(
        queryset=LLM.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        error_messages={"invalid_choice": "Unknown model."},
    )
    quant = forms.CharField(
        max_length=60,
        required=False,
        help_text="Blank: the model's own format for the runtime.",
        widget=forms.TextInput(attrs={"list": "quant-options", "autocomplete": "off"}),
    )
    context = forms.IntegerField(min_value=1, max_value=MAX_CONTEXT_TOKENS, initial=specs.DEFAULT_CONTEXT)
    batch = forms.IntegerField(
        min_value=1, max_value=1024, initial=specs.PLAN_DEFAULTS["batch"], label="Concurrent sequences"
    )
    kv_cache = forms.ChoiceField(choices=KV_FORM_CHOICES, initial=specs.DEFAULT_KV_CACHE, label="KV cache")
    runtime = forms.ChoiceField(choices=RUNTIME_FORM_CHOICES, initial=specs.DEFAULT_RUNTIME)
    gpu = forms.ModelChoiceField(
        queryset=GPU.objects.order_by("vendor", "name"),
        to_field_name="slug",
        required=False,
        label="GPU",
        error_messages={"invalid_choice": "Unknown GPU."},
    )
    vram_gb = forms.FloatField(min_value=0.5, max_value=100_000, required=False, label="Custom VRAM (GB)")
    bandwidth_gbs = forms.FloatField(min_value=1, max_value=100_000, required=False, label="Custom bandwidth (GB/s)")
    gpu_count = forms.IntegerField(
        min_value=1, max_value=specs.MAX_GPU_COUNT, initial=specs.PLAN_DEFAULTS["gpu_count"], label="GPU count"
    )
    cpu_only = forms.BooleanField(required=False, label="CPU only (no GPU: the model runs from system RAM)")
    cpu_moe_layers = forms.IntegerField(
        min_value=0,
        max_value=2000,
        required=False,
        label="--n-cpu-moe N",
        help_text="Blank: the fewest layers whose experts must go to RAM.",
    )

    MODEL_FIELDS = ("model", "quant", "context", "batch", "kv_cache", "runtime")
    GPU_FIELDS = (
        "gpu",
        "vram_gb",
        "bandwidth_gbs",
        "gpu_count",
        "cpu_only",
        "offload",
        "ram_gb",
        "ram_preset",
        "cpu_moe_layers",
    )

    def model_fields(self):
        return [self[f] for f in self.MODEL_FIELDS]

    def custom_fields(self):
        return [self[f] for f in CUSTOM_FIELDS]

    def gpu_fields(self):
        return [self[f] for f in self.GPU_FIELDS]

    def clean(self):
        data = super().clean()
        llm = data.get("model")
        custom = self.custom(data)
        data["custom"] = custom
        if llm and custom:
            self.add_error("model", "Choose a catalog model or describe a custom one, not both.")
        elif not llm and not custom and "model" not in self.errors:
            self.add_error("model", "Choose a model or describe a custom architecture.")
        for name, problem in specs.machine_problems(data):
            self.add_error(name, problem)
        for name, problem in (
            ("context", context_problem(llm, data.get("context"))),
            ("kv_cache", kv_cache_problem(data.get("runtime"), data.get("kv_cache"))),
        ):
            if problem:
                self.add_error(name, problem)
        if not self.errors:
            quant = data["quant"] or specs.default_quant(llm, data["runtime"], data.get("gpu"))
            try:
                data["inputs"] = sizing.plan_inputs(llm, custom, quant, data["runtime"])
            except EngineError as exc:
                engine_error(self, exc)
            else:
                q = data["inputs"].quant
                problem = specs.gpu_problem(data.get("gpu"), data["runtime"], q.name, q.family)
                if problem:
                    self.add_error("gpu", problem)
        return data


class MachineProfileForm(forms.Form):
    """The user's machine, saved once (a cookie) and answered on every model page: a GPU and how many, the system
    RAM and its speed; no GPU with RAM given means the CPU alone."""

    COOKIE = "machine"
    FIELDS = ("gpu", "gpu_count", "ram_gb", "ram_preset")

    gpu = forms.ModelChoiceField(
        queryset=GPU.objects.order_by("vendor", "name"),
        to_field_name="slug",
        required=False,
        label="GPU",
        empty_label="None: the CPU alone",
        error_messages={"invalid_choice": "Unknown GPU."},
    )
    gpu_count = forms.IntegerField(min_value=1, max_value=8, initial=1, required=False, label="How many")
    ram_gb = MachineFields.base_fields["ram_gb"]
    ram_preset = MachineFields.base_fields["ram_preset"]

    @classmethod
    def from_request(cls, request) -> "MachineProfileForm | None":
        """The saved machine, if the cookie holds a valid one."""
        saved = request.COOKIES.get(cls.COOKIE)
        if not saved:
            return None
        form = cls(QueryDict(saved))
        return form if form.is_valid() else None

    def clean(self):
        data = super().clean()
        data["gpu_count"] = data.get("gpu_count") or 1
        if not data.get("gpu") and not data.get("ram_gb"):
            self.add_error("gpu", "Choose a GPU, or give the system RAM to plan for the CPU alone.")
        return data

    def plan_params(self) -> dict:
        """The saved machine as the planner takes it: its GPUs, or the CPU alone without one; with the RAM given,
        what does not fit the GPUs goes to system RAM (offload auto)."""
        d = self.cleaned_data
        gpu, ram = d.get("gpu"), d.get("ram_gb")
        return {
            "gpu": gpu,
            "gpu_count": d["gpu_count"] if gpu else 1,
            "cpu_only": gpu is None,
            "ram_gb": ram,
            "ram_preset": d.get("ram_preset") or "",
            "offload": "auto" if gpu and ram else "none",
        }

    def planner_url(self, **extra) -> str:
        """The planner filled in for the saved machine (and ``extra``: model, quant, context), default-free."""
        p = self.plan_params()
        query = {
            **extra,
            "gpu": p["gpu"].slug if p["gpu"] else "",
            "gpu_count": p["gpu_count"] if p["gpu"] else "",
            "cpu_only": "on" if p["cpu_only"] else "",
            "ram_gb": f"{p['ram_gb']:g}" if p["ram_gb"] else "",
            "ram_preset": p["ram_preset"],
            "offload": "" if p["offload"] == "none" else p["offload"],
        }
        return reverse("planner:plan") + "?" + urlencode({k: v for k, v in query.items() if v})

    def cookie(self) -> str:
        d = self.cleaned_data
        return urlencode(
            {
                "gpu": d["gpu"].slug if d.get("gpu") else "",
                "gpu_count": d["gpu_count"],
                "ram_gb": f"{d['ram_gb']:g}" if d.get("ram_gb") else "",
                "ram_preset": d.get("ram_preset", ""),
            }
        )

    def label(self) -> str:
        d = self.cleaned_data
        gpu = f"{d['gpu_count']} × {d['gpu']}" if d.get("gpu") and d["gpu_count"] > 1 else str(d.get("gpu") or "CPU")
        return gpu + (f" + {d['ram_gb']:g} GB RAM" if d.get("ram_gb") else "")


class CompareForm(ListedModelMixin, forms.Form):
    """2–4 GPUs side by side for one model, quantization and context."""

    model = forms.ModelChoiceField(
        queryset=LLM.objects.order_by("name"), to_field_name="slug", error_messages={"invalid_choice": "Unknown model."}
    )
    quant = forms.CharField(max_length=60, required=False, help_text="Blank: the model's own format for the runtime.")
    context = forms.IntegerField(
        min_value=1, max_value=MAX_CONTEXT_TOKENS, initial=specs.DEFAULT_CONTEXT, required=False
    )
    kv_cache = forms.ChoiceField(
        choices=KV_FORM_CHOICES, initial=specs.DEFAULT_KV_CACHE, label="KV cache", required=False
    )
    runtime = forms.ChoiceField(choices=RUNTIME_FORM_CHOICES, initial=specs.DEFAULT_RUNTIME, required=False)
    DEFAULTS = specs.WORKLOAD_DEFAULTS  # quant: the model's own
    gpu = forms.ModelMultipleChoiceField(
        queryset=GPU.objects.all(),
        to_field_name="slug",
        label="GPUs",
        error_messages={"invalid_choice": "Unknown GPU: %(value)s.", "required": "Choose 2 to 4 GPUs."},
    )

    def clean_gpu(self):
        gpus = list(self.cleaned_data["gpu"])
        if not 2 <= len(gpus) <= 4:
            raise forms.ValidationError("Choose 2 to 4 GPUs.")
        order = [s for s in self.data.getlist("gpu") if s]
        return sorted(gpus, key=lambda g: order.index(g.slug) if g.slug in order else 0)

    def clean(self):
        data = super().clean()
        for name, default in self.DEFAULTS.items():
            if name not in self.errors and not data.get(name):
                data[name] = default
        llm = data.get("model")
        for name, problem in (
            ("context", context_problem(llm, data.get("context"))),
            ("kv_cache", kv_cache_problem(data.get("runtime"), data.get("kv_cache"))),
        ):
            if problem:
                self.add_error(name, problem)
        if llm and not self.errors:
            try:
                data["inputs"] = sizing.plan_inputs(llm, None, data["quant"], data["runtime"])
            except EngineError as exc:
                engine_error(self, exc, "quant")
            else:
                q = data["inputs"].quant
                for gpu in data.get("gpu") or []:
                    problem = specs.gpu_problem(gpu, data["runtime"], q.name, q.family)
                    if problem:
                        self.add_error("gpu", problem)
        return data


def _labelled(field: forms.Field, label: str) -> forms.Field:
    """A copy of another form's field under this form's label."""
    copy = deepcopy(field)
    copy.label = label
    return copy


class ModelListForm(forms.Form):
    """The model list page's fields beside its filters: a GPU the models must fit, at a context, and a sort."""

    # Popular first by default: Hub downloads (a dated snapshot, kept current by the refresh); unknown last.
    SORTS = {
        "downloads": F("hf_downloads").desc(nulls_last=True),
        "name": Lower("name").asc(),
        "params": F("params_total").asc(nulls_last=True),
        "-params": F("params_total").desc(nulls_last=True),
        "context": F("max_context").desc(nulls_last=True),
        "released": F("release_date").desc(nulls_last=True),
    }
    SORT_LABELS = {
        "downloads": "Most downloaded",
        "name": "Name (A–Z)",
        "params": "Smallest first",
        "-params": "Largest first",
        "context": "Longest context",
        "released": "Newest",
    }
    DEFAULT_SORT = "downloads"
    # The filters (q, family, …) come from catalog.filters.ModelFilterSet, which builds its form on this one.
    field_order = [
        "q",
        "family",
        "developer",
        "architecture",
        "tag",
        "min_params_b",
        "max_params_b",
        "fits_gpu",
        "fits_count",
        "fits_ram_gb",
        "fits_ram_preset",
        "fits_context",
        "sort",
    ]
    fits_gpu = forms.ModelChoiceField(
        queryset=GPU.objects.all(),
        to_field_name="slug",
        required=False,
        label="Fits on GPU",
        error_messages={"invalid_choice": "Unknown GPU."},
    )
    fits_count = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=specs.MAX_GPU_COUNT,
        label="× GPUs",
        widget=forms.NumberInput(attrs={"size": 3}),
    )
    # The machine's RAM and kit, as the planner and the saved machine take them (MachineFields).
    fits_ram_gb = _labelled(MachineFields.base_fields["ram_gb"], "with system RAM (GB)")
    fits_ram_preset = _labelled(MachineFields.base_fields["ram_preset"], "RAM kit")
    fits_context = forms.IntegerField(required=False, min_value=1, max_value=MAX_CONTEXT_TOKENS, label="at context")
    sort = forms.ChoiceField(choices=[("", "Sort")] + list(SORT_LABELS.items()), required=False)


class GPUListForm(forms.Form):
    """The GPU list page's sort beside its filters."""

    # Price: the current price (GPUQuerySet.with_current_price), unpriced cards last; every sort puts unknown values
    # last.
    SORTS = {
        "vram": "memory_bytes",
        "-vram": "-memory_bytes",
        "bandwidth": F("bandwidth_gbs").desc(nulls_last=True),
        "price": F("current_price").asc(nulls_last=True),
        "name": Lower("name").asc(),
        "released": F("release_date").desc(nulls_last=True),
    }
    SORT_LABELS = {
        "vram": "Least memory first",
        "-vram": "Most memory first",
        "bandwidth": "Fastest memory",
        "price": "Cheapest first",
        "name": "Name (A–Z)",
        "released": "Newest",
    }
    # The filters (q, vendor, …) come from catalog.filters.GPUFilterSet, which builds its form on this one.
    field_order = ["q", "vendor", "segment", "architecture", "min_vram_gb", "max_vram_gb", "max_price"]
    sort = forms.ChoiceField(choices=[("", "Sort")] + list(SORT_LABELS.items()), required=False)


class ModelListFilter(ModelFilterSet):
    """The model list page: the catalog's model filters on a form with the page's own fields."""

    class Meta(ModelFilterSet.Meta):
        form = ModelListForm


class GPUListFilter(GPUFilterSet):
    """The GPU list page: the catalog's GPU filters on a form with the page's sort."""

    class Meta(GPUFilterSet.Meta):
        form = GPUListForm
