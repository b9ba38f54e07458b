"""The catalog editor: GPUs with history, revert, CSV import/export and refresh locks; LLMs with
their quantizations and benchmarks; quantization formats; the change log."""

import uuid

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from catalog import gpu_csv, history, refresh
from catalog.models import (
    GPU,
    LLM,
    BenchmarkScore,
    ChangeRecord,
    CSVImport,
    HubLookup,
    Measurement,
    ModelQuant,
    QuantFormat,
    RefreshRun,
    Tag,
)
from catalog.sources import SourceError

admin.site.site_header = "VRAM planner catalog"
admin.site.site_title = "VRAM planner admin"
admin.site.index_title = "Catalog"


class HasPriceFilter(admin.SimpleListFilter):
    title = "price"
    parameter_name = "has_price"

    def lookups(self, request, model_admin):
        return (("yes", "Has a price"), ("street", "Has a street price"), ("no", "No price"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(Q(street_price_usd__isnull=False) | Q(launch_price_usd__isnull=False))
        if self.value() == "street":
            return queryset.filter(street_price_usd__isnull=False)
        if self.value() == "no":
            return queryset.filter(street_price_usd__isnull=True, launch_price_usd__isnull=True)
        return queryset


class GPUForm(forms.ModelForm):
    unlock = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Unlock fields",
        help_text="Locked fields were set by hand and the catalog refresh leaves them alone. Tick to let the "
        "refresh update them again.",
    )

    class Meta:
        model = GPU
        # Every GPU field, including ones added later, but the lock list (edited through "Unlock fields").
        exclude = ("locked_fields",)  # noqa: DJ006

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        locked = list(self.instance.locked_fields) if self.instance.pk else []
        self.fields["unlock"].choices = [(f, f) for f in locked]
        if not locked:
            self.fields["unlock"].widget = forms.MultipleHiddenInput()
        for name in locked:
            if name in self.fields:
                self.fields[name].help_text = "🔒 Locked: set by hand, refresh skips it. " + str(
                    self.fields[name].help_text or ""
                )
        self.fields["memory_bytes"].help_text = "Bytes (24 GB = 25769803776). Must be positive."

    def clean_memory_bytes(self):
        value = self.cleaned_data["memory_bytes"]
        if not value or value <= 0:
            raise forms.ValidationError("VRAM must be positive.")
        return value

    def clean_bandwidth_gbs(self):
        value = self.cleaned_data.get("bandwidth_gbs")
        if value is not None and value <= 0:
            raise forms.ValidationError("Bandwidth must be positive (GB/s).")
        return value

    def _price(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and value < 0:
            raise forms.ValidationError("Prices cannot be negative.")
        return value

    def clean_launch_price_usd(self):
        return self._price("launch_price_usd")

    def clean_street_price_usd(self):
        return self._price("street_price_usd")


def _is_uuid(value) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


class CSVImportForm(forms.Form):
    file = forms.FileField(
        help_text=f"UTF-8 CSV with a header row. Columns: {', '.join(gpu_csv.COLUMNS)} "
        f"(required: {', '.join(gpu_csv.REQUIRED)})."
    )


class HistoryMixin(admin.ModelAdmin):
    """Record every admin save with its old and new values; show the history with a revert button."""

    object_history_template = "admin/catalog/object_history.html"

    def save_model(self, request, obj, form, change):
        before = history.snapshot(type(obj).objects.get(pk=obj.pk)) if change else None
        history.save_with_history(obj, before=before, user=request.user, via=ChangeRecord.Via.ADMIN)

    def delete_model(self, request, obj):
        history.delete_with_history(obj, user=request.user, via=ChangeRecord.Via.ADMIN)

    def delete_queryset(self, request, queryset):
        for obj in queryset:  # one record per row, as for a single delete
            history.delete_with_history(obj, user=request.user, via=ChangeRecord.Via.ADMIN)

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "object": obj,
            "opts": self.opts,
            "changes": history.history_of(obj).select_related("user"),
            "can_revert": self.has_change_permission(request, obj),
            "revert_url_name": f"admin:{self.opts.app_label}_{self.opts.model_name}_revert",
        }
        return TemplateResponse(request, self.object_history_template, context)

    def revert_view(self, request, object_id, change_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_history", args=[obj.pk])
            )
        change = get_object_or_404(history.history_of(obj), pk=change_id)
        history.revert(obj, change, user=request.user)
        self.message_user(request, f"Reverted {obj} to the version of {change.at:%Y-%m-%d %H:%M:%S}.", messages.SUCCESS)
        return HttpResponseRedirect(
            reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        )

    def history_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:change_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="{}_{}_revert".format(*info),
            )
        ]


