"""The catalog's list filters, once (django-filter): the model and GPU list pages and the API's lists use these
FilterSets, each surface adding only its own ordering vocabulary (the pages' ``sort``, the API's ``ordering``) and,
for the pages, the form fields that are not filters (catalog.search does the word matching behind ``q``)."""

import django_filters as df
from django import forms
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from catalog import search
from catalog.models import GIB, GPU, LLM, GPUQuerySet

# The largest price a filter takes, USD (the page, the API lists and the model-GPUs endpoint alike).
MAX_PRICE_USD = 1_000_000_000


@extend_schema_field(OpenApiTypes.NUMBER)  # a float whatever the stored column's type
class ScaledFloatFilter(df.NumberFilter):
    """A float in the unit people think in (billions of parameters, GiB), compared with the stored unit."""

    field_class = forms.FloatField

    def __init__(self, *args, scale: float, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = scale

    def filter(self, qs, value):
        return super().filter(qs, None if value is None else value * self.scale)


class CatalogFilterSet(df.FilterSet):
    """Filters over a form that may carry more than filters (a page's sort, the GPU a model must fit)."""

    def filter_queryset(self, queryset):
        for name, flt in self.filters.items():
            queryset = flt.filter(queryset, self.form.cleaned_data.get(name))
        return queryset


class StrictBooleanField(forms.Field):
    """true/false as the API has always read them (DRF's BooleanField words: true, yes, on, 1 …); anything else is
    an error naming the field, not silently ignored."""

    TRUE = {"true", "t", "yes", "y", "on", "1"}
    FALSE = {"false", "f", "no", "n", "off", "0"}

    def to_python(self, value):
        if value in (None, ""):
            return None
        word = str(value).strip().lower()
        if word in self.TRUE or word in self.FALSE:
            return word in self.TRUE
        raise forms.ValidationError("Must be a valid boolean.", code="invalid")


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(df.BooleanFilter):
    field_class = StrictBooleanField


class SlugFilter(df.CharFilter):
    field_class = forms.SlugField


class ModelFilterSet(CatalogFilterSet):
    q = df.CharFilter(
        method="search",
        max_length=100,
        label="Search",
        help_text=(
            'Words in the name, repo id, family, developer or an Ollama tag, in any case and spacing ("llama3 8b", '
            '"deepseek-r1:8b"); a word may be a prefix or one typo away; numbers match exactly.'
        ),
    )
    family = df.CharFilter(lookup_expr="iexact", max_length=60, help_text='The family, in any case ("Llama 3.1").')
    developer = df.CharFilter(lookup_expr="iexact", max_length=60, help_text="The developer, in any case.")
    architecture = df.ChoiceFilter(choices=LLM.Architecture.choices, empty_label="Dense or MoE")
    tag = SlugFilter(
        field_name="tags__slug", max_length=40, label="Tag", help_text='A tag\'s slug ("coding", "vision").'
    )
    min_params_b = ScaledFloatFilter(
        field_name="params_total",
        lookup_expr="gte",
        scale=1e9,
        min_value=0,
        max_value=100_000,
        label="Min params (B)",
        help_text="Billions of parameters (total), at least.",
    )
    max_params_b = ScaledFloatFilter(
        field_name="params_total",
        lookup_expr="lte",
        scale=1e9,
        min_value=0,
        max_value=100_000,
        label="Max params (B)",
        help_text="Billions of parameters (total), at most.",
    )

    class Meta:
        model = LLM
        fields: list[str] = []  # the filters above

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return search.models(qs, value)

    def filter_queryset(self, queryset):
        """The catalog's listed models (LLMQuerySet.listed: a search also finds the models looked up from the Hub),
        then the filters."""
        d = self.form.cleaned_data
        searching = bool(d.get("q")) or d.get("reviewed") is False
        return super().filter_queryset(queryset.listed(searching=searching))


class GPUFilterSet(CatalogFilterSet):
    q = df.CharFilter(
        method="search",
        max_length=100,
        label="Search",
        help_text=(
            'Words in the vendor, name, architecture or memory size ("rtx3060", "3060 12gb"); prefixes and one typo '
            "allowed, numbers exact."
        ),
    )
    vendor = df.CharFilter(lookup_expr="iexact", max_length=20, help_text="NVIDIA, AMD, Intel or Apple, in any case.")
    segment = df.ChoiceFilter(choices=GPU.Segment.choices, empty_label="Any segment")
    architecture = df.CharFilter(
        lookup_expr="iexact", max_length=40, help_text='The GPU architecture ("Ada Lovelace").'
    )
    min_vram_gb = ScaledFloatFilter(
        field_name="memory_bytes",
        lookup_expr="gte",
        scale=GIB,
        min_value=0,
        max_value=1_000_000,
        label="Min VRAM (GB)",
        help_text="Memory in GB (GiB, as GPU memory is sold), at least.",
    )
    max_vram_gb = ScaledFloatFilter(
        field_name="memory_bytes",
        lookup_expr="lte",
        scale=GIB,
        min_value=0,
        max_value=1_000_000,
        label="Max VRAM (GB)",
        help_text="Memory in GB (GiB, as GPU memory is sold), at most.",
    )
    max_price = ScaledFloatFilter(
        method="priced_at_most",
        scale=1,
        min_value=0,
        max_value=MAX_PRICE_USD,
        label="Max price (USD)",
        help_text="USD; the current price: a dated retail price, else the launch price of a card from the last four "
        "years (GPU.current_price_usd).",
    )

    class Meta:
        model = GPU
        fields: list[str] = []  # the filters above

    def search(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return search.gpus(qs, value)

    def priced_at_most(self, qs: GPUQuerySet, name: str, value) -> GPUQuerySet:
        return qs.priced_at_most(value)
