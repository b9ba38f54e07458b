"""The catalog API: lists with filters, ordering and pagination; details; staff writes with history."""

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog.models import GPU, LLM, ChangeRecord
from conftest import triple_catalog, uncached_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(seeded):
    return APIClient()


@pytest.fixture
def staff_api(seeded):
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalog editors"))  # the admin's permissions, as the API asks
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


def test_models_list_filters_orders_and_paginates(api):
    body = api.get("/api/v1/models/?family=Qwen2.5&ordering=-params_total").json()
    sizes = [m["params_total"] for m in body["results"]]
    assert body["count"] == LLM.objects.filter(family__iexact="qwen2.5").count() > 3
    assert sizes == sorted(sizes, reverse=True)
    moe = api.get("/api/v1/models/?architecture=moe").json()
    assert moe["results"] and all(m["architecture"] == "moe" for m in moe["results"])
    small = api.get("/api/v1/models/?max_params_b=2").json()["results"]
    assert small and all(m["params_total"] <= 2e9 for m in small)
    tagged = api.get("/api/v1/models/?tag=reasoning").json()["results"]
    assert any(m["slug"] == "deepseek-r1-distill-llama-8b" for m in tagged)
    page2 = api.get("/api/v1/models/?page=2&ordering=name").json()
    assert page2["previous"] and len(page2["results"]) == min(50, LLM.objects.count() - 50)


def test_model_detail_has_quantizations_and_benchmarks(api):
    body = api.get("/api/v1/models/deepseek-r1-distill-llama-8b/").json()
    assert (
        body["num_kv_heads"] == 8
        and body["head_dim"] == 128
        and body["ollama_tag"] == "deepseek-r1:8b-llama-distill-q4_K_M"
    )
    assert any(q["quant"] == "Q4_K_M" for q in body["quantizations"])
    assert len(body["benchmarks"]) == 14


def test_gpu_list_filters(api):
    body = api.get("/api/v1/gpus/?vendor=nvidia&min_vram_gb=20&max_price=2000&ordering=-bandwidth_gbs").json()
    rows = body["results"]
    assert rows and all(r["vendor"] == "NVIDIA" and r["memory_bytes"] >= 20 * 1024**3 for r in rows)
    assert all(float(r["price_usd"]) <= 2000 for r in rows)
    bws = [r["bandwidth_gbs"] for r in rows]
    assert bws == sorted(bws, reverse=True)
    apple = api.get("/api/v1/gpus/?segment=apple").json()["results"]
    assert apple and all(r["segment"] == "apple" for r in apple)


def test_quantizations_list_formats_with_quality(api):
    rows = api.get("/api/v1/quantizations/?family=gguf").json()
    q4 = next(r for r in rows if r["name"] == "Q4_K_M")
    assert q4["bits_per_weight"] > 4 and 0 < q4["quality_pct"] <= 100
    assert api.get("/api/v1/quantizations/?family=zip").status_code == 400


@pytest.mark.parametrize(
    "url,field",
    [
        ("/api/v1/gpus/?min_vram_gb=abc", "min_vram_gb"),
        ("/api/v1/gpus/?max_price=-5", "max_price"),
        ("/api/v1/gpus/?segment=moon", "segment"),
        ("/api/v1/gpus/?ordering=price", "ordering"),
        ("/api/v1/models/?architecture=rnn", "architecture"),
        ("/api/v1/models/?min_params_b=lots", "min_params_b"),
        ("/api/v1/models/?reviewed=maybe", "reviewed"),
        ("/api/v1/gpus/?active=garbage", "active"),
        ("/api/v1/models/?tag=not%20a%20slug", "tag"),
    ],
)
def test_bad_filters_are_400s_naming_the_field(api, url, field):
    response = api.get(url)
    assert response.status_code == 400
    assert field in response.json()


