"""Change history of catalog rows: snapshot → diff → record, and revert to a recorded version.

Admin edits, API writes and CSV imports all go through ``save_with_history`` so every change
says who made it, when, through what, and its old and new values.
"""

import json
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone

from catalog.models import ChangeRecord

# Bookkeeping fields never shown as changes nor restored by a revert.
UNTRACKED = {"admin_edited_at", "locked_fields", "fetched_at"}
_current_run = ContextVar("refresh_run", default=None)


@contextmanager
def recording_run(run):
    """Inside it, bulk records (record_bulk) name ``run``: the refresh run whose writes they are."""
    token = _current_run.set(run)
    try:
        yield
    finally:
        _current_run.reset(token)


def snapshot(obj) -> dict:
    """The row's concrete field values as JSON-safe data (what loaddata would read)."""
    fields = serializers.serialize("python", [obj])[0]["fields"]
    return json.loads(json.dumps(fields, cls=DjangoJSONEncoder))


def diff(before: dict, after: dict) -> dict:
    return {k: [before.get(k), v] for k, v in after.items() if k not in UNTRACKED and before.get(k) != v}


def record(obj, *, before: dict | None, user, via: str, action: str | None = None) -> ChangeRecord | None:
    """Record ``obj``'s change from ``before`` (None: created). Returns None when nothing changed."""
    after = snapshot(obj)
    changes = diff(before or {}, after)
    if before is not None and not changes and action in (None, ChangeRecord.Action.UPDATE):
        return None
    action = action or (ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE)
    return _create_record(obj, action=action, via=via, user=user, changes=changes, after=after)


def _create_record(obj, *, action: str, via: str, user, changes: dict, after: dict) -> ChangeRecord:
    return ChangeRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action=action,
        via=via,
        user=user if user and user.is_authenticated else None,
        changes=changes,
        snapshot=after,
    )


def manual_fields(obj, changes: dict) -> list[str]:
    """Fields an edit set by hand, which the catalog refresh must then leave alone."""
    return [f for f in changes if f in getattr(obj, "LOCKABLE_FIELDS", ())]


@transaction.atomic
def save_with_history(
    obj, *, before: dict | None, user, via: str, action: str | None = None, lock: bool = True
) -> ChangeRecord | None:
    """Save ``obj``; for a GPU edited by hand, lock the fields that changed. Then record the change."""
    if hasattr(obj, "locked_fields") and lock and before is not None:
        changed = manual_fields(obj, diff(before, snapshot(obj)))
        if changed:
            obj.locked_fields = sorted(set(obj.locked_fields) | set(changed))
            if hasattr(obj, "admin_edited_at"):
                obj.admin_edited_at = timezone.now()
    obj.save()
    return record(obj, before=before, user=user, via=via, action=action)


@transaction.atomic
def delete_with_history(obj, *, user, via: str) -> ChangeRecord:
    """Delete ``obj``, keeping a record with its last state (``snapshot``): a hard delete leaves a trace."""
    record = _create_record(obj, action=ChangeRecord.Action.DELETE, via=via, user=user, changes={}, after=snapshot(obj))
    obj.delete()
    return record


def record_bulk(changes: Sequence[tuple[models.Model, dict | None]], *, via: str) -> int:
    """Records for rows written in bulk (a refresh), one per row: (object after the write, its snapshot before;
    None for a new row). Returns how many rows changed."""
    # A refresh runs in a long-lived worker: read the content types afresh rather than trust the process's cache
    # (one query; a database restored or re-seeded under the worker gets new content type ids).
    ContentType.objects.clear_cache()
    records = []
    for obj, before in changes:
        after = snapshot(obj)
        delta = diff(before or {}, after)
        if before is not None and not delta:
            continue
        records.append(
            ChangeRecord(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=str(obj.pk),
                object_repr=str(obj)[:200],
                action=ChangeRecord.Action.CREATE if before is None else ChangeRecord.Action.UPDATE,
                via=via,
                changes=delta,
                snapshot=after,
                run=_current_run.get(),
            )
        )
    ChangeRecord.objects.bulk_create(records, batch_size=500)
    return len(records)


def history_of(obj):
    return ChangeRecord.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))


