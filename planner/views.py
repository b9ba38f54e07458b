"""Pages that show sizing numbers. Thin: parse input, call planner.sizing / querysets, render.

htmx requests get the ``#results`` partial of the same template; everything works without JS.
"""

import json
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from catalog import search as find
from catalog.models import GPU, LLM, HubLookup
from catalog.sources import hf_hub
from config.api import LookupThrottle
from planner import charts, lookup, sizing, snapshot, specs
from planner.caching import cached_page
from planner.engine import calibration
from planner.engine.speed import capped_read_gbs
from planner.engine.types import GIB, EngineError, Runtime, Workload
from planner.forms import (
    CompareForm,
    GPUListFilter,
    GPUListForm,
    MachineProfileForm,
    ModelListFilter,
    ModelListForm,
    PlanForm,
    SizingForm,
    engine_error,
)

GPU_ROWS_SHOWN = 100  # GPUs per page of a model page's list; the API lists them all


def _partial(request, template, block="results"):
    return f"{template}#{block}" if request.headers.get("HX-Request") else template


@cached_page
def home(request):
    return render(
        request,
        "planner/home.html",
        {
            "gpu_count": GPU.objects.count(),
            "llm_count": LLM.objects.reviewed().count(),
            "popular": LLM.objects.reviewed().order_by(
                ModelListForm.SORTS[ModelListForm.DEFAULT_SORT], "-params_total"
            )[:12],
            "recent": LLM.objects.reviewed()
            .exclude(release_date=None)
            .order_by(ModelListForm.SORTS["released"], "name")[:6],
            "gpus": GPU.objects.active().order_by("vendor", "name").only("slug", "vendor", "name"),
        },
    )


@cached_page
def search(request):
    q = (request.GET.get("q") or "").strip()[:100]
    # Models looked up from the Hub are found too; both lists best match first (catalog/search.py).
    models = find.models(LLM.objects.listed(searching=True), q, limit=20) if q else []
    gpus = find.gpus(GPU.objects.all(), q, limit=20) if q else []
    try:  # a query that reads as a repository id is offered as a lookup, filled in
        lookup_ref = q if "/" in q and hf_hub.parse_ref(q) else ""
    except ValueError:
        lookup_ref = ""
    return render(
        request,
        _partial(request, "planner/search.html"),
        {  # htmx: suggestions as the user types
            "q": q,
            "models": models,
            "gpus": gpus,
            "lookup_ref": lookup_ref,
            "lookup_label": "Not what you meant? Size it straight from the Hugging Face Hub"
            if models
            else "No model in the catalog matches: size any Hugging Face model",
        },
    )


@cached_page
def model_list(request):
    filters = ModelListFilter(request.GET or None, queryset=LLM.objects.prefetch_related("tags"))
    form = filters.form
    qs = (
        LLM.objects.listed(searching=False)
        .prefetch_related("tags")
        .order_by(ModelListForm.SORTS[ModelListForm.DEFAULT_SORT], "name")
    )
    if filters.is_valid():
        d = form.cleaned_data
        qs = filters.qs
        qs = qs.order_by(ModelListForm.SORTS[d["sort"] or ModelListForm.DEFAULT_SORT], "name")
        if d["fits_gpu"]:
            work = Workload(context=d["fits_context"] or specs.DEFAULT_CONTEXT)
            machine = specs.machine("auto", d["fits_ram_gb"], d["fits_ram_preset"] or "")
            fits = sizing.best_fit_per_model(
                d["fits_gpu"],
                qs.prefetch_related("quantizations__fmt"),
                work,
                Runtime(),
                d["fits_count"] or 1,
                machine["ram_bytes"],
                machine["ram_bandwidth_gbs"],
            )
            best = {llm.pk: mq for llm, mq, _plan in fits}
            qs = [llm for llm in qs if llm.pk in best]  # keep the chosen sort order
            plans = {llm.pk: p for llm, _mq, p in fits}
            for llm in qs:
                llm.best_fit, llm.best_fit_plan = best[llm.pk], plans[llm.pk]
    page = Paginator(qs, 24).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        _partial(request, "planner/model_list.html"),
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "families": LLM.objects.reviewed().order_by("family").values_list("family", flat=True).distinct(),
            "gpu_options": GPU.objects.active().order_by("vendor", "name").only("slug", "vendor", "name"),
        },
        status=400 if form.errors else 200,
    )


