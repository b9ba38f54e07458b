"""GPU rows as CSV: the columns of ../shared/data/gpus.csv (plus slug, street price, tensor rate and
active), used by the admin's export/import and by the GPU feed of the catalog refresh.

``parse_row`` turns one CSV row into GPU field values or row errors; ``plan_changes`` compares
parsed rows with the catalog (create / update / unchanged) without writing anything.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from catalog.constraints import constraint_errors
from catalog.history import save_with_history, snapshot
from catalog.models import GIB, GPU, ChangeRecord, CSVImport
from catalog.seed_data import gpu_slug

COLUMNS = [
    "slug",
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
    "tensor_fp16_tflops",
    "tensor_fp16acc_tflops",
    "tensor_fp8_tflops",
    "tensor_int8_tops",
    "compute_units",
    "tdp_w",
    "launch_price_usd",
    "street_price_usd",
    "street_price_observed_at",
    "availability",
    "segment",
    "is_active",
    "source",
]
REQUIRED = ("vendor", "name", "memory_gb", "segment")
# CSV column -> (model field, parser)
_NUMERIC = {
    "memory_bus_bits": ("bus_width_bits", int),
    "bandwidth_gbs": ("bandwidth_gbs", float),
    "fp16_tflops": ("fp16_tflops", float),
    "fp32_tflops": ("fp32_tflops", float),
    "tensor_fp16_tflops": ("tensor_fp16_tflops", float),
    "tensor_fp16acc_tflops": ("tensor_fp16acc_tflops", float),
    "tensor_fp8_tflops": ("tensor_fp8_tflops", float),
    "tensor_int8_tops": ("tensor_int8_tops", float),
    "compute_units": ("compute_units", int),
    "tdp_w": ("tdp_w", int),
}
_TEXT = {"vendor": 20, "name": 120, "architecture": 40, "memory_type": 20}


class CSVFormatError(ValueError):
    """The file as a whole is unreadable (encoding, header)."""


# OWASP "CSV Injection": a cell starting with one of these is a formula to a spreadsheet. Export prefixes it with
# a quote, which spreadsheets show as text; import takes that quote off again, so a round trip changes nothing.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
EXTRA = "\x00extra"  # DictReader's key for the cells a row has beyond the header


def _cell(value: str) -> str:
    value = value.strip()
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_START) else value


def read(text: str) -> list[dict]:
    """The rows of a GPU CSV as {column: text}. A row with more cells than the header keeps them under EXTRA, for
    parse_row to report with its row number; a file-wide problem (header, a cell past the CSV module's limit) is a
    CSVFormatError."""
    reader = csv.DictReader(io.StringIO(text), restkey=EXTRA)
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        duplicated = sorted({c for c in header if header.count(c) > 1})
        if duplicated:
            raise CSVFormatError(f"Column(s) given twice: {', '.join(duplicated)}.")
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise CSVFormatError(f"Missing column(s): {', '.join(missing)}. Expected: {', '.join(COLUMNS)}.")
        unknown = [c for c in header if c not in COLUMNS]
        if unknown:
            raise CSVFormatError(f"Unknown column(s): {', '.join(unknown)}. Expected: {', '.join(COLUMNS)}.")
        return [
            {(k or "").strip() if k != EXTRA else EXTRA: v if k == EXTRA else _cell(v or "") for k, v in row.items()}
            for row in reader
        ]
    except csv.Error as exc:  # e.g. a cell longer than the csv module's 131,072-character field limit
        raise CSVFormatError(f"Line {reader.line_num + 1}: {exc}.") from exc


def _number(value: str, kind):
    if value == "":
        return None
    number = float(value)
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError
    if kind is int:
        if number != int(number):
            raise ValueError
        return int(number)
    return number


def _decimal(value: str):
    if value == "":
        return None
    number = Decimal(value)
    if not number.is_finite():
        raise InvalidOperation
    return number.quantize(Decimal("0.01"))


def parse_row(row: dict) -> tuple[dict, list[str]]:
    """GPU field values from one row (only the columns present), and "column: message" errors."""
    values, errors = {}, []
    if EXTRA in row:
        return {}, [f"row: {len(row[EXTRA])} more cell(s) than the header has columns"]
    bad = [c for c, v in row.items() if "\x00" in (v or "") or "\x00" in (c or "")]
    if bad:
        return {}, [f"{bad[0] or 'header'}: contains a NUL character"]
    for column in REQUIRED:
        if not row.get(column):
            errors.append(f"{column}: required")
    for column, limit in _TEXT.items():
        if column in row:
            if len(row[column]) > limit:
                errors.append(f"{column}: at most {limit} characters")
            values[column] = row[column]
    if row.get("memory_gb"):
        try:
            gb = _number(row["memory_gb"], float)
            if gb is None or gb <= 0:
                raise ValueError
            values["memory_bytes"] = round(gb * GIB)
        except ValueError:
            errors.append(f"memory_gb: {row['memory_gb']!r} is not a positive number")
    for column, (name, kind) in _NUMERIC.items():
        if column in row:
            try:
                values[name] = _number(row[column], kind)
            except ValueError:
                errors.append(f"{column}: {row[column]!r} is not a{'n integer' if kind is int else ' number'}")
    for column in ("launch_price_usd", "street_price_usd"):
        if column in row:
            try:
                values[column] = _decimal(row[column])
            except (InvalidOperation, ValueError):
                errors.append(f"{column}: {row[column]!r} is not a price")
    for column in ("release_date", "street_price_observed_at"):
        if column in row and row[column]:
            text = row[column]
            try:
                values[column] = (
                    date(int(text), 1, 1) if text.isdigit() and len(text) == 4 else date.fromisoformat(text)
                )
                if column == "release_date":
                    values["release_year_only"] = len(text) == 4
            except ValueError:
                errors.append(f"{column}: {text!r} is not a date (YYYY-MM-DD or YYYY)")
        elif column in row:
            values[column] = None
    if "segment" in row:
        if row["segment"] not in GPU.Segment.values:
            errors.append(f"segment: {row['segment']!r} is not one of {', '.join(GPU.Segment.values)}")
        values["segment"] = row["segment"]
    if row.get("availability"):  # blank: unchanged (a new GPU is sold as a card or a computer)
        if row["availability"] not in GPU.Availability.values:
            errors.append(f"availability: {row['availability']!r} is not one of {', '.join(GPU.Availability.values)}")
        values["availability"] = row["availability"]
    if row.get("is_active"):
        flag = row["is_active"].lower()
        if flag not in {"true", "false", "1", "0", "yes", "no"}:
            errors.append(f"is_active: {row['is_active']!r} is not true/false")
        values["is_active"] = flag in {"true", "1", "yes"}
    if "source" in row:
        values["source"] = row["source"]
    if row.get("slug"):
        values["slug"] = row["slug"]
    elif not errors:
        values["slug"] = gpu_slug(row["vendor"], row["name"])
    return values, errors


def to_row(gpu: GPU) -> dict:
    def text(value):
        return "" if value is None else str(value)

    release = gpu.release_date.year if (gpu.release_date and gpu.release_year_only) else gpu.release_date
    return {
        "slug": gpu.slug,
        "vendor": gpu.vendor,
        "name": gpu.name,
        "architecture": gpu.architecture,
        "release_date": text(release),
        "memory_gb": f"{gpu.memory_bytes / GIB:g}",
        "memory_type": gpu.memory_type,
        "memory_bus_bits": text(gpu.bus_width_bits),
        "bandwidth_gbs": text(gpu.bandwidth_gbs),
        "fp16_tflops": text(gpu.fp16_tflops),
        "fp32_tflops": text(gpu.fp32_tflops),
        "tensor_fp16_tflops": text(gpu.tensor_fp16_tflops),
        "tensor_fp16acc_tflops": text(gpu.tensor_fp16acc_tflops),
        "tensor_fp8_tflops": text(gpu.tensor_fp8_tflops),
        "tensor_int8_tops": text(gpu.tensor_int8_tops),
        "compute_units": text(gpu.compute_units),
        "tdp_w": text(gpu.tdp_w),
        "launch_price_usd": text(gpu.launch_price_usd),
        "street_price_usd": text(gpu.street_price_usd),
        "street_price_observed_at": text(gpu.street_price_observed_at),
        "availability": gpu.availability,
        "segment": gpu.segment,
        "is_active": "true" if gpu.is_active else "false",
        "source": gpu.source,
    }


def write(gpus) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for gpu in gpus:
        writer.writerow(
            {k: "'" + v if isinstance(v, str) and v.startswith(FORMULA_START) else v for k, v in to_row(gpu).items()}
        )
    return out.getvalue()


@dataclass
class Change:
    row_number: int
    gpu: GPU  # unsaved, with the new values applied
    changes: dict  # field -> [old, new]; every field for a new GPU
    before: dict | None = None  # history snapshot before the change (None: new)


@dataclass
class ChangePlan:
    creates: list[Change] = field(default_factory=list)
    updates: list[Change] = field(default_factory=list)
    unchanged: int = 0
    skipped_locked: int = 0  # field values left alone because an admin locked them
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, message)
    slugs: set[str] = field(default_factory=set)  # every GPU the rows name

    @property
    def ok(self) -> bool:
        return not self.errors


def _plain(value):
    return value.isoformat() if isinstance(value, date) else (str(value) if isinstance(value, Decimal) else value)


def plan_changes(rows: list[dict], *, respect_locks: bool = False, first_row_number: int = 2) -> ChangePlan:
    """Compare rows with the catalog (one query). Row numbers count the header as row 1.
    With ``respect_locks`` (the refresh), locked fields are kept and counted as skipped, a blank cell is the
    feed not knowing a figure (it never erases one the catalog holds with its source), and a source the stored one
    extends (the seed appends the citation of each figure it added: prices, tensor rates, units) is no change."""
    plan = ChangePlan()
    parsed = []
    for number, row in enumerate(rows, start=first_row_number):
        values, errors = parse_row(row)
        plan.errors.extend((number, e) for e in errors)
        parsed.append((number, values))
    slugs = [v["slug"] for _, v in parsed if v.get("slug")]
    plan.slugs = set(slugs)
    seen = set()
    for number, values in parsed:
        slug = values.get("slug")
        if slug and slug in seen:
            plan.errors.append((number, f"slug: {slug!r} appears twice in the file"))
        seen.add(slug)
    existing = GPU.objects.in_bulk(slugs, field_name="slug")
    for number, values in parsed:
        if not values.get("slug"):
            continue
        gpu = existing.get(values["slug"])
        before = None
        if gpu is None:
            gpu = GPU(**values)
            changes = {k: [None, _plain(v)] for k, v in values.items()}
            target = plan.creates
        else:
            before = snapshot(gpu)
            changes = {}
            for name, value in values.items():
                old = getattr(gpu, name)
                if old == value or (isinstance(old, float) and value is not None and abs(old - value) < 1e-9):
                    continue
                if respect_locks and (value in (None, "") or (name == "source" and old.startswith(value + " | "))):
                    continue
                if respect_locks and gpu.is_locked(name):
                    plan.skipped_locked += 1
                    continue
                changes[name] = [_plain(old), _plain(value)]
                setattr(gpu, name, value)
            target = plan.updates
        if target is plan.updates and not changes:
            plan.unchanged += 1  # the stored row passed validation when it was written
            continue
        try:
            gpu.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                plan.errors.append((number, f"{name}: {' '.join(messages)}"))
            continue
        broken = constraint_errors(gpu)
        if broken:
            plan.errors.extend((number, message) for message in broken)
        else:
            target.append(Change(number, gpu, changes, None if target is plan.creates else before))
    plan.errors.sort()
    return plan


@transaction.atomic
def apply(plan: ChangePlan, *, user, via: str, progress=None) -> None:
    """Write a checked plan, each change with its history record; all or nothing. ``progress(n)`` hears how many
    rows are written, every PROGRESS_EVERY."""
    if not plan.ok:
        raise ValueError("A plan with errors is never applied.")
    for n, change in enumerate([*plan.creates, *plan.updates], start=1):
        save_with_history(change.gpu, before=change.before, user=user, via=via)
        if progress and (n % PROGRESS_EVERY == 0 or n == len(plan.creates) + len(plan.updates)):
            progress(n)


PROGRESS_EVERY = 200


def progress_key(import_id) -> str:
    """Where a running import's written-row count lives (the cache: the import's own transaction hides it)."""
    return f"csv-import-progress:{import_id}"


def start_import(imp: CSVImport) -> bool:
    """Confirm a previewed upload: a small file is written now, a large one (over CSV_IMPORT_INLINE_ROWS rows to
    write) by a Celery task once this request's transaction commits, so no request waits on it. False: another
    request confirmed it first."""
    from catalog.tasks import import_gpus_csv

    # One confirmation wins (a double click posts twice): the claim is a conditional update, not a read then a save.
    if not CSVImport.objects.filter(pk=imp.pk, status=CSVImport.Status.PREVIEWED).update(
        status=CSVImport.Status.QUEUED
    ):
        return False
    if imp.created + imp.changed <= settings.CSV_IMPORT_INLINE_ROWS:
        run_import(imp.pk)
    else:
        transaction.on_commit(lambda: import_gpus_csv.delay(str(imp.pk)))
    return True


def run_import(import_id) -> CSVImport:
    """Apply a confirmed upload from its stored text: re-checked against the catalog as it is now, written in one
    transaction with history (channel CSV), or failed with the reason and nothing written. A run that finds the
    import no longer queued (a redelivered task) leaves it alone."""
    # A long-lived worker: read the content types afresh (as history.record_bulk does for the refresh).
    ContentType.objects.clear_cache()
    claimed = CSVImport.objects.filter(pk=import_id, status=CSVImport.Status.QUEUED).update(
        status=CSVImport.Status.RUNNING
    )
    imp = CSVImport.objects.get(pk=import_id)
    if not claimed:
        return imp
    try:
        plan = plan_changes(read(imp.text))
        if not plan.ok:
            row, message = plan.errors[0]
            raise ValueError(
                f"the catalog changed since the preview: row {row}: {message}"
                + (f" (and {len(plan.errors) - 1} more)" if len(plan.errors) > 1 else "")
            )
        apply(
            plan,
            user=imp.uploaded_by,
            via=ChangeRecord.Via.CSV,
            progress=lambda n: cache.set(progress_key(imp.pk), n, 3600),
        )
    except Exception as exc:  # noqa: BLE001 - any failure is the import's outcome, recorded; nothing was written
        imp.status, imp.message = CSVImport.Status.FAILED, f"Nothing was written: {exc}"
    else:
        imp.status, imp.text = CSVImport.Status.DONE, ""
        imp.created, imp.changed, imp.unchanged = len(plan.creates), len(plan.updates), plan.unchanged
        imp.message = f"{imp.created} created, {imp.changed} changed, {imp.unchanged} unchanged."
    imp.finished_at = timezone.now()
    imp.save()
    return imp


def give_up_if_lost(imp: CSVImport) -> CSVImport:
    """An import queued or writing for longer than a task may run never finished (no worker, a killed task, a
    failed enqueue): say so instead of showing it in progress forever. Nothing was written (all or nothing)."""
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    if imp.in_progress and timezone.now() - imp.created_at > limit:
        lost = CSVImport.objects.filter(pk=imp.pk, status__in=[CSVImport.Status.QUEUED, CSVImport.Status.RUNNING])
        lost.update(
            status=CSVImport.Status.FAILED,
            finished_at=timezone.now(),
            message="Nothing was written: no worker finished this import in time. Upload the file again.",
        )
        imp.refresh_from_db()
    return imp
