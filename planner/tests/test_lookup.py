"""Any Hub repository, looked up on demand (planner/lookup.py), in process against the fake Hub on loopback.
Tasks run eagerly here; catalog/tests/test_celery.py runs the same scenarios through a real Celery worker."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from catalog.models import LLM, HubLookup
from catalog.sources.hf_hub import parse_ref
from catalog.tests import hub_repos
from planner import lookup

pytestmark = pytest.mark.django_db


@pytest.fixture
def hub(upstream, settings, seeded, django_capture_on_commit_callbacks):
    """The fake Hub, tasks run inline as soon as the request's transaction commits."""
    from config.celery import app

    upstream.reset()
    settings.HF_ENDPOINT = upstream.url
    settings.REFRESH_HTTP_TIMEOUT_S = 2
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    LLM.objects.filter(hf_repo_id__in=[hub_repos.R1, hub_repos.PHI4, hub_repos.GEMMA, hub_repos.QWEN_VL]).delete()
    upstream.now = lambda: django_capture_on_commit_callbacks(execute=True)  # queued tasks run as we leave it
    yield upstream
    app.conf.task_always_eager = eager


def ask(hub, scenario: str):
    repo = hub_repos.serve(hub, scenario)
    with hub.now():
        found, model = lookup.request(repo)
    assert found is not None  # not a catalog model
    found.refresh_from_db()
    return found, model


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Qwen/Qwen3-8B", ("Qwen/Qwen3-8B", "")),
        ("https://huggingface.co/Qwen/Qwen3-8B/tree/main", ("Qwen/Qwen3-8B", "")),
        ("huggingface.co/models/Qwen/Qwen3-8B?x=1", ("Qwen/Qwen3-8B", "")),
        ("hf.co/bartowski/phi-4-GGUF:q4_k_m", ("bartowski/phi-4-GGUF", "Q4_K_M")),
        ("  unsloth/gpt-oss-20b-GGUF:Q8_0 ", ("unsloth/gpt-oss-20b-GGUF", "Q8_0")),
    ],
)
def test_repository_references_people_paste(text, expected):
    assert parse_ref(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "owner/name"),
        ("llama", "owner/name"),
        ("a--b/c", "not a valid repository id"),
        ("https://huggingface.co/datasets/foo/bar", "dataset"),
        ("foo/bar:Q4 K", "quantization name"),
        ("foo/" + "x" * 120, "not a valid repository id"),
    ],
)
def test_bad_references_are_refused_before_any_request(text, message):
    with pytest.raises(ValueError, match=message):
        parse_ref(text)


def test_safetensors_repository_becomes_a_provisional_model_sized_by_the_recipes(hub):
    found, model = ask(hub, "safetensors")
    assert found.status == "done", found.message
    llm = found.llm
    assert not llm.reviewed and llm.hf_repo_id == hub_repos.R1 and llm.params_total == 8030261248
    assert (llm.num_layers, llm.num_kv_heads, llm.head_dim, llm.max_context) == (32, 8, 128, 131072)
    assert llm.quantizations.count() == 0 and "every size is computed" in found.message
    assert f"{hub_repos.R1}/config.json" in found.files and llm.card_markdown
    assert f"{hub_repos.R1}: safetensors: 8,030,261,248 parameters (BF16)" in found.files
    # Every later request answers at once with the model, without touching the Hub.
    hits = len(hub.hits)
    with hub.now():
        again, model = lookup.request(hub_repos.R1.lower())
    assert again.pk == found.pk and model == llm and len(hub.hits) == hits
    assert HubLookup.objects.get(pk=found.pk).requests == 2


def test_gguf_repository_takes_its_base_models_config_and_its_file_sizes(hub):
    found, _ = ask(hub, "gguf")
    assert found.status == "done", found.message
    llm = found.llm
    assert llm.hf_repo_id == hub_repos.PHI4 and llm.gguf_repo == hub_repos.PHI4_GGUF and not llm.reviewed
    sizes = dict(llm.quantizations.values_list("fmt__name", "file_size_bytes"))
    assert sizes["Q4_K_M"] == 9_050_000_000 and sizes["Q8_0"] == 15_600_000_000
    assert "from published file sizes" in found.message and any("base model" in f for f in found.files)


def test_split_gguf_is_sized_as_the_sum_of_its_parts(hub):
    found, _ = ask(hub, "split")
    assert found.status == "done", found.message
    sizes = dict(found.llm.quantizations.values_list("fmt__name", "file_size_bytes"))
    assert sizes == {"Q8_0": 15_600_000_000, "Q4_K_M": 9_050_000_000}


