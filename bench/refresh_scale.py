"""Refresh at scale: a 10,000-row GPU feed and 600 models from a fake Hub, both served on loopback.
Times the first run and a second run on the same upstream data (which must write nothing).

The feed is the real rows of shared/data/gpus.csv plus synthetic variants (names end in "synfeed N",
source says SYNTHETIC); the Hub payloads are the recorded R1-Distill payload with each catalog model's
own repo id and architecture. Run: make bench-refresh (PostgreSQL database bench_refresh, filled by
bench/seed_large.py: 600 models). Earlier feed rows are removed first, so every run starts alike.
"""

import csv
import io
import json
import random
import time
from datetime import date

from common import DATA, GPU, LLM, ensure_seeded
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from readme import write_block

from catalog import refresh
from catalog.cache import bump_catalog_version
from catalog.models import RefreshRun
from catalog.tests.upstream import PAYLOADS, Reply, Upstream

FEED_MARK = "SYNTHETIC feed row"


def gpu_feed(rows_wanted: int = 10_000) -> str:
    rng = random.Random(7)
    with open(DATA / "gpus.csv", newline="", encoding="utf-8") as handle:
        real = list(csv.DictReader(handle))
    rows, n = list(real), 0
    while len(rows) < rows_wanted:
        n += 1
        base = dict(rng.choice(real))
        base["name"] = f"{base['name']} synfeed {n}"
        base["memory_gb"] = str(max(1, round(float(base["memory_gb"]) * rng.choice([0.5, 1, 1.5, 2]))))
        base["source"] = f"{FEED_MARK} (bench/refresh_scale.py), varied from {base['source'][:60]}"
        rows.append(base)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(real[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def hub_routes(server: Upstream) -> int:
    info = json.loads((PAYLOADS / "hub" / "deepseek-ai__DeepSeek-R1-Distill-Llama-8B.info.json").read_text())
    models = list(LLM.objects.all())
    for llm in models:
        body = dict(info, id=llm.hf_repo_id, modelId=llm.hf_repo_id, downloads=(llm.hf_downloads or 0) + 1)
        # The Hub's shape: parameter counts per dtype and their total.
        body["safetensors"] = (
            {"parameters": {"BF16": llm.params_total}, "total": llm.params_total} if llm.params_total else None
        )
        config = {
            "num_hidden_layers": llm.num_layers,
            "hidden_size": llm.hidden_size,
            "num_attention_heads": llm.num_attention_heads,
            "num_key_value_heads": llm.num_kv_heads,
            "vocab_size": llm.vocab_size,
            "max_position_embeddings": llm.max_context,
        }
        server.serve(f"/api/models/{llm.hf_repo_id}", Reply(json.dumps(body).encode()))
        server.serve(f"/{llm.hf_repo_id}/resolve/main/config.json", Reply(json.dumps(config).encode()))
    return len(models)


def timed(source: str):
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        run = refresh.run(source, triggered_by="bench/refresh_scale.py")
        seconds = time.perf_counter() - started
    writes = sum(
        1
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) and "catalog_refreshrun" not in q["sql"]
    )
    return run, seconds, writes


def reset() -> None:
    """Undo an earlier run of this benchmark: its feed GPUs go, nothing is stale."""
    GPU.objects.filter(source__startswith=FEED_MARK).delete()
    GPU.objects.exclude(stale_since=None).update(stale_since=None)
    RefreshRun.objects.running().delete()
    bump_catalog_version()


def main():
    ensure_seeded()
    reset()
    server = Upstream().start()
    settings.GPU_FEED_URL = server.url + "/gpus.csv"
    settings.HF_ENDPOINT = server.url
    settings.REFRESH_HTTP_TIMEOUT_S = 60
    feed = gpu_feed()
    server.serve("/gpus.csv", Reply(feed.encode(), "text/csv"))
    n_models = hub_routes(server)
    lines = [
        f"Measured {date.today()} on this machine ({connection.vendor}, {GPU.objects.count()} GPUs and "
        f"{n_models} models in the catalog before the run).",
        "",
        "| source | rows upstream | run | status | seconds | created | updated | unchanged | skipped | SQL writes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for source, rows in (("gpu_feed", feed.count("\n") - 1), ("hf_hub", n_models)):
        for label in ("first", "second"):
            run, seconds, writes = timed(source)
            assert run.status == RefreshRun.Status.SUCCEEDED, run.message
            lines.append(
                f"| {source} | {rows} | {label} | {run.status} | {seconds:.1f} | {run.created} | "
                f"{run.updated} | {run.unchanged} | {run.skipped} | {writes} |"
            )
    server.stop()
    table = "\n".join(lines)
    print(table)
    write_block("refresh", "Refresh at scale (bench/refresh_scale.py)", table)


if __name__ == "__main__":
    main()
