"""The refresh through a real Celery worker process, the real Redis broker and the real database
(PostgreSQL in CI), with upstreams served on loopback from recorded payloads."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from rest_framework.test import APIClient

from catalog.models import GPU, LLM, HubLookup, RefreshRun
from catalog.tasks import refresh_source
from catalog.tests.upstream import Reply
from conftest import CELERY_TEST_QUEUE as QUEUE
from conftest import UPSTREAM_TIMEOUT_S as TIMEOUT_S

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def feeds(worker, upstream, seeded):
    upstream.reset()
    upstream.serve_file("/gpus.csv", "gpu_feed.csv", "text/csv")
    upstream.serve_file("/prices.json", "prices.json")
    return upstream


def send(source: str):
    return refresh_source.apply_async((source,), {"triggered_by": "test"}, queue=QUEUE)


def state():
    return list(
        GPU.objects.order_by("slug").values_list(
            "slug", "bandwidth_gbs", "tdp_w", "street_price_usd", "stale_since", "is_active"
        )
    )


def test_worker_creates_updates_and_a_second_run_writes_nothing(feeds):
    GPU.objects.filter(slug="intel-arc-b580").delete()
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(bandwidth_gbs=900.0)
    GPU.objects.filter(slug="nvidia-geforce-rtx-4090").update(bandwidth_gbs=1008.0, locked_fields=["bandwidth_gbs"])
    first = send("gpu_feed").get(timeout=60)
    assert first["status"] == "succeeded", first
    assert first["created"] == 1 and first["skipped"] == 1  # the locked bandwidth
    assert GPU.objects.get(slug="nvidia-geforce-rtx-3090").bandwidth_gbs == 936.2
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").bandwidth_gbs == 1008.0
    before = state()
    second = send("gpu_feed").get(timeout=60)
    assert (second["created"], second["updated"]) == (0, 0) and state() == before
    prices = send("price_feed").get(timeout=60)
    assert prices["updated"] == 6 and GPU.objects.get(slug="intel-arc-a380").street_price_usd == 129


def test_worker_leaves_the_catalog_alone_on_a_malformed_payload(feeds):
    before = state()
    feeds.serve("/gpus.csv", Reply(b"vendor,name,memory_gb,segment\nNVIDIA,Cut", "text/csv"))
    result = send("gpu_feed").get(timeout=60)
    assert result["status"] == "failed" and "line break" in result["message"]
    assert state() == before


def test_worker_skips_and_counts_one_bad_record(feeds):
    text = (
        b"vendor,name,memory_gb,segment,bandwidth_gbs\n"
        b"NVIDIA,GeForce RTX 3090,24,consumer,936.2\nNVIDIA,Broken Card,-8,consumer,100\n"
    )
    feeds.serve("/gpus.csv", Reply(text, "text/csv"))
    result = send("gpu_feed").get(timeout=60)
    assert result["status"] == "succeeded" and result["skipped"] == 1
    assert RefreshRun.objects.get(pk=result["run"]).errors[0].startswith("row 3: memory_gb")
    assert not GPU.objects.filter(name="Broken Card").exists()


def test_two_concurrent_triggers_make_one_run(feeds):
    feeds.serve_file("/gpus.csv", "gpu_feed.csv", "text/csv", delay_s=TIMEOUT_S * 0.8)
    a, b = send("gpu_feed"), send("gpu_feed")
    results = sorted([a.get(timeout=60)["status"], b.get(timeout=60)["status"]])
    assert results == ["already running", "succeeded"]
    assert RefreshRun.objects.filter(source="gpu_feed").count() == 1


def test_upstream_timeout_is_retried_then_fails_cleanly(feeds):
    before = state()
    feeds.serve_file("/gpus.csv", "gpu_feed.csv", "text/csv", delay_s=TIMEOUT_S * 3)
    result = send("gpu_feed")
    with pytest.raises(Exception, match="timed out"):
        result.get(timeout=90)
    runs = list(RefreshRun.objects.filter(source="gpu_feed"))
    assert len(runs) == 3 and all(r.status == "failed" and "timed out" in r.message for r in runs)  # 1 + 2 retries
    assert feeds.hits.count("/gpus.csv") == 3
    assert state() == before
    assert not RefreshRun.objects.running().exists()


# --- Hub lookups (planner/lookup.py) through the same worker ----------------------------------------------------

LOOKUP_OUTCOME = {
    "safetensors": "done",
    "gguf": "done",
    "split": "done",
    "multimodal": "done",
    "gated": "failed",
    "missing": "failed",
    "garbage": "failed",
    "no-config": "failed",
}


@pytest.fixture
def hub(worker, upstream, seeded, settings):
    from catalog.tests import hub_repos

    upstream.reset()
    settings.HUB_LOOKUP_QUEUE = QUEUE  # the worker's queue
    LLM.objects.filter(hf_repo_id__in=[hub_repos.R1, hub_repos.PHI4, hub_repos.GEMMA, hub_repos.QWEN_VL]).delete()
    return upstream


def poll(client, url: str, timeout_s: float = 30) -> dict:
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        job = client.get(url).json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.1)
    pytest.fail(f"lookup still {job['status']} after {timeout_s} s")


def test_lookup_end_to_end_through_the_worker(hub):
    """Every scenario in one test: each transactional test reloads the seed catalog (~17 s)."""
    from catalog.tests import hub_repos

    client = APIClient()
    for scenario, outcome in LOOKUP_OUTCOME.items():
        repo = hub_repos.serve(hub, scenario)
        response = client.post("/api/v1/models/lookup/", {"repo_id": repo}, format="json")
        assert response.status_code == 202, (scenario, response.json())
        job = poll(client, response.json()["url"])
        assert job["status"] == outcome, (scenario, job["message"])
        if job["status"] == "done":
            page = client.get(job["model"]["url"])
            assert page.status_code == 200 and b'table class="quants' in page.content, scenario
            assert b"Looked up from the Hugging Face Hub, not reviewed" in page.content, scenario
            again = client.post("/api/v1/models/lookup/", {"repo_id": repo}, format="json")
            assert again.status_code == 200 and again.json()["model"]["slug"] == job["model"]["slug"], scenario
        else:
            assert job["message"] and job["model"] is None, scenario


def test_concurrent_lookups_of_one_repository_share_one_job(hub):
    from catalog.tests import hub_repos

    repo = hub_repos.serve(hub, "safetensors")
    barrier = threading.Barrier(6)

    def ask(_):
        barrier.wait()
        return APIClient().post("/api/v1/models/lookup/", {"repo_id": repo}, format="json").json()

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(ask, range(6)))
    assert len({a["id"] for a in answers}) == 1
    job = poll(APIClient(), answers[0]["url"])
    assert job["status"] == "done", job["message"]
    assert hub.hits.count(f"/api/models/{repo}") == 1  # one task read the Hub, once
    assert HubLookup.objects.get().requests == 6


def test_worker_writes_a_large_csv_import_all_at_once(worker, seeded):
    """A confirmed upload over CSV_IMPORT_INLINE_ROWS goes to the worker, which re-reads the stored text and writes
    it in one transaction with history."""
    from catalog.models import ChangeRecord, CSVImport
    from catalog.tasks import import_gpus_csv

    text = "vendor,name,memory_gb,segment\n" + "".join(f"Acme,Worker Card {i},16,consumer\n" for i in range(600))
    imp = CSVImport.objects.create(file_name="big.csv", text=text, status=CSVImport.Status.QUEUED, created=600)
    status = import_gpus_csv.apply_async((str(imp.pk),), queue=QUEUE).get(timeout=120)
    imp.refresh_from_db()
    assert status == "done", imp.message
    assert imp.status == "done" and imp.created == 600 and imp.text == ""
    assert GPU.objects.filter(vendor="Acme").count() == 600 == ChangeRecord.objects.filter(via="csv").count()