def test_multimodal_config_is_read_from_its_text_config(hub):
    found, _ = ask(hub, "multimodal")
    assert found.status == "done", found.message
    config = hub_repos._config("Qwen--Qwen3-VL-8B-Instruct.json")
    assert (found.llm.num_layers, found.llm.hidden_size) == (
        config["text_config"]["num_hidden_layers"],
        config["text_config"]["hidden_size"],
    )
    assert found.llm.vision["layers"] == config["vision_config"]["depth"]


@pytest.mark.parametrize(
    "scenario, message",
    [
        ("gated", "is gated"),
        ("missing", "no public model repository nobody/nothing-here"),
        ("garbage", "does not state the number of layers"),
        ("no-config", "has no config.json"),
    ],
)
def test_each_failure_has_its_own_message_and_writes_no_model(hub, scenario, message):
    models = LLM.objects.count()
    found, model = ask(hub, scenario)
    assert found.status == "failed" and message in found.message and model is None
    assert LLM.objects.count() == models


def test_a_catalog_model_answers_at_once_with_no_job(hub):
    found, model = lookup.request("Qwen/Qwen3-8B")
    assert found is None and model.slug == "qwen3-8b" and hub.hits == []
    found, model = lookup.request("ggml-org/qwen3-8b-gguf")  # a catalog model's GGUF repository is that model
    assert found is None and model.slug == "qwen3-8b"


def test_a_week_old_lookup_is_refreshed_while_its_page_stays_up(hub, settings):
    found, _ = ask(hub, "safetensors")
    HubLookup.objects.filter(pk=found.pk).update(finished_at=timezone.now() - timedelta(days=8))
    hits = len(hub.hits)
    with hub.now():
        again, model = lookup.request(hub_repos.R1)
        assert model is not None and again.status == "queued"  # the page answers while the refresh is queued
    again.refresh_from_db()
    assert again.status == "done" and len(hub.hits) > hits
    assert LLM.objects.filter(hf_repo_id=hub_repos.R1).count() == 1  # updated in place: the URL stays


def test_a_failed_lookup_answers_the_same_until_it_may_be_retried(hub, settings):
    found, _ = ask(hub, "missing")
    hits = len(hub.hits)
    assert lookup.request("nobody/nothing-here")[0].status == "failed" and len(hub.hits) == hits
    HubLookup.objects.filter(pk=found.pk).update(
        finished_at=timezone.now() - timedelta(seconds=settings.HUB_LOOKUP_RETRY_FAILED_S + 1)
    )
    with hub.now():
        lookup.request("nobody/nothing-here")
    assert len(hub.hits) > hits


def test_api_lookup_job_and_model(hub):
    client = APIClient()
    repo = hub_repos.serve(hub, "safetensors")
    with hub.now():
        response = client.post("/api/v1/models/lookup/", {"repo_id": f"https://huggingface.co/{repo}"}, format="json")
    assert response.status_code == 202, response.json()  # the job runs once the request's transaction commits
    assert response["Location"] == response.json()["url"]
    response = client.post("/api/v1/models/lookup/", {"repo_id": repo}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "done" and body["model"]["reviewed"] is False
    job = client.get(body["url"]).json()
    assert job["status"] == "done" and job["model"]["slug"] == body["model"]["slug"]
    assert job["files"] and job["finished_at"]
    detail = client.get(body["model"]["api_url"]).json()
    assert detail["reviewed"] is False and detail["params_total"] == 8030261248
    listed = [m["slug"] for m in client.get("/api/v1/models/?page_size=500").json()["results"]]
    assert body["model"]["slug"] not in listed  # never in default lists
    found = client.get("/api/v1/models/?q=R1-Distill-Llama-8B").json()["results"]
    assert [m["reviewed"] for m in found] == [False]
    assert client.get("/api/v1/models/?reviewed=false").json()["count"] == 1


def test_api_lookup_errors_name_the_field(hub):
    client = APIClient()
    assert client.post("/api/v1/models/lookup/", {"repo_id": "a--b/c"}, format="json").json()["repo_id"]
    assert "repo_id" in client.post("/api/v1/models/lookup/", {}, format="json").json()
    assert client.post("/api/v1/models/lookup/", [1, 2], format="json").status_code == 400
    assert client.get("/api/v1/models/lookup/00000000-0000-0000-0000-000000000000/").status_code == 404
    hub_repos.serve(hub, "missing")
    with hub.now():
        job = client.post("/api/v1/models/lookup/", {"repo_id": "nobody/nothing-here"}, format="json").json()
    body = client.get(job["url"]).json()
    assert body["status"] == "failed" and "no public model repository" in body["message"] and body["model"] is None


def test_lookups_are_rate_limited_per_client(hub, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "lookup": "3/hour"},
    }
    hub_repos.serve(hub, "missing")
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"  # a fresh budget:
    client = APIClient(REMOTE_ADDR=address)  # the counters live in the shared cache across test runs
    with hub.now():
        codes = [
            client.post("/api/v1/models/lookup/", {"repo_id": "nobody/nothing-here"}, format="json").status_code
            for _ in range(4)
        ]
    assert codes == [202, 202, 202, 429]  # one job, joined twice, then the client's budget is spent
    other = APIClient(REMOTE_ADDR=address.replace("10.", "11.", 1))
    assert other.post("/api/v1/models/lookup/", {"repo_id": "nobody/nothing-here"}, format="json").status_code != 429
    page = client.get("/lookup/", {"repo": "nobody/nothing-here"}, REMOTE_ADDR=address)  # the site: same budget
    assert page.status_code == 429 and b"try again in" in page.content