def test_unknown_slugs_and_paths_are_404(api):
    assert api.get("/api/v1/models/nope/").status_code == 404
    assert api.get("/api/v1/gpus/nope/").status_code == 404
    assert api.get("/api/v1/nothing-here/").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/models/",
        "/api/v1/gpus/",
        "/api/v1/quantizations/",
        "/api/v1/models/deepseek-r1-distill-llama-8b/",
        "/api/v1/gpus/nvidia-geforce-rtx-4090/",
    ],
)
def test_list_and_detail_query_counts_do_not_grow_with_the_catalog(api, url):
    before = uncached_queries(api, url)
    triple_catalog()
    assert uncached_queries(api, url) == before


def test_anonymous_and_non_staff_cannot_write(api):
    assert api.post("/api/v1/gpus/", {"vendor": "X"}, format="json").status_code in (401, 403)
    User.objects.create_user("reader", password="pw-reader-123")
    api.login(username="reader", password="pw-reader-123")
    assert api.patch("/api/v1/gpus/nvidia-geforce-rtx-4090/", {"bandwidth_gbs": 1}, format="json").status_code == 403
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").bandwidth_gbs == 1010.0


def test_staff_write_is_recorded_locked_and_visible(staff_api):
    old = staff_api.get("/api/v1/gpus/nvidia-geforce-rtx-4090/").json()
    response = staff_api.patch("/api/v1/gpus/nvidia-geforce-rtx-4090/", {"street_price_usd": "1799.00"}, format="json")
    assert response.status_code == 200, response.json()
    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-4090")
    assert gpu.street_price_usd == 1799 and "street_price_usd" in gpu.locked_fields and gpu.admin_edited_at
    change = ChangeRecord.objects.get(object_id=str(gpu.pk))
    assert change.user == staff_api.user and change.via == "api"
    assert change.changes == {"street_price_usd": [old["street_price_usd"], "1799.00"]}
    # The cached read is invalidated by the write.
    assert staff_api.get("/api/v1/gpus/nvidia-geforce-rtx-4090/").json()["street_price_usd"] == "1799.00"


