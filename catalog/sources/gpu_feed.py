"""The GPU feed: ``GPU_FEED_URL`` (unset: the source is off) serving CSV with the columns of
``shared/data/gpus.csv`` (catalog/gpu_csv.COLUMNS; optional ``slug``; UTF-8, header row, every row
ending with a line break, so a cut-off file is detected), or JSON: a list of objects with the same keys. New GPUs are created, changed specs updated (except fields an admin locked),
and GPUs missing from the feed are never deleted: they are marked stale.
"""

import csv

from django.conf import settings
from django.utils import timezone

from catalog import gpu_csv
from catalog.models import GPU
from catalog.sources import Outcome, SourceError, csv_lines, fetch_text, json_rows

NAME = "gpu_feed"


def enabled() -> bool:
    return bool(settings.GPU_FEED_URL)


def fetch() -> tuple[str, str]:
    return fetch_text(settings.GPU_FEED_URL)


def parse(text: str, content_type: str = "") -> list[dict]:
    """Rows as dicts of strings. A structurally broken payload (bad JSON, wrong header, a row with the
    wrong number of columns, as a cut-off file has) raises SourceError; bad values are left to upsert."""
    if "json" in content_type or text.lstrip().startswith("["):
        return json_rows(text, "GPU feed")
    csv_lines(text, "GPU feed")  # the structure; gpu_csv.read checks the header and makes the rows
    try:
        return gpu_csv.read(text)
    except (gpu_csv.CSVFormatError, csv.Error) as exc:
        raise SourceError(f"GPU feed: {exc}") from exc


def upsert(rows: list[dict], *, dry_run: bool = False) -> Outcome:
    outcome = Outcome()
    plan = gpu_csv.plan_changes(rows, respect_locks=True)
    bad_rows = {number for number, _ in plan.errors}
    for number, message in plan.errors:
        outcome.errors.append(f"row {number}: {message}")
    outcome.skipped = len(bad_rows) + plan.skipped_locked
    outcome.unchanged = plan.unchanged
    now = timezone.now()
    creates = [c.gpu for c in plan.creates if c.row_number not in bad_rows]
    updates = [c for c in plan.updates if c.row_number not in bad_rows]
    outcome.created, outcome.updated = len(creates), len(updates)
    if dry_run:
        return outcome
    for gpu in creates:
        gpu.fetched_at, gpu.source = now, gpu.source or f"GPU feed {settings.GPU_FEED_URL}"
    GPU.objects.bulk_create(creates, batch_size=500)
    if updates:
        fields = sorted({name for c in updates for name in c.changes} | {"fetched_at", "stale_since"})
        for c in updates:
            c.gpu.fetched_at, c.gpu.stale_since = now, None
        GPU.objects.bulk_update([c.gpu for c in updates], fields, batch_size=500)
    # Missing from the feed: marked stale (never deleted); back in the feed: no longer stale.
    # Only when some row changes, so that a run on unchanged data issues no write at all.
    present = plan.slugs
    gone = GPU.objects.filter(stale_since=None).exclude(slug__in=present)
    if gone.exists():
        outcome.updated += gone.update(stale_since=now)
    back = GPU.objects.filter(slug__in=present, stale_since__isnull=False)
    if back.exists():
        outcome.updated += back.update(stale_since=None)
    return outcome
