"""The price feed: ``PRICE_FEED_URL`` (unset: the source is off) serving current street prices.

Schema (CSV with a header, or JSON: a list of objects with the same keys):
``slug`` (a catalog GPU), ``price_usd`` (≥ 0), ``observed_at`` (YYYY-MM-DD, not in the future),
optional ``source``. A GPU's price keeps its observation date; an older observation never replaces
a newer one; prices an admin locked are left alone.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone

from catalog import history
from catalog.models import GPU, GPU_LIMITS, ChangeRecord
from catalog.sources import Outcome, SourceError, csv_lines, fetch_text, json_rows

NAME = "price_feed"
COLUMNS = ("slug", "price_usd", "observed_at")


def enabled() -> bool:
    return bool(settings.PRICE_FEED_URL)


def fetch() -> tuple[str, str]:
    return fetch_text(settings.PRICE_FEED_URL)


def parse(text: str, content_type: str = "") -> list[dict]:
    if "json" in content_type or text.lstrip().startswith("["):
        return json_rows(text, "Price feed")
    header, *rows = csv_lines(text, "Price feed")
    if any(c not in header for c in COLUMNS):
        raise SourceError(f"Price feed: the header must have {', '.join(COLUMNS)}")
    return [dict(zip(header, (c.strip() for c in row), strict=True)) for row in rows]


def _record(row: dict) -> tuple[str, Decimal, date]:
    slug = row.get("slug", "")
    if "\x00" in slug or len(slug) > 140:
        raise ValueError("slug is not a catalog slug")
    try:
        price = Decimal(row.get("price_usd", ""))
        if not price.is_finite() or price < 0 or price > GPU_LIMITS["street_price_usd"]:
            raise InvalidOperation
    except InvalidOperation:
        raise ValueError(
            f"{slug or '?'}: price_usd {row.get('price_usd')!r} is not a price from 0 to "
            f"{GPU_LIMITS['street_price_usd']:,}"
        ) from None
    try:
        observed = date.fromisoformat(row.get("observed_at", ""))
    except ValueError:
        raise ValueError(f"{slug or '?'}: observed_at {row.get('observed_at')!r} is not a date") from None
    if observed > timezone.localdate():
        raise ValueError(f"{slug}: observed_at {observed} is in the future")
    return slug, price.quantize(Decimal("0.01")), observed


def upsert(rows: list[dict], *, dry_run: bool = False) -> Outcome:
    outcome = Outcome()
    gpus = GPU.objects.in_bulk([r.get("slug", "") for r in rows if "\x00" not in r.get("slug", "")], field_name="slug")
    changed = []
    for number, row in enumerate(rows, start=2):
        try:
            slug, price, observed = _record(row)
        except ValueError as exc:
            outcome.skip(f"row {number}: {exc}")
            continue
        gpu = gpus.get(slug)
        if gpu is None:
            outcome.skip(f"row {number}: unknown GPU {slug!r}")
        elif gpu.is_locked("street_price_usd"):
            outcome.skip(f"row {number}: {slug}: street price locked by an admin")
        elif gpu.street_price_observed_at and observed < gpu.street_price_observed_at:
            outcome.skip(f"row {number}: {slug}: observation {observed} is older than {gpu.street_price_observed_at}")
        elif gpu.street_price_usd == price and gpu.street_price_observed_at == observed:
            outcome.unchanged += 1
        else:
            changed.append((gpu, history.snapshot(gpu)))
            gpu.street_price_usd, gpu.street_price_observed_at = price, observed
    outcome.updated = len(changed)
    if changed and not dry_run:
        GPU.objects.bulk_update(
            [gpu for gpu, _ in changed], ["street_price_usd", "street_price_observed_at"], batch_size=500
        )
        history.record_bulk(changed, via=ChangeRecord.Via.REFRESH)
    return outcome
