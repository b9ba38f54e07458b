"""Load benchmark: the production stack on this machine (gunicorn, production settings, PostgreSQL,
the Redis cache) against the large synthetic catalog, driven by locust (bench/locustfile.py).

Reports requests/s, p50/p95/p99 latency and errors per endpoint, and SQL queries per request at 1× and
10× catalog, and writes the table into bench/README.md.

Run: make bench-load   (options: --users 50 --duration 60 --workers 4)
"""

import argparse
import csv
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from readme import write_block

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
ENDPOINTS = {  # name in the locustfile -> a representative URL for the query count
    "model page": "/models/deepseek-r1-distill-llama-8b/?context=32768&quant=Q4_K_M&kv_cache=f16&runtime=llamacpp",
    "model page (htmx)": (
        "/models/deepseek-r1-distill-llama-8b/?context=8192&quant=Q4_K_M&kv_cache=f16&runtime=llamacpp"
    ),
    "API compatible GPUs": "/api/v1/models/deepseek-r1-distill-llama-8b/gpus/?quant=Q4_K_M&context=32768",
    "API plan GET": "/api/v1/plan/?model=deepseek-r1-distill-llama-8b&gpu=nvidia-geforce-rtx-3060-12-gb&context=32768",
    "API plan POST": None,
    "GPU list filters": "/gpus/?vendor=NVIDIA&min_vram_gb=12&sort=bandwidth",
    "GPU page": "/gpus/nvidia-geforce-rtx-3060-12-gb/?context=8192",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def ensure_database(url: str, env: dict, large: bool) -> None:
    name = url.rsplit("/", 1)[1]
    subprocess.run(["psql", url.rsplit("/", 1)[0] + "/postgres", "-qc", f"CREATE DATABASE {name}"], capture_output=True)
    count = subprocess.run(
        [PY, "manage.py", "shell", "-c", "from catalog.models import GPU; print(GPU.objects.count())"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if large and (count.returncode or int(count.stdout.strip().splitlines()[-1] or 0) < 4000):
        run([PY, "bench/seed_large.py"], {**env, "DATABASE_URL": url})
    elif not large:
        run([PY, "manage.py", "migrate", "--noinput"], {**env, "DATABASE_URL": url}, capture_output=True)
        run([PY, "manage.py", "seed"], {**env, "DATABASE_URL": url}, capture_output=True)


QUERY_COUNT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from catalog.cache import bump_catalog_version
client, out = Client(HTTP_X_FORWARDED_PROTO="https"), {}
for name, url in json.loads(URLS).items():
    bump_catalog_version()  # the uncached path
    with CaptureQueriesContext(connection) as ctx:
        if url:
            status = client.get(url).status_code
        else:
            status = client.post("/api/v1/plan/", {"model": "deepseek-r1-distill-llama-8b", "quant": "Q4_K_M",
                                 "gpu": "nvidia-geforce-rtx-3060-12-gb"}, content_type="application/json").status_code
    out[name] = (status, len(ctx.captured_queries))
print(json.dumps(out))
"""


def query_counts(url: str, env: dict) -> dict:
    result = subprocess.run(
        [PY, "manage.py", "shell", "-c", QUERY_COUNT.replace("URLS", repr(json.dumps(ENDPOINTS)))],
        cwd=ROOT,
        env={**env, "DATABASE_URL": url},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        sys.exit(f"query count failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description="Load benchmark of the production stack")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/bench_large")
    parser.add_argument("--small-database-url", default="postgres://postgres@127.0.0.1:5432/bench_small")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=int, default=60, help="seconds of load")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (>1: gthread)")
    parser.add_argument("--warmup", type=int, default=45, help="seconds of unrecorded load first (0: cold run)")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "REDIS_URL": args.redis_url,
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": "bench",
        "API_THROTTLE_ANON": "1000000/minute",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["STATIC_ROOT"] = tempfile.mkdtemp(prefix="bench-static-")
    run([PY, "manage.py", "collectstatic", "--noinput"], env, capture_output=True)
    ensure_database(args.database_url, env, large=True)
    ensure_database(args.small_database_url, env, large=False)
    counts_large = query_counts(args.database_url, env)
    counts_small = query_counts(args.small_database_url, env)

    env = {**env, "DATABASE_URL": args.database_url}
    subprocess.run(["redis-cli", "-u", args.redis_url, "flushdb"], capture_output=True)  # a cold cache
    port = free_port()
    server = subprocess.Popen(
        [
            PY,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--forwarded-allow-ips",
            "*",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        prefix = os.path.join(tempfile.mkdtemp(prefix="bench-locust-"), "run")

        def locust(seconds, csv_prefix):
            subprocess.run(
                [
                    str(Path(PY).parent / "locust"),
                    "-f",
                    "bench/locustfile.py",
                    "--headless",
                    "-u",
                    str(args.users),
                    "-r",
                    str(args.users),
                    "-t",
                    f"{seconds}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    csv_prefix,
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**env, "LOCUST_CACHE_STATS": csv_prefix + "_cache.json"},
                check=False,
                stdout=subprocess.DEVNULL,
            )

        if args.warmup:
            locust(args.warmup, prefix + "-warmup")
        locust(args.duration, prefix)
    finally:
        server.terminate()
        server.wait(timeout=30)

    def read_stats(csv_prefix):
        with open(csv_prefix + "_stats.csv", newline="") as handle:
            return {row["Name"]: row for row in csv.DictReader(handle)}

    stats = read_stats(prefix)
    cache = {}
    for name, state, n in json.loads(Path(prefix + "_cache.json").read_text()):
        cache.setdefault(name, {})[state] = n

    lines = [
        f"Measured {date.today()} on this machine ({os.cpu_count()} cores, {platform.machine()}, Python "
        f"{platform.python_version()}): gunicorn {args.workers} workers × {args.threads} "
        f"thread{'s' if args.threads > 1 else ''}, DEBUG=false, PostgreSQL "
        f"{args.database_url.rsplit('/', 1)[1]} (large synthetic catalog), Redis cache flushed before the run; "
        f"locust {args.users} users on the same 2 cores, 80% of requests about 10 popular models, 20% about any "
        f"of the 540 synthetic ones: {args.warmup} s of warm-up (its aggregate is the last row; it fills the "
        f"page and API caches the way real traffic does), then {args.duration} s measured.",
        "",
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors | cache hits | SQL queries 1× | "
        "SQL queries 10× |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]

    def line(label, row, hits=""):
        return (
            f"| {label} | {row['Request Count']} | {float(row['Requests/s']):.1f} | {row['50%']} | {row['95%']} | "
            f"{row['99%']} | {row['Failure Count']} | {hits} |"
        )

    for name in list(ENDPOINTS) + ["Aggregated"]:
        row = stats.get(name)
        if not row:
            continue
        states = cache.get(name, {})
        hits = f"{100 * states.get('hit', 0) / max(1, sum(states.values())):.0f}%" if states else ""
        q1 = counts_small[name][1] if name in counts_small else ""
        q10 = counts_large[name][1] if name in counts_large else ""
        lines.append(line(name, row, hits) + f" {q1} | {q10} |")
    if args.warmup:
        warm = read_stats(prefix + "-warmup").get("Aggregated")
        lines.append(line(f"*warm-up, all endpoints (cold caches, first {args.warmup} s)*", warm) + "  |  |")
    table = "\n".join(lines)
    print(table)
    if not args.no_readme:
        write_block("load", "Load test (bench/load.py)", table)


if __name__ == "__main__":
    main()