@admin.register(GPU)
class GPUAdmin(HistoryMixin, admin.ModelAdmin):
    form = GPUForm
    list_display = (
        "name",
        "vendor",
        "vram",
        "bandwidth_gbs",
        "price",
        "segment",
        "is_active",
        "source_short",
        "admin_edited_at",
        "locks",
    )
    list_filter = (
        "vendor",
        "segment",
        "architecture",
        "is_active",
        HasPriceFilter,
        ("stale_since", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "slug", "architecture", "vendor")
    ordering = ("vendor", "name")
    prepopulated_fields = {"slug": ("vendor", "name")}
    readonly_fields = ("source", "fetched_at", "stale_since", "admin_edited_at", "locked_fields_display")
    actions = ("activate", "deactivate", "mark_price_unknown", "export_selected_csv")
    list_per_page = 100
    change_list_template = "admin/catalog/gpu/change_list.html"
    fieldsets = (
        (None, {"fields": ("vendor", "name", "slug", "architecture", "segment", "is_active")}),
        (
            "Memory and compute",
            {
                "fields": (
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
                )
            },
        ),
        (
            "Release and price",
            {
                "fields": (
                    "release_date",
                    "release_year_only",
                    "launch_price_usd",
                    "street_price_usd",
                    "street_price_observed_at",
                    "availability",
                )
            },
        ),
        (
            "Provenance and refresh locks",
            {"fields": ("source", "fetched_at", "stale_since", "admin_edited_at", "locked_fields_display", "unlock")},
        ),
    )

    @admin.display(description="VRAM", ordering="memory_bytes")
    def vram(self, obj):
        return f"{obj.memory_gib:g} GB"

    @admin.display(description="Price (USD)", ordering="street_price_usd")
    def price(self, obj):
        if obj.street_price_usd is not None:
            return f"${obj.street_price_usd:,.0f} street"
        return f"${obj.launch_price_usd:,.0f} launch" if obj.launch_price_usd is not None else "–"

    @admin.display(description="Source")
    def source_short(self, obj):
        return (obj.source[:40] + "…") if len(obj.source) > 40 else obj.source

    @admin.display(description="Locked")
    def locks(self, obj):
        return len(obj.locked_fields) or ""

    @admin.display(description="Locked fields")
    def locked_fields_display(self, obj):
        if not obj.locked_fields:
            return "None: the refresh may update every field."
        return format_html_join(", ", "<code>🔒 {}</code>", ((f,) for f in obj.locked_fields))

    def save_model(self, request, obj, form, change):
        unlock = form.cleaned_data.get("unlock") or []
        super().save_model(request, obj, form, change)
        if unlock:
            history.unlock(obj, unlock, user=request.user)

    def _bulk(self, request, queryset, verb, **values):
        done = 0
        for gpu in queryset:
            before = history.snapshot(gpu)
            for key, value in values.items():
                setattr(gpu, key, value)
            if history.save_with_history(gpu, before=before, user=request.user, via=ChangeRecord.Via.ADMIN):
                done += 1
        self.message_user(request, f"{verb} {done} GPU{'s' if done != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Activate selected GPUs", permissions=["change"])
    def activate(self, request, queryset):
        self._bulk(request, queryset, "Activated", is_active=True)

    @admin.action(description="Deactivate (retire) selected GPUs", permissions=["change"])
    def deactivate(self, request, queryset):
        self._bulk(request, queryset, "Deactivated", is_active=False)

    @admin.action(description="Mark street price unknown", permissions=["change"])
    def mark_price_unknown(self, request, queryset):
        self._bulk(
            request, queryset, "Cleared the street price of", street_price_usd=None, street_price_observed_at=None
        )

    @admin.action(description="Export selected GPUs as CSV", permissions=["view"])
    def export_selected_csv(self, request, queryset):
        return self._csv_response(queryset)

    def _csv_response(self, queryset):
        response = HttpResponse(gpu_csv.write(queryset.order_by("vendor", "name")), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="gpus-{timezone.now():%Y%m%d-%H%M}.csv"'
        return response

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/<uuid:import_id>/",
                self.admin_site.admin_view(self.import_status_view),
                name="{}_{}_import_status".format(*info),
            ),
            *self.history_urls(),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """The changelist's current filters and search, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        changelist = self.get_changelist_instance(request)
        return self._csv_response(changelist.get_queryset(request))

    def import_view(self, request):
        """Upload → preview (created / changed, with row-numbered errors) → confirm. A file with any bad row is
        rejected whole. The upload is kept server-side (catalog.CSVImport) between preview and confirmation, so
        nothing is posted back; confirming re-checks it against the catalog and writes it in one transaction, in
        the request when small, else in a Celery task whose progress the import's page shows."""
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Import GPUs from CSV",
            "inline_rows": settings.CSV_IMPORT_INLINE_ROWS,
        }
        if request.method == "POST" and request.POST.get("confirm"):
            import_id = request.POST.get("import_id", "")
            imp = (
                CSVImport.objects.filter(pk=import_id, status=CSVImport.Status.PREVIEWED).first()
                if _is_uuid(import_id)
                else None
            )
            if imp is None or not gpu_csv.start_import(imp):
                context.update(
                    form=CSVImportForm(),
                    error="This import was already confirmed or does not exist: upload the file again.",
                )
                return render(request, "admin/catalog/gpu/import.html", context, status=400)
            imp.refresh_from_db()
            if imp.status == CSVImport.Status.DONE:
                self.message_user(request, f"Imported: {imp.message}", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:catalog_gpu_changelist"))
            return HttpResponseRedirect(reverse("admin:catalog_gpu_import_status", args=[imp.pk]))
        form = CSVImportForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                plan, error = None, "The file is not UTF-8 text."
            else:
                plan, error = self._plan(text)
            if plan and plan.ok and (plan.creates or plan.updates):
                context["import"] = CSVImport.objects.create(
                    file_name=upload.name[:200],
                    text=text,
                    uploaded_by=request.user,
                    rows=len(plan.slugs),
                    created=len(plan.creates),
                    changed=len(plan.updates),
                    unchanged=plan.unchanged,
                )
            context.update(plan=plan, error=error)
            status = 200 if plan and plan.ok else 400
        elif request.method == "POST":
            status = 400
        context["form"] = form
        return render(request, "admin/catalog/gpu/import.html", context, status=status)

    def import_status_view(self, request, import_id):
        """A confirmed import: queued, writing (rows written so far), imported, or failed with the reason."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        imp = gpu_csv.give_up_if_lost(get_object_or_404(CSVImport, pk=import_id))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"CSV import: {imp}",
            "import": imp,
            "written": cache.get(gpu_csv.progress_key(imp.pk)) if imp.in_progress else None,
        }
        return render(request, "admin/catalog/gpu/import_status.html", context)

    @staticmethod
    def _plan(text):
        try:
            return gpu_csv.plan_changes(gpu_csv.read(text)), None
        except gpu_csv.CSVFormatError as exc:
            return None, str(exc)


class ModelQuantInline(admin.TabularInline):
    model = ModelQuant
    extra = 0
    autocomplete_fields = ("fmt",)


class BenchmarkInline(admin.TabularInline):
    model = BenchmarkScore
    extra = 0


class HubImportForm(forms.Form):
    repo_id = forms.RegexField(
        regex=r"^[\w.-]+/[\w.-]+$",
        max_length=200,
        label="Hugging Face repo id",
        help_text="owner/name, e.g. Qwen/Qwen3-8B",
        error_messages={"invalid": "Use owner/name, as on the Hub."},
    )
    gguf_repo = forms.RegexField(
        regex=r"^[\w.-]+/[\w.-]+$",
        max_length=200,
        required=False,
        label="GGUF repo (optional)",
        help_text="e.g. Qwen/Qwen3-8B-GGUF",
        error_messages={"invalid": "Use owner/name, as on the Hub."},
    )


@admin.register(LLM)
class LLMAdmin(HistoryMixin, admin.ModelAdmin):
    change_list_template = "admin/catalog/llm/change_list.html"
    list_display = (
        "name",
        "developer",
        "family",
        "architecture",
        "params_b",
        "max_context",
        "release_date",
        "quant_count",
        "reviewed",
    )
    list_filter = ("reviewed", "architecture", "attention", "developer", "family", "tags")
    actions = ("promote",)
    search_fields = ("name", "slug", "hf_repo_id", "family", "developer")
    filter_horizontal = ("tags",)
    inlines = (ModelQuantInline, BenchmarkInline)
    readonly_fields = ("source", "fetched_at", "card_fetched_at")
    prepopulated_fields = {"slug": ("name",)}

    def get_urls(self):
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="catalog_llm_import"),
            *self.history_urls(),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Create a model from the Hub by its repo id (the same code as manage.py import_model)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = HubImportForm(request.POST or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                llm = refresh.import_model(form.cleaned_data["repo_id"], form.cleaned_data["gguf_repo"] or None)
            except SourceError as exc:
                form.add_error("repo_id", str(exc))
                status = 400
            else:
                history.record(llm, before=None, user=request.user, via=ChangeRecord.Via.ADMIN)
                self.message_user(
                    request, f"Imported {llm.name} with {llm.quantizations.count()} quantizations.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:catalog_llm_change", args=[llm.pk]))
        elif request.method == "POST":
            status = 400
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Import a model from the Hugging Face Hub",
        }
        return render(request, "admin/catalog/llm/import.html", context, status=status)

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_quants=Count("quantizations"))

    @admin.display(description="Params", ordering="params_total")
    def params_b(self, obj):
        return f"{obj.params_total / 1e9:.1f}B" if obj.params_total else "–"

    @admin.display(description="Quantizations", ordering="n_quants")
    def quant_count(self, obj):
        return obj.n_quants

    @admin.action(description="Promote to the catalog (reviewed: listed everywhere)", permissions=["change"])
    def promote(self, request, queryset):
        promoted = 0
        for llm in queryset.filter(reviewed=False):
            before = history.snapshot(llm)
            llm.reviewed = True
            history.save_with_history(llm, before=before, user=request.user, via=ChangeRecord.Via.ADMIN, lock=False)
            promoted += 1
        self.message_user(
            request, f"Promoted {promoted} model{'s' if promoted != 1 else ''} into the catalog.", messages.SUCCESS
        )


@admin.register(HubLookup)
class HubLookupAdmin(admin.ModelAdmin):
    """Users' lookups of Hub repositories, most asked for first: review their provisional models and promote the
    ones worth carrying (LLM admin, "Promote to the catalog")."""

    list_display = ("repo_id", "requests", "status", "model_link", "reviewed", "finished_at")
    list_filter = ("status", "llm__reviewed")
    search_fields = ("repo_id",)
    ordering = ("-requests", "-queued_at")
    readonly_fields = (
        "key",
        "repo_id",
        "status",
        "message",
        "llm",
        "files",
        "requests",
        "created_at",
        "queued_at",
        "started_at",
        "finished_at",
    )

    def has_add_permission(self, request):
        return False  # lookups come from users (the site and the API), not from here

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Model")
    def model_link(self, obj):
        if not obj.llm_id:
            return "–"
        return format_html('<a href="{}">{}</a>', reverse("admin:catalog_llm_change", args=[obj.llm_id]), obj.llm)

    @admin.display(description="Reviewed", boolean=True, ordering="llm__reviewed")
    def reviewed(self, obj):
        return obj.llm.reviewed if obj.llm_id else None


@admin.register(QuantFormat)
class QuantFormatAdmin(HistoryMixin, admin.ModelAdmin):
    list_display = ("name", "family", "bits_per_weight", "file_bpw_reference", "quality_pct", "sort_order")
    list_filter = ("family",)
    search_fields = ("name", "base_type")
    ordering = ("sort_order", "name")
    # Descriptive: the engine sizes GGUF files from its own tables (a planner test holds these to them), so an
    # edit here would change nothing it sizes.
    readonly_fields = ("base_type", "block_weights", "block_bytes")

    def get_urls(self):
        return [*self.history_urls(), *super().get_urls()]


@admin.register(Measurement)
class MeasurementAdmin(HistoryMixin, admin.ModelAdmin):
    """Published speed measurements: the site shows them beside its estimates and `make bench-calibrate` refits the
    speed constants on them. A row needs its source."""

    list_display = ("model_label", "quant", "gpu", "n_gpus", "runtime", "backend", "test", "tok_s", "measured_on")
    list_filter = ("kind", "runtime", "n_gpus", "gpu__vendor")
    search_fields = ("model_label", "gpu_label", "gpu__name", "llm__name", "quant", "test", "source")
    autocomplete_fields = ("llm", "gpu")
    readonly_fields = ("created_at",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "llm",
                    "model_label",
                    "quant",
                    "file_size_bytes",
                    "gpu",
                    "gpu_label",
                    "n_gpus",
                    "bandwidth_gbs",
                )
            },
        ),
        ("Test", {"fields": ("runtime", "backend", "build", "test", "kind", "depth", "tok_s", "measured_on")}),
        ("Provenance", {"fields": ("source", "notes", "key", "created_at")}),
    )

    def get_urls(self):
        return [*self.history_urls(), *super().get_urls()]


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """The audit log: read-only."""

    list_display = ("at", "object_repr", "content_type", "action", "via", "user", "fields_changed")
    list_filter = ("via", "action", "content_type")
    search_fields = ("object_repr", "user__username")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ChangeRecord._meta.fields]

    @admin.display(description="Fields")
    def fields_changed(self, obj):
        return ", ".join(obj.changes) or "–"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RefreshRun)
class RefreshRunAdmin(admin.ModelAdmin):
    """Every catalog refresh run, and a "refresh now" button per source."""

    list_display = (
        "started_at",
        "source",
        "status",
        "dry_run",
        "created",
        "updated",
        "unchanged",
        "skipped",
        "duration",
        "triggered_by",
        "message_short",
        "reverted_at",
    )
    list_filter = ("source", "status", "dry_run")
    date_hierarchy = "started_at"
    readonly_fields = [f.name for f in RefreshRun._meta.fields]
    change_list_template = "admin/catalog/refreshrun/change_list.html"
    actions = ("revert_runs",)

    def has_revert_permission(self, request):
        return request.user.has_perm("catalog.change_gpu") and request.user.has_perm("catalog.delete_gpu")

    @admin.action(description="Revert what the selected runs wrote", permissions=["revert"])
    def revert_runs(self, request, queryset):
        """Newest run first; each changed field back to its old value, each GPU a run created deleted, all
        recorded. Rows edited since are left alone and listed."""
        runs = queryset.filter(status=RefreshRun.Status.SUCCEEDED, dry_run=False, reverted_at=None)
        skipped = queryset.count() - runs.count()
        for run in runs.order_by("-started_at", "-pk"):
            reverted, conflicts = history.revert_run(run, user=request.user)
            level = messages.WARNING if conflicts else messages.SUCCESS
            self.message_user(
                request,
                f"{run}: {reverted} row{'s' if reverted != 1 else ''} reverted"
                + (f"; left alone: {'; '.join(conflicts[:10])}" if conflicts else "."),
                level,
            )
        if skipped:
            self.message_user(
                request, f"{skipped} run(s) not reverted: failed, dry runs or already reverted.", messages.WARNING
            )

    @admin.display(description="Took")
    def duration(self, obj):
        return f"{(obj.finished_at - obj.started_at).total_seconds():.1f} s" if obj.finished_at else "running"

    @admin.display(description="Message")
    def message_short(self, obj):
        return obj.message[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path("refresh-now/", self.admin_site.admin_view(self.refresh_now), name="catalog_refreshrun_now"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        sources = [(name, module.enabled()) for name, module in refresh.SOURCES.items()]
        return super().changelist_view(request, {**(extra_context or {}), "sources": sources})

    def refresh_now(self, request):
        """Queue a refresh of one source (runs inline when Celery is eager)."""
        from catalog.tasks import refresh_source

        if request.method != "POST" or not request.user.has_perm("catalog.change_gpu"):
            raise PermissionDenied
        source = request.POST.get("source", "")
        if source not in refresh.SOURCES or not refresh.SOURCES[source].enabled():
            self.message_user(request, f"Unknown or disabled source {source!r}.", messages.ERROR)
        else:
            refresh_source.delay_on_commit(source, triggered_by=request.user.get_username())
            self.message_user(request, f"Refresh of {source} queued; its run appears below.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:catalog_refreshrun_changelist"))


admin.site.register(Tag)
