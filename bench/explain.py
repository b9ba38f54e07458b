"""Query plans of the hot catalog queries on the large catalog, with and without the indexes made for
them: EXPLAIN ANALYZE "before" (the index dropped, inside a transaction that is rolled back) and
"after" (the schema as migrated). Nothing is left changed in the database.

The change history is empty in a fresh benchmark catalog, so HISTORY_ROWS synthetic change records
(a few years of admin edits and refreshes) are inserted first, inside the same rolled-back transaction.

Run: make bench-explain (PostgreSQL database bench_large, filled by bench/seed_large.py).
"""

import json
import statistics
from datetime import date

from common import GPU, LLM
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from readme import write_block

from catalog.models import ChangeRecord

HISTORY_ROWS = 200_000
RUNS = 5


class Rollback(Exception):
    pass


def explain(queryset) -> tuple[float, str]:
    """Median execution time (ms) over RUNS and the plan's access paths."""
    sql, params = queryset.query.sql_with_params()
    times, nodes = [], []
    with connection.cursor() as cursor:
        for _ in range(RUNS):
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
            result = cursor.fetchone()[0]
            result = json.loads(result) if isinstance(result, str) else result
            times.append(result[0]["Execution Time"])
    plan = result[0]["Plan"]

    def walk(node):
        if "Scan" in node["Node Type"]:
            nodes.append(f"{node['Node Type']}{' on ' + node['Index Name'] if node.get('Index Name') else ''}")
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return statistics.median(times), ", ".join(dict.fromkeys(nodes))


def drop(index_names):
    with connection.cursor() as cursor:
        for name in index_names:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("ANALYZE")


def cases():
    gib = 1024**3
    gpu_ct = ContentType.objects.get_for_model(GPU)
    some_gpu = GPU.objects.order_by("pk")[1234]
    return [
        (
            "GPU list, vendor filter (`vendor__iexact`, the list pages and API)",
            GPU.objects.filter(vendor__iexact="Intel").order_by("memory_bytes", "name")[:50],
            ["gpu_vendor_upper_idx"],
        ),
        (
            "GPU API, ≥ 80 GB (`memory_bytes__gte`)",
            GPU.objects.filter(memory_bytes__gte=80 * gib).order_by("memory_bytes", "slug")[:50],
            ["gpu_memory_idx"],
        ),
        (
            "Active GPUs with ≥ 80 GB (the fits filters)",
            GPU.objects.filter(is_active=True, memory_bytes__gte=80 * gib).order_by("memory_bytes")[:50],
            ["gpu_active_memory_idx", "gpu_memory_idx"],
        ),
        (
            "Model list, family filter (`family__iexact`)",
            LLM.objects.filter(family__iexact="Qwen3").order_by("name")[:24],
            ["llm_family_upper_idx"],
        ),
        (
            "Model list, developer filter (`developer__iexact`)",
            LLM.objects.filter(developer__iexact="Mistral AI").order_by("name")[:24],
            ["llm_developer_upper_idx"],
        ),
        (
            f"A GPU's change history (admin history view; {HISTORY_ROWS:,} records)",
            ChangeRecord.objects.filter(content_type=gpu_ct, object_id=str(some_gpu.pk)).order_by("-at")[:50],
            ["change_object_idx"],
        ),
    ]


def fill_history():
    gpu_ct = ContentType.objects.get_for_model(GPU)
    pks = list(GPU.objects.values_list("pk", flat=True))
    ChangeRecord.objects.bulk_create(
        [
            ChangeRecord(
                content_type=gpu_ct,
                object_id=str(pks[i % len(pks)]),
                object_repr="synthetic",
                action=ChangeRecord.Action.UPDATE,
                via=ChangeRecord.Via.ADMIN,
                changes={"street_price_usd": [str(i % 900), str(i % 900 + 1)]},
            )
            for i in range(HISTORY_ROWS)
        ],
        batch_size=5000,
    )


def main():
    assert connection.vendor == "postgresql", "EXPLAIN plans are measured on PostgreSQL (set DATABASE_URL)"
    lines = [
        f"Measured {date.today()} on this machine (PostgreSQL {connection.pg_version // 10000}, "
        f"{GPU.objects.count():,} GPUs, {LLM.objects.count()} models; median of {RUNS} EXPLAIN ANALYZE runs).",
        "",
        "| query | before: plan | before ms | after: plan | after ms |",
        "|---|---|---|---|---|",
    ]
    try:
        with transaction.atomic():
            fill_history()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            for label, queryset, indexes in cases():
                after_ms, after_plan = explain(queryset)
                sid = transaction.savepoint()
                drop(indexes)
                before_ms, before_plan = explain(queryset)
                transaction.savepoint_rollback(sid)
                lines.append(f"| {label} | {before_plan} | {before_ms:.2f} | {after_plan} | {after_ms:.2f} |")
            raise Rollback
    except Rollback:
        pass
    table = "\n".join(lines)
    print(table)
    write_block("explain", "Query plans (bench/explain.py)", table)


if __name__ == "__main__":
    main()