def test_staff_create_validates_and_deactivate_keeps_the_row(staff_api):
    bad = staff_api.post(
        "/api/v1/gpus/",
        {
            "vendor": "NVIDIA",
            "name": "Bad",
            "slug": "bad",
            "memory_bytes": -1,
            "segment": "consumer",
            "bandwidth_gbs": 0,
            "release_date": "2999-01-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and {"memory_bytes", "bandwidth_gbs", "release_date"} <= set(bad.json())
    dup = staff_api.post(
        "/api/v1/gpus/",
        {
            "vendor": "NVIDIA",
            "name": "Dup",
            "slug": "nvidia-geforce-rtx-4090",
            "memory_bytes": 1,
            "segment": "consumer",
        },
        format="json",
    )
    assert dup.status_code == 400 and "slug" in dup.json()
    new = staff_api.post(
        "/api/v1/gpus/",
        {
            "vendor": "NVIDIA",
            "name": "Test Card 48 GB",
            "slug": "test-card-48",
            "memory_bytes": 48 * 1024**3,
            "bandwidth_gbs": 960,
            "segment": "workstation",
        },
        format="json",
    )
    assert new.status_code == 201
    assert ChangeRecord.objects.filter(action="create", object_repr__contains="Test Card").exists()
    gone = staff_api.delete("/api/v1/gpus/test-card-48/")
    assert gone.status_code == 200 and gone.json()["is_active"] is False
    assert GPU.objects.filter(slug="test-card-48", is_active=False).exists()
    assert ChangeRecord.objects.filter(action="deactivate").count() == 1
    listed = {g["slug"] for g in staff_api.get("/api/v1/gpus/?min_vram_gb=47&max_vram_gb=49").json()["results"]}
    assert "test-card-48" not in listed


def test_reads_carry_etag_and_cache_control_and_answer_304(api):
    first = api.get("/api/v1/gpus/nvidia-geforce-rtx-4090/")
    assert first["ETag"] and "max-age" in first["Cache-Control"] and first["X-Cache"] == "miss"
    again = api.get("/api/v1/gpus/nvidia-geforce-rtx-4090/")
    assert again["X-Cache"] == "hit" and again["ETag"] == first["ETag"]
    assert api.get("/api/v1/gpus/nvidia-geforce-rtx-4090/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_signed_in_or_browsable_read_is_never_shared(api, staff_api):
    """A staff user's browsable page carries their name and a CSRF token: it must never reach another client from
    the shared cache, and only anonymous JSON is marked public."""
    url = "/api/v1/gpus/?page_size=1"
    staff_api.force_authenticate(staff_api.user)
    html = staff_api.get(url, HTTP_ACCEPT="text/html")
    assert html.status_code == 200 and "editor" in html.content.decode()
    assert "private" in html["Cache-Control"] and "X-Cache" not in html
    again = api.get(url, HTTP_ACCEPT="text/html")
    assert "editor" not in again.content.decode() and "csrfmiddlewaretoken" not in again.content.decode()
    assert "X-Cache" not in again and "Accept" in again["Vary"]
    signed_in = staff_api.get(url)
    assert "private" in signed_in["Cache-Control"] and "X-Cache" not in signed_in
    assert api.get(url)["X-Cache"] == "miss" and api.get(url)["X-Cache"] == "hit"


def test_anonymous_reads_are_throttled(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    codes = [api.get("/api/v1/quantizations/").status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_authenticated_reads_are_throttled_per_user(staff_api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "4/minute"},
    }
    codes = [staff_api.get("/api/v1/quantizations/").status_code for _ in range(6)]
    assert codes == [200] * 4 + [429] * 2  # the user's own budget, not the anonymous one
    assert "Retry-After" in staff_api.get("/api/v1/quantizations/")


def test_max_price_means_what_you_can_buy_today(seeded):
    """One price rule (GPU.current_price_usd) for the filters and the callouts: a card whose only price is a launch
    price from long ago (the Tesla K80's $5,000 of 2014) is not 'under $6,000' today; a current card is."""
    from catalog.models import GPU

    k80 = GPU.objects.get(slug="nvidia-tesla-k80")
    assert k80.launch_price_usd and k80.current_price_usd is None
    under = set(GPU.objects.priced_at_most(6000).values_list("slug", flat=True))
    assert "nvidia-tesla-k80" not in under and "nvidia-geforce-rtx-5090" in under


@pytest.mark.parametrize(
    ("page", "api_url", "query"),
    [
        ("/models/", "/api/v1/models/", "architecture=dense&min_params_b=60&max_params_b=200"),
        ("/models/", "/api/v1/models/", "q=qwen%203&architecture=moe"),
        ("/gpus/", "/api/v1/gpus/", "vendor=nvidia&min_vram_gb=40&max_price=40000"),
        ("/gpus/", "/api/v1/gpus/", "q=rtx%204090&segment=consumer"),
    ],
)
def test_the_list_pages_and_the_api_filter_alike(api, client, page, api_url, query):
    """One FilterSet per list (catalog.filters): the page and the API give the same rows for the same filters."""
    rows = client.get(f"{page}?{query}").context["page"].paginator.object_list
    body = api.get(f"{api_url}?{query}&page_size=500").json()
    assert body["results"] and body["count"] == len(rows)
    assert {r["slug"] for r in body["results"]} == {r.slug for r in rows}


def test_boolean_and_price_filters_read_as_they_always_did(api):
    """DRF's boolean words still work through django-filter (no, off, 0 …), and a price takes any decimals."""
    GPU.objects.filter(slug="nvidia-geforce-rtx-4090").update(is_active=False)
    active_only = api.get("/api/v1/gpus/?page_size=500").json()["count"]
    for word in ("false", "no", "off", "0"):
        assert api.get(f"/api/v1/gpus/?active={word}&page_size=500").json()["count"] == active_only + 1, word
    assert api.get("/api/v1/models/?reviewed=off").json()["count"] == 0  # only Hub lookups, and there are none
    assert api.get("/api/v1/gpus/?max_price=499.999").status_code == 200