@cached_page
def model_detail(request, slug):
    llm = snapshot.model(slug)  # with its quantizations, tags and benchmarks; no SQL once warm
    if llm is None:
        raise Http404("No such model.")
    form = SizingForm(request.GET or None, llm=llm)
    ctx = {
        "llm": llm,
        "form": form,
        "context_steps": sizing.context_steps(llm),
        "family": snapshot.family(llm),
        "card": snapshot.card(llm),
        "provisional": None
        if llm.reviewed
        # the lookup that made it: when, and what it read
        else (HubLookup.objects.filter(llm=llm).order_by("-finished_at").first() or HubLookup(repo_id=llm.hf_repo_id)),
    }
    if request.GET and not form.is_valid():
        # Keep what the user typed in every control next to the error, rather than the defaults.
        ctx["d"] = {name: request.GET.get(name, "") for name in form.fields}
        return render(request, _partial(request, "planner/model_detail.html"), ctx, status=400)
    d = (
        form.cleaned_data
        if request.GET
        else {
            "context": specs.default_context(llm),
            **specs.PLAN_DEFAULTS,
            "quant": "",
            "vendor": "",
            "segment": "",
            "max_price": None,
            "all_gpus": False,
            "older": False,
            "ram_gb": None,
            "ram_preset": "",
            "gpu_sort": "memory",
            "gpu_page": None,
        }
    )
    if llm.unsupported_reason:  # facts only: no number from a formula that does not fit the design
        return render(request, _partial(request, "planner/model_detail.html"), {**ctx, "d": d})
    work = Workload(context=d["context"], kv_cache=d["kv_cache"])
    runtime = Runtime(name=d["runtime"])
    try:
        selected = sizing.plan_inputs(llm, None, d["quant"], runtime.name)
        d = {**d, "quant": selected.quant.name}
        rows = sizing.quant_rows(llm, work, runtime)
        gpu_rows = sizing.gpu_rows(
            llm,
            selected.quant,
            work,
            runtime,
            vendor=d["vendor"],
            segment=d["segment"],
            max_price=d["max_price"],
            all_gpus=d["all_gpus"],
            older=d["older"],
            **(form.machine() if form.is_bound else {}),
        )
    except EngineError as exc:
        if not form.is_bound:  # the page's defaults themselves cannot be sized: report it like an input error
            form = SizingForm({k: v for k, v in d.items() if v not in (None, "")}, llm=llm)
            form.is_valid()
        engine_error(form, exc)
        return render(
            request, _partial(request, "planner/model_detail.html"), {**ctx, "form": form, "d": d}, status=400
        )
    chosen = sizing.quant_memory(llm, selected.quant, work, runtime)
    # Every fitting GPU, a page at a time, in the order the user picked (callouts come from all of them).
    pages = max(-(-len(gpu_rows) // GPU_ROWS_SHOWN), 1)
    page = min(d.get("gpu_page") or 1, pages)
    start = (page - 1) * GPU_ROWS_SHOWN
    ctx.update(
        {
            "d": d,
            "rows": rows,
            "selected": selected,
            "chosen": chosen,
            "formats": sizing.runtime_quants(llm, runtime.name),
            "gpu_rows": gpu_rows.ordered(d.get("gpu_sort") or "memory")[start : start + GPU_ROWS_SHOWN],
            "gpu_total": len(gpu_rows),
            "callouts": gpu_rows.callouts(),
            "gpu_page": page,
            "gpu_pages": pages,
            "gpu_first": start + 1,
            "gpu_last": min(start + GPU_ROWS_SHOWN, len(gpu_rows)),
            "breakdown": sizing.breakdown_bars(chosen),
            "vram_chart": charts.vram_chart(rows, selected.quant.name),
            "run": sizing.run_commands(llm, selected.quant.name, d, None),
            "vendors": snapshot.vendors(),
            "runtime_label": specs.RUNTIME_LABELS[d["runtime"]],
            "measured": sizing.measurements_of(llm=llm),
        }
    )
    return render(request, _partial(request, "planner/model_detail.html"), ctx)


@cached_page
def gpu_list(request):
    picked = request.GET.get("gpu")  # the home page's "what can my GPU run?" picker
    if picked:
        gpu = GPU.objects.filter(slug=picked).only("slug").first()
        if gpu:
            return redirect(gpu)
    filters = GPUListFilter(request.GET or None, queryset=GPU.objects.all())
    form = filters.form
    qs = GPU.objects.all()
    if filters.is_valid():
        d = form.cleaned_data
        qs = filters.qs
        qs = qs.with_current_price().order_by(GPUListForm.SORTS.get(d["sort"] or "vram"), "name")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        _partial(request, "planner/gpu_list.html"),
        {
            "form": form,
            "page": page,
            "querystring": params.urlencode(),
            "vendors": snapshot.vendors(),
        },
        status=400 if form.errors else 200,
    )


@cached_page
def gpu_detail(request, slug):
    gpu = get_object_or_404(GPU, slug=slug)
    form = SizingForm(request.GET or None)
    defaults = specs.WORKLOAD_DEFAULTS
    d = form.cleaned_data if (request.GET and form.is_valid()) else defaults
    status = 400 if request.GET and not form.is_valid() else 200
    work, runtime = Workload(context=d["context"], kv_cache=d["kv_cache"]), Runtime(name=d["runtime"])
    drives = specs.runtime_backend(gpu, runtime.name) is not None
    device = specs.gpu_to_device(gpu)
    # With the machine's RAM (the saved machine's bar links it), what does not fit the GPU may go to RAM.
    machine = specs.machine("auto", d.get("ram_gb"), d.get("ram_preset") or "")
    fits = (
        sizing.best_fit_per_model(
            gpu, snapshot.reviewed_models(), work, runtime, 1, machine["ram_bytes"], machine["ram_bandwidth_gbs"]
        )
        if drives
        else []
    )
    return render(
        request,
        _partial(request, "planner/gpu_detail.html"),
        {
            "gpu": gpu,
            "form": form,
            "fits": fits,
            "largest": fits[0] if fits else None,
            "d": d,
            "drives": drives,
            "runtime_label": specs.RUNTIME_LABELS[runtime.name],
            "device": device,
            "read_gbs": capped_read_gbs(device, runtime.name),
            "runtimes": [
                (specs.RUNTIME_LABELS[r], GPU.BACKEND_LABELS.get(specs.runtime_backend(gpu, r)))
                for r in specs.RUNTIME_CHOICES
            ],
            "measured": sizing.measurements_of(gpu=gpu),
        },
        status=status,
    )


def short_links(view):
    """Permalinks carry what the user chose and nothing else: an htmx answer tells the browser to show the address
    without empty fields and without values equal to the planner's defaults (HX-Push-Url; set outside the page
    cache, which keeps bodies only)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.headers.get("HX-Request") and response.status_code < 500:
            model = snapshot.model(request.GET.get("model", ""))
            defaults = {**specs.PLAN_DEFAULTS, "context": specs.default_context(model)}
            kept = [(k, v) for k, v in request.GET.items() if v != "" and str(defaults.get(k, "")) != v]
            response["HX-Push-Url"] = request.path + (f"?{urlencode(kept)}" if kept else "")
        return response

    return wrapper


@short_links
@cached_page
def planner(request):
    # A link may preselect some fields (a GPU page's "plan a setup with it"); sizing starts with a model.
    bound = bool(request.GET.get("model") or request.GET.get("params_b"))
    # A shared link that names only a model and a GPU gets the form's defaults for the rest, not "required" errors.
    # The context defaults to the model's own default (the API's rule), so a 4K model's link is not refused.
    context = specs.default_context(snapshot.model(request.GET.get("model", ""))) if bound else specs.DEFAULT_CONTEXT
    initial = {"context": context, **specs.PLAN_DEFAULTS} | request.GET.dict()
    form = PlanForm(initial if bound else None, initial=initial)
    result, status, extra = None, 200, {}
    if bound:
        if form.is_valid():
            d = form.cleaned_data
            work = Workload(context=d["context"], batch=d["batch"], kv_cache=d["kv_cache"])
            runtime, machine = Runtime(name=d["runtime"]), form.machine()
            try:
                chosen = sizing.plan_devices(
                    d["gpu"], d["vram_gb"], d["bandwidth_gbs"], d["gpu_count"], d["cpu_only"], d["ram_gb"], machine
                )
                if chosen is None:  # no device: the memory it needs, as the API answers
                    result = sizing.memory_result(d["inputs"], work, runtime, d["gpu_count"])
                else:
                    devices, machine = chosen
                    machine["cpu_moe_layers"] = d["cpu_moe_layers"]
                    result = sizing.full_plan(d["inputs"], work, runtime, devices, **machine)
                    curve = sizing.context_curve(d["inputs"], work, runtime, devices, **machine)
                    extra["charts"] = charts.plan_charts(result, curve)
                extra["measured"] = sizing.measured(
                    d["model"], d["gpu"], d["gpu_count"], result.quant.name, d["runtime"]
                )
                if d["model"]:  # the same run commands as the model page, for this plan
                    extra["run_d"] = {**d, "quant": result.quant.name}
                    extra["run"] = sizing.run_commands(d["model"], result.quant.name, extra["run_d"], result.plan)
            except EngineError as exc:
                engine_error(form, exc)
                status = 400
        else:
            status = 400
    llm = snapshot.model(request.GET.get("model", ""))
    valid = form.is_bound and form.is_valid()
    runtime_name = form.cleaned_data["runtime"] if valid else specs.DEFAULT_RUNTIME
    extra["quant_options"] = sizing.runtime_quants(llm, runtime_name) if llm else []
    return render(
        request, _partial(request, "planner/plan.html"), {"form": form, "result": result, **extra}, status=status
    )


@cached_page
def compare(request):
    data = request.GET.copy()
    if "gpu" in data:
        data.setlist("gpu", list(dict.fromkeys(s for s in data.getlist("gpu") if s)))
    form = CompareForm(data or None, initial={"context": specs.DEFAULT_CONTEXT})
    columns, status = [], 200
    if request.GET.get("model"):
        if form.is_valid():
            d = form.cleaned_data
            work, runtime = Workload(context=d["context"], kv_cache=d["kv_cache"]), Runtime(name=d["runtime"])
            try:
                columns = [
                    (gpu, sizing.full_plan(d["inputs"], work, runtime, [specs.gpu_to_device(gpu)])) for gpu in d["gpu"]
                ]
            except EngineError as exc:
                engine_error(form, exc)
                status = 400
        else:
            status = 400
    chosen = [s for s in data.getlist("gpu")][:4]
    return render(
        request,
        _partial(request, "planner/compare.html"),
        {
            "form": form,
            "columns": columns,
            "slots": chosen + [""] * (4 - len(chosen)),
            "gpus": GPU.objects.order_by("vendor", "name").only("slug", "vendor", "name", "memory_bytes"),
            "models": form.fields["model"].queryset.only("slug", "name"),
        },
        status=status,
    )


@cached_page
def methodology(request):
    path = Path(settings.BASE_DIR) / "bench" / "accuracy_latest.md"
    rows = []
    if path.exists():
        for line in path.read_text().splitlines():
            cells = [c.strip() for c in line.strip("|").split("|")]
            if line.startswith("|") and len(cells) == 8 and cells[3].isdigit():
                rows.append(cells)
    constants = {  # the fitted figures the page's prose names, read where they live
        "unit_gbs": calibration.DECODE["nvidia"].get("unit_gbs"),
        "cpu_efficiency": calibration.CPU_DECODE["efficiency"],
        "handoff_ms": calibration.CPU_DECODE.get("t_handoff_s", 0.0) * 1000,
    }
    return render(request, "planner/methodology.html", {"accuracy": rows, **constants})


def _model_url(llm: LLM, quant: str = "") -> str:
    return llm.get_absolute_url() + (f"?{urlencode({'quant': quant})}" if quant else "")


def _lookup_budget_spent(request) -> str:
    """The API's per-client lookup budget (LookupThrottle), on the site: "" while it lasts, else why not."""
    throttle = LookupThrottle()
    if throttle.allow_request(request, None):
        return ""
    return f"You have looked up many models in a short time; try again in {int(throttle.wait() or 60)} seconds."


def hub_lookup(request):
    """Size any Hub repository (the lookup form on the home, list, search and 404 pages): the model page when
    it is known, else the job's waiting page. A GET, so cached pages can carry the form; rate-limited."""
    ref = (request.GET.get("repo") or "").strip()[:300]
    try:
        repo_id, quant = hf_hub.parse_ref(ref)
    except ValueError as exc:
        return render(request, "planner/lookup.html", {"ref": ref, "error": str(exc)}, status=400)
    if busy := _lookup_budget_spent(request):
        return render(request, "planner/lookup.html", {"ref": ref, "error": busy}, status=429)
    found, model = lookup.request(repo_id)
    if model is not None:
        return redirect(_model_url(model, quant))
    url = reverse("planner:lookup_job", args=[found.pk])
    return redirect(url + (f"?{urlencode({'quant': quant})}" if quant else ""))


def lookup_config(request):
    """Size a pasted config.json (a POST: configs are too long for an address); rate-limited like lookups."""
    text, error, status = "", "", 200
    if request.method == "POST":
        text = request.POST.get("config", "")[: settings.HUB_MAX_FILE_BYTES]
        try:
            if busy := _lookup_budget_spent(request):
                status = 429
                raise hf_hub.LookupFailed(busy)
            try:
                config = json.loads(text)
            except (ValueError, RecursionError) as exc:
                raise hf_hub.LookupFailed(f"This is not JSON we can read: {exc}.") from exc
            _found, llm = lookup.from_config(config)
            return redirect(llm)
        except hf_hub.LookupFailed as exc:
            error, status = str(exc), status if status != 200 else 400
    return render(request, "planner/lookup_config.html", {"text": text, "error": error}, status=status)


def lookup_job(request, pk):
    """A lookup in progress (the page polls itself), failed (with the reason), or done (on to the model)."""
    found = lookup.current(get_object_or_404(HubLookup.objects.select_related("llm"), pk=pk))
    quant = (request.GET.get("quant") or "")[:24]
    if found.status == HubLookup.Status.DONE and found.llm is not None:
        url = _model_url(found.llm, quant)
        if request.headers.get("HX-Request"):
            response = render(request, "planner/lookup.html#status", {"lookup": found})
            response["HX-Redirect"] = url
            return response
        return redirect(url)
    return render(
        request, _partial(request, "planner/lookup.html", "status"), {"lookup": found, "ref": found.repo_id}, status=200
    )


MACHINE_COOKIE_AGE_S = 365 * 24 * 3600


def my_machine(request):
    """Save the user's machine (a cookie, no account) so every model page answers "can I run it?" for it."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    if request.method == "POST" and request.POST.get("forget"):
        response = redirect(reverse("planner:my_machine"))
        response.delete_cookie(MachineProfileForm.COOKIE)
        return response
    profile = None
    if request.method == "POST":
        form = MachineProfileForm(request.POST)
        if form.is_valid():
            response = redirect(next_url or reverse("planner:my_machine") + "?saved=1")
            response.set_cookie(
                MachineProfileForm.COOKIE,
                form.cookie(),
                max_age=MACHINE_COOKIE_AGE_S,
                samesite="Lax",
                secure=request.is_secure(),
                httponly=True,
            )
            return response
        status = 400
    else:
        profile = MachineProfileForm.from_request(request)
        form, status = profile or MachineProfileForm(), 200
    saved = request.method == "GET" and profile is not None and request.GET.get("saved")  # a cookie that took
    response = render(
        request, "planner/my_machine.html", {"form": form, "next": next_url, "saved": saved}, status=status
    )
    response["Cache-Control"] = "private, no-store"
    return response


def machine_fit(request, slug):
    """The model page's "on your machine" box (loaded over htmx, never cached: it depends on the cookie)."""
    llm = snapshot.model(slug)
    if llm is None:
        raise Http404("No such model.")
    profile = MachineProfileForm.from_request(request)
    result = error = plan_link = chart = where = None
    if profile and not llm.unsupported_reason:
        params = profile.plan_params()
        try:
            result = sizing.machine_plan(llm, params)
        except EngineError as exc:
            error = exc.message
    if result:
        plan_link = profile.planner_url(model=llm.slug, quant=result.quant.name, context=specs.default_context(llm))
        # The model page's VRAM chart with this machine's usable memory as its line (the page itself is cached).
        usable = getattr(result.plan, "usable_bytes", None)  # a memory-only result has none
        if usable:
            rows = sizing.quant_rows(llm, Workload(context=specs.default_context(llm)), Runtime())
            where = "your RAM" if params["cpu_only"] else "your GPUs" if params["gpu_count"] > 1 else "your GPU"
            chart = charts.vram_chart(rows, result.quant.name, guide_gb=usable / GIB, guide_label=where)
    response = render(
        request,
        "planner/machine_fit.html",
        {
            "llm": llm,
            "profile": profile,
            "result": result,
            "error": error,
            "plan_link": plan_link,
            "chart": chart,
            "where": where,
            "context": specs.default_context(llm),
            "next": llm.get_absolute_url(),
        },
    )
    response["Cache-Control"] = "private, no-store"
    return response


def machine_bar(request):
    """The saved machine in one line, with what it runs and a planner filled in for it (home, lists and planner load
    it over htmx; never cached: it depends on the cookie)."""
    profile = MachineProfileForm.from_request(request)
    links = {}
    if profile:
        links["plan"] = profile.planner_url()
        if gpu := profile.cleaned_data.get("gpu"):
            p = profile.plan_params()
            fits = {"fits_gpu": gpu.slug, "fits_count": p["gpu_count"] if p["gpu_count"] > 1 else ""}
            fits["fits_ram_gb"] = f"{p['ram_gb']:g}" if p["ram_gb"] else ""
            fits["fits_ram_preset"] = p["ram_preset"] if p["ram_gb"] else ""
            links["models"] = reverse("planner:model_list") + "?" + urlencode({k: v for k, v in fits.items() if v})
            ram = {"ram_gb": fits["fits_ram_gb"], "ram_preset": fits["fits_ram_preset"]}
            links["gpu"] = gpu.get_absolute_url() + (
                "?" + urlencode({k: v for k, v in ram.items() if v}) if p["ram_gb"] else ""
            )
    response = render(
        request, "planner/machine_bar.html", {"profile": profile, "links": links, "next": request.GET.get("next", "")}
    )
    response["Cache-Control"] = "private, no-store"
    return response