def test_site_lookup_pages(hub, client):
    repo = hub_repos.serve(hub, "gguf")
    with hub.now():
        response = client.get("/lookup/", {"repo": f"hf.co/{repo}:Q4_K_M"})
    assert response.status_code == 302 and response["Location"].startswith("/lookup/")
    page = client.get(response["Location"])  # done: on to the model, with the quantization asked for
    assert page.status_code == 302 and page["Location"].endswith("/?quant=Q4_K_M")
    model_page = client.get(page["Location"])
    assert model_page.status_code == 200
    html = model_page.content.decode()
    assert "Looked up from the Hugging Face Hub, not reviewed" in html and 'table class="quants' in html
    assert 'name="robots" content="noindex"' in html
    bad = client.get("/lookup/", {"repo": "not a repo"})
    assert bad.status_code == 400 and b"owner/name" in bad.content


def test_provisional_models_stay_out_of_default_lists(hub, client):
    found, _ = ask(hub, "safetensors")
    slug = found.llm.slug
    assert found.llm.developer == "deepseek-ai"  # the Hub owner: no catalog model has it, so this list is only it
    assert slug not in client.get("/models/?developer=deepseek-ai").content.decode()
    assert slug not in client.get("/").content.decode() and slug not in client.get("/compare/").content.decode()
    assert slug in client.get("/models/", {"q": "R1-Distill-Llama"}).content.decode()
    assert slug in client.get("/search/", {"q": "R1-Distill-Llama-8B"}).content.decode()
    gpu_page = client.get("/gpus/nvidia-geforce-rtx-4090/").content.decode()
    assert f"/models/{slug}/" not in gpu_page and "/models/qwen3-8b/" in gpu_page
    compare = client.get(f"/compare/?model={slug}&gpu=nvidia-geforce-rtx-4090&gpu=nvidia-geforce-rtx-3090")
    assert compare.status_code == 200
    plan = client.get(
        f"/plan/?model={slug}&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp"
        "&gpu=nvidia-geforce-rtx-4090&gpu_count=1"
    )
    assert plan.status_code == 200, plan.content.decode()[-2000:]


def test_staff_promote_a_provisional_model(hub, admin_client):
    found, _ = ask(hub, "safetensors")
    admin_client.post("/admin/catalog/llm/", {"action": "promote", "_selected_action": [found.llm.pk]})
    assert LLM.objects.get(pk=found.llm.pk).reviewed
    listing = admin_client.get("/admin/catalog/hublookup/")
    assert listing.status_code == 200 and hub_repos.R1.encode() in listing.content
    assert lookup.request(hub_repos.R1) == (None, LLM.objects.get(pk=found.llm.pk))  # now a catalog model


def test_discovery_queues_new_popular_repositories_of_the_catalogs_developers(hub):
    repo = hub_repos.serve(hub, "safetensors")
    hub.serve_json("/api/models", [{"id": repo}, {"id": "Qwen/Qwen3-8B"}])  # one new, one in the catalog
    with hub.now():
        queued = lookup.discover(per_author=2, authors=3)
    assert queued == [repo]  # once, although every developer's listing (one fake answer) names it
    found = HubLookup.objects.get()
    assert found.status == "done" and found.requests == 0 and not found.llm.reviewed
    assert any(path == "/api/models" for path in hub.hits)
    with hub.now():
        assert lookup.discover(per_author=2, authors=3) == []  # already looked up


