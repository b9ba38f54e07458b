"""Sizing endpoints: compatible GPUs, a GPU's models, the plan; parity with the pages and the engine;
and a property-based run of the OpenAPI schema against the app (schemathesis)."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from rest_framework.test import APIClient
from schemathesis import checks

from catalog.cache import bump_catalog_version
from catalog.models import GPU, LLM
from config.wsgi import application
from conftest import triple_catalog, uncached_queries
from planner import specs
from planner.engine.plan import plan
from planner.engine.types import Setup, Workload

pytestmark = pytest.mark.django_db
R1_8B = "deepseek-r1-distill-llama-8b"
RTX3060 = "nvidia-geforce-rtx-3060-12-gb"


@pytest.fixture
def api(seeded):
    return APIClient()


def test_compatible_gpus_are_sorted_by_memory_and_match_the_page(api, client):
    body = api.get(f"/api/v1/models/{R1_8B}/gpus/?quant=Q4_K_M&context=32768&page_size=500").json()
    mems = [r["gpu"]["memory_bytes"] for r in body["results"]]
    assert mems == sorted(mems) and body["count"] > 100
    assert all(r["headroom_bytes"] >= 0 and r["required_bytes"] <= r["usable_bytes"] for r in body["results"])
    page = client.get(f"/models/{R1_8B}/?quant=Q4_K_M&context=32768&kv_cache=f16&runtime=llamacpp")
    assert body["count"] == page.context["gpu_total"]
    first = page.context["gpu_rows"][0]
    assert body["results"][0]["gpu"]["slug"] == first.gpu.slug
    assert body["results"][0]["decode_tok_s"]["tok_s"] == round(first.plan.decode.tok_s, 2)


def test_compatible_gpus_filters(api):
    rows = api.get(f"/api/v1/models/{R1_8B}/gpus/?vendor=amd&segment=consumer&max_price=600").json()["results"]
    assert rows and all(r["gpu"]["vendor"] == "AMD" and r["gpu"]["segment"] == "consumer" for r in rows)
    assert all(float(r["gpu"]["price_usd"]) <= 600 for r in rows)
    small = api.get(f"/api/v1/models/{R1_8B}/gpus/?context=4096").json()["count"]
    big = api.get(f"/api/v1/models/{R1_8B}/gpus/?context=131072&batch=2").json()["count"]
    assert small > big


def test_gpu_models_lists_what_fits_largest_first(api):
    body = api.get(f"/api/v1/gpus/{RTX3060}/models/?context=8192").json()
    sizes = [r["params_total"] or 0 for r in body["results"]]
    assert sizes == sorted(sizes, reverse=True)
    assert all(r["headroom_bytes"] >= 0 for r in body["results"])
    slugs = {r["model"] for r in body["results"]}
    assert R1_8B in slugs and "deepseek-r1" not in slugs


def test_plan_get_equals_the_engine(api):
    body = api.get(f"/api/v1/plan/?model={R1_8B}&quant=Q4_K_M&context=32768&gpu={RTX3060}").json()
    llm = LLM.objects.get(slug=R1_8B)
    mq = llm.quantizations.get(fmt__name="Q4_K_M")
    direct = plan(
        specs.llm_to_arch(llm),
        specs.model_quant_to_quant(mq),
        Workload(context=32768),
        Setup(devices=(specs.gpu_to_device(GPU.objects.get(slug=RTX3060)),)),
    )
    assert body["memory"]["total_bytes"] == direct.memory.total_bytes
    assert body["memory"]["kv_cache_bytes"] == direct.memory.kv_cache_bytes == 4 * 1024**3
    assert body["fits"] is True and body["headroom_bytes"] == direct.headroom_bytes
    assert body["decode_tok_s"]["low"] < body["decode_tok_s"]["tok_s"] < body["decode_tok_s"]["high"]
    assert body["max_context"] > 32768 and body["best_quant"]
    assert body["inputs"]["runtime"] == "llamacpp" and body["assumptions"]


def test_plan_api_and_planner_page_agree(api, client):
    query = f"model={R1_8B}&quant=Q8_0&context=16384&batch=2&kv_cache=q8_0&runtime=ollama&gpu={RTX3060}&gpu_count=1"
    body = api.get("/api/v1/plan/?" + query).json()
    page = client.get("/plan/?" + query).context["result"]
    assert body["memory"]["total_bytes"] == page.plan.memory.total_bytes
    assert body["max_context"] == page.max_context and body["best_quant"] == page.best_quant


def test_plan_says_how_many_of_the_gpu_hold_the_model(api, client):
    """The fewest-GPUs answer: that many of the GPU hold the model with nothing in system RAM, one fewer does not."""
    query = f"model=llama-3-1-70b-instruct&quant=Q4_K_M&context=8192&gpu={RTX3060}"
    body = api.get(f"/api/v1/plan/?{query}").json()
    n = body["fewest_gpus"]
    assert body["fits"] is False and n and n > 1
    assert api.get(f"/api/v1/plan/?{query}&gpu_count={n}").json()["fits"] is True
    assert api.get(f"/api/v1/plan/?{query}&gpu_count={n - 1}").json()["fits"] is False
    assert client.get(f"/plan/?{query}").context["result"].fewest_gpus == n
    assert api.get(f"/api/v1/plan/?model={R1_8B}&cpu_only=true&ram_gb=32").json()["fewest_gpus"] is None


def test_plan_post_with_a_custom_architecture_and_custom_gpu(api):
    body = api.post(
        "/api/v1/plan/",
        {
            "architecture": {"params_b": 70.6, "layers": 80, "hidden_size": 8192, "heads": 64, "kv_heads": 8},
            "quant": "Q4_K_M",
            "context": 8192,
            "vram_gb": 48,
            "bandwidth_gbs": 1000,
            "gpu_count": 2,
        },
        format="json",
    ).json()
    assert body["fits"] is True and body["memory"]["weights_bytes"] > 38e9
    assert body["inputs"]["architecture"]["layers"] == 80


def test_plan_offload_and_vllm(api):
    tight = api.get(f"/api/v1/plan/?model=llama-3-1-70b&quant=Q4_K_M&gpu={RTX3060}&offload=true").json()
    assert tight["offloaded_layers"] > 0
    vllm = api.get(f"/api/v1/plan/?model={R1_8B}&quant=FP8&gpu=nvidia-geforce-rtx-4090&runtime=vllm").json()
    assert vllm["inputs"]["runtime"] == "vllm" and vllm["memory"]["total_bytes"] > 0
    gguf = api.get(f"/api/v1/plan/?model={R1_8B}&quant=Q8_0&gpu=nvidia-geforce-rtx-4090&runtime=vllm")
    assert gguf.status_code == 400 and "nearest format it loads is" in gguf.json()["quant"][0]


@pytest.mark.parametrize(
    "query,field",
    [
        (f"model=nope&gpu={RTX3060}", "model"),
        (f"model={R1_8B}&quant=Q9_Z&gpu={RTX3060}", "quant"),
        (f"model={R1_8B}&context=0&gpu={RTX3060}", "context"),
        (f"model={R1_8B}&context=10000001&gpu={RTX3060}", "context"),
        (f"model={R1_8B}&context=200000&gpu={RTX3060}", "context"),
        (f"model={R1_8B}&context=abc&gpu={RTX3060}", "context"),
        (f"model={R1_8B}&vram_gb=-4", "vram_gb"),
        (f"model={R1_8B}&gpu={RTX3060}&gpu_count=0", "gpu_count"),
        (f"model={R1_8B}&gpu=nope", "gpu"),
        (f"model={R1_8B}&gpu={RTX3060}&vram_gb=12", "gpu"),
        (f"model={R1_8B}&gpu={RTX3060}&kv_cache=q2", "kv_cache"),
        (f"model={R1_8B}&gpu={RTX3060}&runtime=vllm&kv_cache=q4_0", "kv_cache"),
        (f"model={R1_8B}&gpu={RTX3060}&runtime=tgi", "runtime"),
        (f"gpu={RTX3060}", "model"),
        (f"model={R1_8B}&params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=8&gpu={RTX3060}", "model"),
        (f"params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=7&gpu={RTX3060}", "architecture"),
        (f"params_b=8&layers=32&heads=32&kv_heads=8&gpu={RTX3060}", "architecture"),
    ],
)
def test_plan_rejects_bad_input_naming_the_field(api, query, field):
    response = api.get("/api/v1/plan/?" + query)
    assert response.status_code == 400, response.content
    assert field in response.json()


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"model": R1_8B, "gpu": RTX3060, "context": "many"}, "context"),
        ({"model": R1_8B, "architecture": {"params_b": 8}, "gpu": RTX3060}, "architecture"),
        ({"model": R1_8B, "vram_gb": -1}, "vram_gb"),
        ({"model": R1_8B, "gpu": RTX3060, "gpu_count": 0}, "gpu_count"),
        ([1, 2, 3], "non_field_errors"),
    ],
)
def test_plan_post_rejects_bad_json_naming_the_field(api, payload, field):
    response = api.post("/api/v1/plan/", payload, format="json")
    assert response.status_code == 400 and field in response.json()


def test_model_gpus_rejects_bad_input(api):
    assert "quant" in api.get(f"/api/v1/models/{R1_8B}/gpus/?quant=Q9").json()
    assert "context" in api.get(f"/api/v1/models/{R1_8B}/gpus/?context=-1").json()
    assert "max_price" in api.get(f"/api/v1/models/{R1_8B}/gpus/?max_price=x").json()
    assert api.get("/api/v1/models/nope/gpus/").status_code == 404
    assert api.get("/api/v1/gpus/nope/models/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/models/{R1_8B}/gpus/?context=32768",
        f"/api/v1/gpus/{RTX3060}/models/",
        f"/api/v1/plan/?model={R1_8B}&gpu={RTX3060}",
    ],
)
def test_sizing_endpoints_query_counts_do_not_grow_with_the_catalog(api, url):
    before = uncached_queries(api, url)
    triple_catalog()
    assert uncached_queries(api, url) == before


def test_plan_reads_the_catalog_from_the_snapshot_once_per_catalog_version(api):
    body = {"model": R1_8B, "quant": "Q4_K_M", "gpu": RTX3060, "context": 8192}
    bump_catalog_version()
    assert api.post("/api/v1/plan/", body, format="json").status_code == 200  # builds the snapshot
    with CaptureQueriesContext(connection) as ctx:
        assert api.post("/api/v1/plan/", dict(body, context=16384), format="json").status_code == 200
    assert len(ctx.captured_queries) == 0
    GPU.objects.filter(slug=RTX3060).update(bandwidth_gbs=1.0)
    bump_catalog_version()  # as every catalog write does: the next plan sees the new row
    slow = api.post("/api/v1/plan/", dict(body, context=16384), format="json").json()
    assert slow["decode_tok_s"]["tok_s"] < 1


def test_schema_and_docs_are_served(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    params = {p["name"] for p in schema["paths"]["/api/v1/plan/"]["get"]["parameters"]}
    assert {
        "model",
        "quant",
        "context",
        "batch",
        "kv_cache",
        "gpu",
        "vram_gb",
        "gpu_count",
        "offload",
        "runtime",
    } <= params
    assert api.get("/api/v1/docs/").status_code == 200


OPERATIONS = [
    "GET /api/v1/models/",
    "GET /api/v1/models/{slug}/",
    "GET /api/v1/models/{slug}/gpus/",
    "GET /api/v1/gpus/",
    "GET /api/v1/gpus/{slug}/",
    "GET /api/v1/gpus/{slug}/models/",
    "GET /api/v1/quantizations/",
    "GET /api/v1/plan/",
    "POST /api/v1/plan/",
]


# Negative (schema-violating) requests need a query string or body to violate: not the bare detail reads.
CASES = [
    (op, mode)
    for op in OPERATIONS
    for mode in schemathesis.GenerationMode
    if mode == schemathesis.GenerationMode.POSITIVE or not op.endswith("{slug}/")
]


@pytest.fixture
def keep_connection():
    """Like Django's test client: the WSGI calls must not close the test's connection (and transaction)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.parametrize("label,mode", CASES)
def test_api_never_errors_and_matches_its_schema(seeded, keep_connection, label, mode):
    """Generated requests (valid and invalid) must never 5xx and every response must match the schema."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)
    operation = next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)

    @hsettings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(mode))
    def check(case):
        case.call_and_validate(
            checks=[
                checks.not_a_server_error,
                checks.status_code_conformance,
                checks.content_type_conformance,
                checks.response_schema_conformance,
            ]
        )

    check()


def test_a_body_the_api_cannot_parse_is_a_documented_415(api):
    response = api.generic("POST", "/api/v1/plan/", b"model=x", content_type="text/plain")
    schema = api.get("/api/v1/schema/?format=json").json()
    assert response.status_code == 415 and "415" in schema["paths"]["/api/v1/plan/"]["post"]["responses"]
