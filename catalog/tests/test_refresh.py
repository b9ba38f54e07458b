"""Catalog refresh, in process, against recorded payloads served on loopback."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from catalog import refresh
from catalog.models import GPU, LLM, ModelQuant, RefreshRun
from catalog.sources import SourceError, TransientSourceError, gpu_feed, hf_hub
from catalog.tests.upstream import PAYLOADS, Reply, Upstream

pytestmark = pytest.mark.django_db
R1 = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"


@pytest.fixture(scope="module")
def upstream():
    server = Upstream().start()
    yield server
    server.stop()


@pytest.fixture
def feeds(upstream, settings, seeded):
    upstream.reset()
    settings.GPU_FEED_URL = upstream.url + "/gpus.csv"
    settings.PRICE_FEED_URL = upstream.url + "/prices.json"
    settings.HF_ENDPOINT = upstream.url
    settings.REFRESH_HTTP_TIMEOUT_S = 0.5
    upstream.serve_file("/gpus.csv", "gpu_feed.csv", "text/csv")
    upstream.serve_file("/prices.json", "prices.json")
    return upstream


def catalog_state():
    return list(
        GPU.objects.order_by("slug").values_list(
            "slug", "bandwidth_gbs", "tdp_w", "street_price_usd", "stale_since", "memory_bytes", "is_active"
        )
    )


def feed_text(mutate=None) -> str:
    rows = list(csv.DictReader(io.StringIO((PAYLOADS / "gpu_feed.csv").read_text())))
    if mutate:
        rows = mutate(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_gpu_feed_creates_updates_then_a_second_run_writes_nothing(feeds):
    GPU.objects.filter(slug="intel-arc-b580").delete()
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(bandwidth_gbs=900.0)
    first = refresh.run("gpu_feed")
    assert first.status == "succeeded", first.message
    assert first.created == 1 and first.skipped == 0
    assert GPU.objects.get(slug="nvidia-geforce-rtx-3090").bandwidth_gbs == 936.2
    assert GPU.objects.get(slug="intel-arc-b580").fetched_at is not None
    # Everything not in the feed is kept, marked stale; feed GPUs are not.
    assert GPU.objects.filter(stale_since__isnull=False).count() == GPU.objects.count() - 6
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").stale_since is None
    state = catalog_state()
    second = refresh.run("gpu_feed")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 6)
    assert catalog_state() == state


def test_locked_fields_survive_and_are_counted_as_skipped(feeds):
    GPU.objects.filter(slug="nvidia-geforce-rtx-4090").update(bandwidth_gbs=1008.0, locked_fields=["bandwidth_gbs"])
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(tdp_w=351, locked_fields=[])
    run = refresh.run("gpu_feed")
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").bandwidth_gbs == 1008.0
    assert GPU.objects.get(slug="nvidia-geforce-rtx-3090").tdp_w == 350
    assert run.skipped == 1


def test_the_feed_keeps_the_figures_the_seed_sourced(feeds):
    """The feed is the shared GPU table's upstream: its row for a 32-core M5 Max carries the chip's top-bin FP32
    and no bandwidth or price (as shared/data/gpus.csv does). The seed's sourced corrections are locked, a blank
    erases nothing, and a source the stored one extends is no change."""
    m5 = GPU.objects.get(name="Apple M5 Max (36 GB unified)")
    kept = (m5.fp32_tflops, m5.bandwidth_gbs, m5.launch_price_usd, m5.source)
    assert sorted(m5.locked_fields) == ["bandwidth_gbs", "fp32_tflops"] and kept[1] == 460.0
    feed_source = m5.source.split(" | 32-core GPU")[0]
    apple = {
        **dict.fromkeys(next(csv.reader(io.StringIO(feed_text()))), ""),
        **{"vendor": "Apple", "name": m5.name, "architecture": "Apple GPU", "release_date": "2026"},
        **{"memory_gb": "36", "memory_type": "LPDDR (unified)", "fp32_tflops": "22.8", "segment": "apple"},
        "source": feed_source,
    }

    def mutate(rows):
        rows[1]["launch_price_usd"] = ""  # the RTX 3060 12 GB with its price unknown
        return [*rows, apple]

    price_3060 = GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb").launch_price_usd
    feeds.serve("/gpus.csv", Reply(feed_text(mutate).encode(), "text/csv"))
    run = refresh.run("gpu_feed")
    assert run.status == "succeeded", run.message
    m5.refresh_from_db()
    assert (m5.fp32_tflops, m5.bandwidth_gbs, m5.launch_price_usd, m5.source) == kept
    assert run.skipped == 1  # the locked FP32
    assert GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb").launch_price_usd == price_3060 is not None


@pytest.mark.parametrize(
    "reply",
    [
        Reply(feed_text().encode()[:700], "text/csv"),  # cut mid-row
        Reply(feed_text().encode(), "text/csv", truncate=True),  # fewer bytes than announced
        Reply(b"<html>maintenance</html>", "text/html"),
        Reply(b"", "text/csv"),
        Reply(b'[{"vendor": "NVIDIA", "name": ', "application/json"),
        Reply(b"oops", "text/csv", status=404),
    ],
)
def test_a_malformed_payload_or_http_error_changes_nothing_and_fails_the_run(feeds, reply):
    GPU.objects.filter(slug="intel-arc-b580").delete()
    state = catalog_state()
    feeds.serve("/gpus.csv", reply)
    run = refresh.run("gpu_feed")
    assert run.status == "failed" and run.message and run.finished_at
    assert catalog_state() == state


def test_upstream_5xx_and_timeouts_are_transient_and_change_nothing(feeds):
    state = catalog_state()
    feeds.serve("/gpus.csv", Reply(b"busy", "text/plain", status=503))
    with pytest.raises(TransientSourceError):
        refresh.run("gpu_feed")
    feeds.serve_file("/gpus.csv", "gpu_feed.csv", "text/csv", delay_s=1.0)
    with pytest.raises(TransientSourceError, match="timed out"):
        refresh.run("gpu_feed")
    runs = RefreshRun.objects.filter(source="gpu_feed")
    assert [r.status for r in runs] == ["failed", "failed"] and "timed out" in runs[0].message
    assert catalog_state() == state


def test_one_bad_record_is_skipped_with_its_reason_and_the_rest_applied(feeds):
    def mutate(rows):
        rows[0]["memory_gb"] = "lots"
        rows[1]["bandwidth_gbs"] = "936.2"
        return rows

    GPU.objects.filter(slug="intel-arc-b580").delete()
    feeds.serve("/gpus.csv", Reply(feed_text(mutate).encode(), "text/csv"))
    run = refresh.run("gpu_feed")
    assert run.status == "succeeded" and run.skipped == 1 and run.created == 1
    assert "memory_gb" in run.errors[0] and "row 2" in run.errors[0]


def test_a_second_claim_while_running_is_a_no_op(feeds):
    refresh.claim("gpu_feed")
    with pytest.raises(refresh.AlreadyRunning):
        refresh.run("gpu_feed")
    assert RefreshRun.objects.filter(source="gpu_feed").count() == 1


def test_dry_run_reports_and_writes_nothing(feeds):
    GPU.objects.filter(slug="intel-arc-b580").delete()
    state = catalog_state()
    run = refresh.run("gpu_feed", dry_run=True)
    assert run.created == 1 and run.message.startswith("Dry run")
    assert catalog_state() == state


def test_a_refresh_that_changes_data_shows_in_cached_api_responses(feeds):
    client = APIClient()
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(bandwidth_gbs=900.0)
    assert client.get("/api/v1/gpus/nvidia-geforce-rtx-3090/").json()["bandwidth_gbs"] == 900.0
    assert client.get("/api/v1/gpus/nvidia-geforce-rtx-3090/")["X-Cache"] == "hit"
    refresh.run("gpu_feed")
    assert client.get("/api/v1/gpus/nvidia-geforce-rtx-3090/").json()["bandwidth_gbs"] == 936.2


def test_price_feed_keeps_observation_dates_and_locks(feeds):
    GPU.objects.filter(slug="intel-arc-a380").update(street_price_usd=99, locked_fields=["street_price_usd"])
    run = refresh.run("price_feed")
    assert run.status == "succeeded" and run.updated == 5 and run.skipped == 1
    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-3050-6-gb")
    assert gpu.street_price_usd == 169 and str(gpu.street_price_observed_at) == "2026-11-22"
    assert GPU.objects.get(slug="intel-arc-a380").street_price_usd == 99
    assert refresh.run("price_feed").updated == 0


def test_hub_refresh_updates_the_model_and_reports_unknown_repos(feeds):
    feeds.serve_hub_model(R1)
    LLM.objects.filter(hf_repo_id=R1).update(params_total=8_000_000_000, license="")
    run = refresh.run("hf_hub")
    assert run.status == "succeeded", run.message
    llm = LLM.objects.get(hf_repo_id=R1)
    assert llm.params_total == 8030261248 and llm.license == "mit" and llm.hf_downloads == 2945495
    assert llm.num_kv_heads == 8 and llm.max_context == 131072 and llm.intermediate_size == 14336
    assert run.updated == 1 and run.skipped == LLM.objects.count() - 1  # the fake Hub knows one model
    assert refresh.run("hf_hub").updated == 0


def test_hub_refresh_sizes_a_design_the_engine_learned_and_keeps_a_missing_count_refused(seeded):
    """A catalog seeded before the engine sized DeepSeek V4 holds it as refused GQA; the next refresh reads its
    config as the seed does now (attention csa, no reason). A MoE refused for want of a parameter count stays so."""
    from catalog.seed_data import FIXTURE_SOURCE_DIR
    from catalog.seed_models import NO_PARAMS_REASON, config_path

    def payload(repo):
        config = json.loads(config_path(FIXTURE_SOURCE_DIR, repo).read_text())
        return hf_hub.HubPayload(repo, {"id": repo}, config)

    v4 = "deepseek-ai/DeepSeek-V4-Flash"
    LLM.objects.filter(hf_repo_id=v4).update(attention="gqa", unsupported_reason="a compressed cache")
    hunyuan = LLM.objects.get(unsupported_reason=NO_PARAMS_REASON, params_total=None, architecture="moe")
    outcome = hf_hub.upsert([payload(v4), payload(hunyuan.hf_repo_id)])
    assert not outcome.errors
    flash = LLM.objects.get(hf_repo_id=v4)
    assert (flash.attention, flash.unsupported_reason, flash.layer_pattern[:4]) == ("csa", "", "SSKH")
    assert LLM.objects.get(pk=hunyuan.pk).unsupported_reason == NO_PARAMS_REASON


def test_hub_refresh_fetches_the_model_card_and_dates_the_download_count(feeds):
    feeds.serve_hub_model(R1, card=True)
    run = refresh.run("hf_hub")
    assert run.status == "succeeded", run.message
    llm = LLM.objects.get(hf_repo_id=R1)
    assert llm.card_markdown.startswith("# Test card for the refresh")  # the YAML header is metadata, not card
    assert "| MATH-500  | 89.1  |" in llm.card_markdown and llm.card_fetched_at is not None
    assert llm.hf_stats_date is not None and "last 30 days" in llm.hf_stats_source
    fetched = llm.card_fetched_at
    assert refresh.run("hf_hub").updated == 0  # the same card is not a change
    assert LLM.objects.get(hf_repo_id=R1).card_fetched_at == fetched


def test_hub_card_parts(feeds):
    assert hf_hub.card_markdown("---\nlicense: mit\n---\n\n# Body\n") == "# Body"
    assert hf_hub.card_markdown("# No header\n---\nrule") == "# No header\n---\nrule"
    assert len(hf_hub.card_markdown("x" * (hf_hub.CARD_MAX_CHARS + 10))) == hf_hub.CARD_MAX_CHARS


def test_hub_refresh_sets_exact_gguf_sizes(feeds):
    phi = LLM.objects.get(slug="phi-4")
    mq = phi.quantizations.get(fmt__name="Q4_K_M")
    ModelQuant.objects.filter(pk=mq.pk).update(repo_id="bartowski/phi-4-GGUF", filename="phi-4-Q4_K_M.gguf")
    feeds.serve("/api/models/microsoft/phi-4", Reply(b'{"id": "microsoft/phi-4", "siblings": []}'))
    feeds.serve_file("/api/models/bartowski/phi-4-GGUF", "hub/bartowski__phi-4-GGUF.info.json")
    run = refresh.run("hf_hub")
    assert run.status == "succeeded" and run.updated == 1
    assert ModelQuant.objects.get(pk=mq.pk).file_size_bytes == 9_050_000_000
    assert "/microsoft/phi-4/resolve/main/config.json" in feeds.hits  # asked, absent, not fatal


def test_hub_refresh_leaves_locked_model_fields_alone(feeds):
    feeds.serve_hub_model(R1)
    LLM.objects.filter(hf_repo_id=R1).update(params_total=8_000_000_000, locked_fields=["params_total"])
    run = refresh.run("hf_hub")
    llm = LLM.objects.get(hf_repo_id=R1)
    assert llm.params_total == 8_000_000_000 and llm.hf_downloads == 2945495
    assert any("params_total locked" in e for e in run.errors)


def test_hub_model_info_that_is_not_json_fails_the_run_and_changes_nothing(feeds):
    feeds.serve(f"/api/models/{R1}", Reply(b"<html>", "text/html"))
    before = list(LLM.objects.values_list("slug", "params_total", "license"))
    run = refresh.run("hf_hub")
    assert run.status == "failed" and "malformed" in run.message
    assert list(LLM.objects.values_list("slug", "params_total", "license")) == before


def test_import_model_by_repo_id(feeds):
    LLM.objects.filter(hf_repo_id=R1).delete()
    feeds.serve_hub_model(R1)
    out = io.StringIO()
    call_command("import_model", R1, stdout=out)
    llm = LLM.objects.get(hf_repo_id=R1)
    assert llm.num_layers == 32 and llm.num_kv_heads == 8 and llm.attention == "gqa" and llm.params_total == 8030261248
    assert llm.developer == "deepseek-ai" and "Imported" in out.getvalue()
    with pytest.raises(SourceError, match="already in the catalog"):
        refresh.import_model(R1)
    with pytest.raises(SourceError, match="no public model repository nobody/nothing"):
        refresh.import_model("nobody/nothing")


def test_refresh_command_and_disabled_sources(feeds, settings):
    out = io.StringIO()
    call_command("refresh_catalog", "--source", "price_feed", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    settings.GPU_FEED_URL = ""
    assert not gpu_feed.enabled()
    with pytest.raises(SourceError, match="off"):
        refresh.run("gpu_feed")
    assert hf_hub.enabled()


# --- issue 17: a broken feed fails the run and writes nothing ------------------------------------------------------


@pytest.mark.parametrize(
    "body, content_type, message",
    [
        (
            ",".join(
                [
                    "vendor",
                    "name",
                    "architecture",
                    "release_date",
                    "memory_gb",
                    "memory_type",
                    "memory_bus_bits",
                    "bandwidth_gbs",
                    "fp16_tflops",
                    "fp32_tflops",
                    "tdp_w",
                    "launch_price_usd",
                    "segment",
                    "source",
                ]
            )
            + "\n",
            "text/csv",
            "no rows",
        ),
        (
            json.dumps([{"vendor": "NVIDIA", "name": "X", "vram_gb": "24", "segment": "consumer"}]),
            "application/json",
            "unknown key(s) vram_gb",
        ),
    ],
)
def test_an_empty_feed_or_one_with_unknown_keys_fails_and_marks_nothing_stale(feeds, body, content_type, message):
    state = catalog_state()
    feeds.serve("/gpus.csv", Reply(body.encode(), content_type))
    run = refresh.run("gpu_feed")
    assert run.status == "failed" and message in run.message
    assert catalog_state() == state


def test_a_mostly_invalid_feed_fails_the_run(feeds):
    def mutate(rows):
        for row in rows[:4]:
            row["memory_gb"] = "-24"
        return rows

    state = catalog_state()
    feeds.serve("/gpus.csv", Reply(feed_text(mutate).encode(), "text/csv"))
    run = refresh.run("gpu_feed")
    assert run.status == "failed" and "4 of 6 rows are invalid" in run.message
    assert catalog_state() == state


def test_a_skipped_row_does_not_mark_its_gpu_stale_and_dry_run_counts_as_the_real_run(feeds):
    def mutate(rows):
        rows[0]["memory_gb"] = "-24"  # RTX 3090: a bad value, not a GPU gone from the feed
        return rows[:-1]  # and one GPU really gone

    feeds.serve("/gpus.csv", Reply(feed_text(mutate).encode(), "text/csv"))
    dry = refresh.run("gpu_feed", dry_run=True)
    real = refresh.run("gpu_feed")
    assert (dry.created, dry.updated, dry.skipped) == (real.created, real.updated, real.skipped)
    assert GPU.objects.get(slug="nvidia-geforce-rtx-3090").stale_since is None
    assert GPU.objects.exclude(stale_since=None).count() == GPU.objects.count() - 5  # all but the five it names


def test_a_feed_past_its_size_limit_fails_the_run_and_changes_nothing(feeds, settings):
    settings.REFRESH_MAX_FEED_BYTES = 1000
    state = catalog_state()
    run = refresh.run("gpu_feed")
    assert run.status == "failed" and "more than the 1,000" in run.message
    assert catalog_state() == state


def test_a_refused_connection_is_transient_after_the_retries(feeds, settings):
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.GPU_FEED_URL = f"http://127.0.0.1:{port}/gpus.csv"
    with pytest.raises(TransientSourceError, match="connection failed"):
        refresh.run("gpu_feed")


def test_a_gzip_encoded_feed_is_read_whole(feeds):
    """Content-Length counts the compressed bytes on the wire; the decoded body is longer and complete."""
    import gzip

    packed = gzip.compress(feed_text().encode())
    feeds.serve("/gpus.csv", Reply(packed, "text/csv", headers=(("Content-Encoding", "gzip"),)))
    run = refresh.run("gpu_feed")
    assert run.status == "succeeded", run.message


def test_a_trickling_upstream_meets_the_whole_request_deadline(feeds, settings):
    settings.REFRESH_DEADLINE_S = 1.0
    settings.REFRESH_HTTP_TIMEOUT_S = 0.5  # each byte arrives well within the read timeout
    feeds.serve("/gpus.csv", Reply(b"x" * 60, "text/csv", trickle_s=0.05))  # 3 s of trickle
    with pytest.raises(TransientSourceError):
        refresh.run("gpu_feed")
    run = RefreshRun.objects.filter(source="gpu_feed").first()
    assert run.status == "failed" and "not complete after 1.0 s" in run.message


def test_a_price_past_any_real_one_is_skipped_not_stored(feeds):
    feeds.serve(
        "/prices.json",
        Reply(
            json.dumps(
                [{"slug": "nvidia-geforce-rtx-4090", "price_usd": "250000000.00", "observed_at": "2026-01-01"}]
            ).encode()
        ),
    )
    run = refresh.run("price_feed")
    assert run.status == "succeeded" and run.skipped == 1 and "is not a price" in run.errors[0]


def test_refresh_writes_are_history_one_record_per_gpu(feeds):
    from catalog.models import ChangeRecord

    GPU.objects.filter(slug="intel-arc-b580").delete()
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(bandwidth_gbs=900.0)
    run = refresh.run("gpu_feed")
    records = ChangeRecord.objects.filter(via="refresh")
    assert run.created == 1 and {r.action for r in records} == {"create", "update"}
    update = records.get(action="update", object_id=str(GPU.objects.get(slug="nvidia-geforce-rtx-3090").pk))
    assert update.changes["bandwidth_gbs"] == [900.0, 936.2]
    assert records.get(action="create").snapshot["slug"] == "intel-arc-b580"
    seen = set(records.values_list("pk", flat=True))
    prices = refresh.run("price_feed")
    new = ChangeRecord.objects.filter(via="refresh").exclude(pk__in=seen)
    assert prices.updated > 0 and new.count() == prices.updated
    assert all("street_price_usd" in r.changes for r in new)


def test_a_refresh_run_is_history_with_its_run_and_can_be_reverted_from_the_admin(feeds, admin_client):
    """Issue 17, item 9: every GPU a run writes (created, changed, marked stale) has a record naming the run; the
    admin's revert action undoes it, leaving alone a GPU edited since."""
    from catalog import history
    from catalog.models import ChangeRecord

    GPU.objects.filter(slug="intel-arc-b580").delete()
    GPU.objects.filter(slug="nvidia-geforce-rtx-3090").update(bandwidth_gbs=900.0)
    GPU.objects.filter(slug="nvidia-geforce-rtx-3080").update(bandwidth_gbs=700.0)
    before = catalog_state()
    run = refresh.run("gpu_feed")
    assert run.status == "succeeded" and run.created == 1
    records = ChangeRecord.objects.filter(run=run)
    assert records.filter(action="create", object_repr__contains="B580").count() == 1
    stale = GPU.objects.exclude(stale_since=None).count()
    assert stale > 0 and records.filter(changes__has_key="stale_since").count() == stale
    assert records.count() == run.created + run.updated
    edited = GPU.objects.get(slug="nvidia-geforce-rtx-3080")  # an admin edits one GPU after the run
    snap = history.snapshot(edited)
    edited.tdp_w = 333
    history.save_with_history(edited, before=snap, user=None, via=ChangeRecord.Via.ADMIN)
    response = admin_client.post(
        "/admin/catalog/refreshrun/", {"action": "revert_runs", "_selected_action": [run.pk]}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "reverted" in text and "changed since the run; left as it is" in text
    run.refresh_from_db()
    assert run.reverted_at is not None
    after = {row[0]: row for row in catalog_state()}
    for row in before:
        if row[0] != "nvidia-geforce-rtx-3080":
            assert after[row[0]] == row, row[0]  # bandwidth, stale marks: back as they were
    assert "intel-arc-b580" not in after  # created by the run: deleted again, with a record
    assert after["nvidia-geforce-rtx-3080"][2] == 333  # the later edit stands
    assert ChangeRecord.objects.filter(action="delete", object_repr__contains="B580").exists()
    again = admin_client.post(
        "/admin/catalog/refreshrun/", {"action": "revert_runs", "_selected_action": [run.pk]}, follow=True
    )
    assert "already reverted" in again.content.decode()


def test_a_config_whose_text_config_is_not_an_object_is_a_400_not_a_traceback(feeds, admin_client):
    """Issue 17, item 10: '"text_config": "see README.md"' failed import_model with a traceback and a 500."""
    import json as jsonlib

    LLM.objects.filter(hf_repo_id=R1).delete()
    feeds.serve_hub_model(R1)
    config = jsonlib.loads((PAYLOADS / "hub" / (R1.replace("/", "__") + ".config.json")).read_text())
    feeds.serve_json(f"/{R1}/resolve/main/config.json", {**config, "text_config": "see README.md"})
    with pytest.raises(SourceError) as caught:
        refresh.import_model(R1)
    assert "text_config" in str(caught.value) or "config" in str(caught.value)
    response = admin_client.post("/api/v1/models/import/", {"repo_id": R1}, content_type="application/json")
    assert response.status_code == 400 and "repo_id" in response.json()
    assert not LLM.objects.filter(hf_repo_id=R1).exists()


def test_reverting_a_run_keeps_a_gpu_it_created_that_has_measurements_now(feeds):
    from catalog import history
    from catalog.models import Measurement

    GPU.objects.filter(slug="intel-arc-b580").delete()
    run = refresh.run("gpu_feed")
    b580 = GPU.objects.get(slug="intel-arc-b580")
    Measurement.objects.create(
        llm=LLM.objects.get(slug="llama-2-7b-hf"),
        model_label="Llama 2 7B",
        quant="Q4_0",
        gpu=b580,
        test="tg128",
        kind="decode",
        depth=64,
        tok_s=70.0,
        source="https://x.test/y",
    )
    reverted, conflicts = history.revert_run(run, user=None)
    assert any("measurements" in c for c in conflicts)
    assert GPU.objects.filter(slug="intel-arc-b580").exists() and Measurement.objects.filter(gpu=b580).exists()