def test_a_pasted_config_is_sized_at_once_and_gets_a_stable_page(hub, client):
    config = hub_repos._config("Qwen--Qwen3-VL-8B-Instruct.json")
    api = APIClient()
    body = api.post("/api/v1/models/lookup/", {"config": config}, format="json").json()
    assert body["status"] == "done" and body["model"]["reviewed"] is False and hub.hits == []  # no Hub request
    llm = LLM.objects.get(slug=body["model"]["slug"])
    assert llm.pasted and llm.num_layers == config["text_config"]["num_hidden_layers"]
    again = api.post("/api/v1/models/lookup/", {"config": dict(reversed(list(config.items())))}, format="json")
    assert again.json()["model"]["slug"] == llm.slug  # the same config, keys in another order: the same page
    page = client.get(body["model"]["url"]).content.decode()
    assert "A pasted config.json" in page and "huggingface.co/pasted" not in page and "vllm serve" not in page
    bad = api.post("/api/v1/models/lookup/", {"config": {"model_type": "mystery"}}, format="json")
    assert bad.status_code == 400 and "does not state the number of layers" in bad.json()["config"][0]
    both = api.post("/api/v1/models/lookup/", {"config": config, "repo_id": "a/b"}, format="json")
    assert both.status_code == 400 and both.json()["repo_id"]


def test_site_config_paste(hub, client):
    assert client.get("/lookup/config/").status_code == 200
    text = (hub_repos.CONFIGS / "microsoft--phi-4.json").read_text()
    response = client.post("/lookup/config/", {"config": text})
    assert response.status_code == 302 and response["Location"].startswith("/models/pasted-")
    bad = client.post("/lookup/config/", {"config": "{not json"})
    assert bad.status_code == 400 and b"This is not JSON we can read" in bad.content and b"{not json" in bad.content


def test_a_config_that_leans_on_its_classs_defaults_is_still_sized():
    """Gemma 3's published config.json states neither heads, head width, vocabulary nor context: transformers'
    Gemma3TextConfig supplies them, and so do we (hf_config.CLASS_DEFAULTS)."""
    from catalog.sources.hf_hub import new_model_fields

    config = hub_repos._config("google--gemma-3-4b-it.json")
    assert "num_attention_heads" not in config["text_config"]
    fields = new_model_fields(hub_repos.GEMMA, {"id": hub_repos.GEMMA}, config)
    assert (
        fields["num_attention_heads"],
        fields["num_kv_heads"],
        fields["head_dim"],
        fields["vocab_size"],
        fields["max_context"],
        fields["tied_embeddings"],
    ) == (8, 4, 256, 262_208, 131_072, True)
    assert fields["num_layers"] == 34 and fields["sliding_window"] == 1024  # what the file states wins


def test_a_lost_job_is_reported_and_can_be_asked_again(hub, settings):
    repo = hub_repos.serve(hub, "safetensors")
    found, _ = lookup.request(repo)  # queued; its task never runs (no on_commit here)
    long_ago = timezone.now() - timedelta(seconds=settings.HUB_LOOKUP_STALE_S + 1)
    HubLookup.objects.filter(pk=found.pk).update(status="running", queued_at=long_ago, started_at=long_ago)
    job = APIClient().get(f"/api/v1/models/lookup/{found.pk}/").json()
    assert job["status"] == "failed" and "worker was lost" in job["message"]
    with hub.now():
        again, model = lookup.request(repo)
    again.refresh_from_db()
    assert again.pk == found.pk and again.status == "done"


def test_hub_answers_are_checked_like_user_input(hub):
    """A private repository is never published; ids the Hub's answers name are validated before we request them."""
    repo = "someone/private-model"
    hub.serve_json(f"/api/models/{repo}", {**hub_repos.model_info(repo, [("config.json", 10)]), "private": True})
    with hub.now():
        found, _ = lookup.request(repo)
    found.refresh_from_db()
    assert found.status == "failed" and "no public model repository" in found.message
    odd = "someone/odd-gguf"
    hub.serve_json(
        f"/api/models/{odd}",
        {**hub_repos.model_info(odd, [("x-Q4_K_M.gguf", 10)]), "cardData": {"base_model": "../../api/whoami-v2"}},
    )
    with hub.now():
        found, _ = lookup.request(odd)
    found.refresh_from_db()
    assert found.status == "failed" and "names no base model" in found.message
    assert not any("whoami" in path for path in hub.hits)


def test_a_config_past_any_real_size_is_refused_at_once(hub):
    body = APIClient().post(
        "/api/v1/models/lookup/", {"config": {"model_type": "gemma3_text", "num_hidden_layers": 10**9}}, format="json"
    )
    assert body.status_code == 400 and "beyond any real model" in body.json()["config"][0]