@transaction.atomic
def revert(obj, change: ChangeRecord, *, user, via: str = ChangeRecord.Via.ADMIN) -> ChangeRecord | None:
    """Restore ``obj``'s tracked fields to the state recorded in ``change``; the revert is itself recorded."""
    if change.content_type != ContentType.objects.get_for_model(obj) or change.object_id != str(obj.pk):
        raise ValueError("That version belongs to another object.")
    before = snapshot(obj)
    data = {"model": obj._meta.label_lower, "pk": obj.pk, "fields": change.snapshot}
    restored = next(serializers.deserialize("python", [data])).object
    for f in obj._meta.concrete_fields:
        if f.name in change.snapshot and f.name not in UNTRACKED and not f.primary_key:
            setattr(obj, f.attname, getattr(restored, f.attname))
    return save_with_history(obj, before=before, user=user, via=via, action=ChangeRecord.Action.REVERT)


def unlock(obj, fields: list[str], *, user, via: str = ChangeRecord.Via.ADMIN) -> ChangeRecord | None:
    """Let the refresh update ``fields`` again; recorded as an unlock."""
    fields = [f for f in fields if f in obj.locked_fields]
    if not fields:
        return None
    obj.locked_fields = [f for f in obj.locked_fields if f not in fields]
    obj.save(update_fields=["locked_fields"])
    return _create_record(
        obj,
        action=ChangeRecord.Action.UNLOCK,
        via=via,
        user=user,
        after=snapshot(obj),
        changes={"locked_fields": [sorted(set(obj.locked_fields) | set(fields)), obj.locked_fields]},
    )


@transaction.atomic
def revert_run(run, *, user) -> tuple[int, list[str]]:
    """Undo what a refresh run wrote, newest record first: each changed field goes back to its old value and each
    GPU it created is deleted, each step recorded (via admin). A row edited since the run keeps its newer state:
    it is listed as a conflict rather than overwritten, as is a GPU the run created that now has measurements
    (deleting it would delete them). The revert's own records name the run, so reverting an older run next does
    not mistake them for later edits. Returns (rows reverted, conflicts)."""
    from catalog.models import GPU

    todo, conflicts = [], []
    writes = run.changes.filter(action__in=[ChangeRecord.Action.CREATE, ChangeRecord.Action.UPDATE])
    for change in writes.select_related("content_type").order_by("-pk"):  # decide first, then write
        obj = GPU.objects.filter(pk=change.object_id).first() if change.content_type.model == "gpu" else None
        if obj is None:
            conflicts.append(f"{change.object_repr}: no longer in the catalog")
        elif (
            history_of(obj)
            .filter(pk__gt=change.pk)
            .exclude(run=run)  # edits since, not this run's
            .exclude(run__reverted_at__isnull=False)
            .exists()
        ):  # (writes of runs reverted since are undone)
            conflicts.append(f"{change.object_repr}: changed since the run; left as it is")
        elif change.action == ChangeRecord.Action.CREATE and obj.measurements.exists():
            conflicts.append(f"{change.object_repr}: created by the run but has measurements now; left as it is")
        else:
            todo.append((change, obj))
    for change, obj in todo:
        if change.action == ChangeRecord.Action.CREATE:
            deleted = delete_with_history(obj, user=user, via=ChangeRecord.Via.ADMIN)
            ChangeRecord.objects.filter(pk=deleted.pk).update(run=run)  # the revert's records belong to the run
            continue
        obj.refresh_from_db()
        before = snapshot(obj)
        data = {
            "model": obj._meta.label_lower,
            "pk": obj.pk,
            "fields": {**before, **{name: pair[0] for name, pair in change.changes.items()}},
        }
        restored = next(serializers.deserialize("python", [data])).object
        for name in change.changes:
            field = obj._meta.get_field(name)
            assert isinstance(field, models.Field)  # a change record names concrete fields only (snapshot)
            setattr(obj, field.attname, getattr(restored, field.attname))
        undo = save_with_history(
            obj, before=before, user=user, via=ChangeRecord.Via.ADMIN, action=ChangeRecord.Action.REVERT, lock=False
        )
        if undo:
            ChangeRecord.objects.filter(pk=undo.pk).update(run=run)
    reverted = len(todo)
    run.reverted_at = timezone.now()
    run.save(update_fields=["reverted_at"])
    return reverted, conflicts
