"""The GPU feed: ``GPU_FEED_URL`` (unset: the source is off) serving CSV with the columns of
``shared/data/gpus.csv`` (catalog/gpu_csv.COLUMNS; optional ``slug``; UTF-8, header row, every row
ending with a line break, so a cut-off file is detected), or JSON: a list of objects with the same keys. New GPUs
are created, changed specs updated (except fields an admin locked), and GPUs missing from the feed are never
deleted: they are marked stale. A feed with no rows, unknown keys or mostly invalid rows fails the run.
"""

import csv

from django.conf import settings
from django.utils import timezone

from catalog import gpu_csv, history
from catalog.models import GPU, ChangeRecord
from catalog.seed_data import gpu_slug
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
        rows = json_rows(text, "GPU feed")
        keys = {k for r in rows for k in r}
        unknown, missing = sorted(keys - set(gpu_csv.COLUMNS)), [c for c in gpu_csv.REQUIRED if c not in keys]
        if unknown or missing:
            raise SourceError(
                f"GPU feed: unknown key(s) {', '.join(unknown) or '-'}; missing "
                f"{', '.join(missing) or '-'} (expected: {', '.join(gpu_csv.COLUMNS)})"
            )
    else:
        csv_lines(text, "GPU feed")  # the structure; gpu_csv.read checks the header and makes the rows
        try:
            rows = gpu_csv.read(text)
        except (gpu_csv.CSVFormatError, csv.Error) as exc:
            raise SourceError(f"GPU feed: {exc}") from exc
    if not rows:
        raise SourceError("GPU feed: no rows (a feed that lists no GPU would mark the whole catalog stale)")
    return rows


# A feed whose rows are mostly invalid is broken (renamed columns, wrong units), not a catalog with a few bad
# entries: the run fails and writes nothing.
MAX_BAD_ROW_SHARE = 0.5


def upsert(rows: list[dict], *, dry_run: bool = False) -> Outcome:
    outcome = Outcome()
    plan = gpu_csv.plan_changes(rows, respect_locks=True)
    bad_rows = {number for number, _ in plan.errors}
    if rows and len(bad_rows) > MAX_BAD_ROW_SHARE * len(rows):
        first = "; ".join(f"row {n}: {m}" for n, m in plan.errors[:3])
        raise SourceError(f"GPU feed: {len(bad_rows)} of {len(rows)} rows are invalid (e.g. {first})")
    for number, message in plan.errors:
        outcome.errors.append(f"row {number}: {message}")
    outcome.skipped = len(bad_rows) + plan.skipped_locked
    outcome.unchanged = plan.unchanged
    now = timezone.now()
    creates = [c.gpu for c in plan.creates if c.row_number not in bad_rows]
    updates = [c for c in plan.updates if c.row_number not in bad_rows]
    outcome.created, outcome.updated = len(creates), len(updates)
    # Missing from the feed: marked stale (never deleted); back in the feed: no longer stale. A row the feed has but
    # we skipped still names its GPU: it is not missing.
    present = plan.slugs | {r.get("slug") or gpu_slug(r.get("vendor", ""), r.get("name", "")) for r in rows}
    gone = GPU.objects.filter(stale_since=None).exclude(slug__in=present)
    back = GPU.objects.filter(slug__in=present, stale_since__isnull=False)
    if dry_run:  # the same counts as the real run
        outcome.updated += gone.count() + back.count()
        return outcome
    for gpu in creates:
        gpu.fetched_at, gpu.source = now, gpu.source or f"GPU feed {settings.GPU_FEED_URL}"
    GPU.objects.bulk_create(creates, batch_size=500)
    if updates:
        fields = sorted({name for c in updates for name in c.changes} | {"fetched_at", "stale_since"})
        for c in updates:
            c.gpu.fetched_at, c.gpu.stale_since = now, None
        GPU.objects.bulk_update([c.gpu for c in updates], fields, batch_size=500)
    # Marked stale or back: recorded like any other change (a run's revert clears them too).
    flagged = []
    for gpu in [*gone, *back]:
        flagged.append((gpu, history.snapshot(gpu)))
        gpu.stale_since = None if gpu.stale_since else now
    if flagged:  # only when some GPU changes, so that a run on unchanged data issues no write at all
        GPU.objects.bulk_update([gpu for gpu, _ in flagged], ["stale_since"], batch_size=500)
        outcome.updated += len(flagged)
    # Bulk writes are history too: one record per GPU, channel "refresh", old and new values, with the run.
    written = [*((gpu, None) for gpu in creates), *((c.gpu, c.before) for c in updates), *flagged]
    history.record_bulk(written, via=ChangeRecord.Via.REFRESH)
    return outcome
