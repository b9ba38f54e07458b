"""Refreshing the catalog from upstream sources: one run per source at a time, atomic, recorded.

``run(source)`` claims the source (a partial unique index allows one ``running`` row per source, so
the claim is atomic across workers and machines), fetches everything, parses it, and upserts it in a
single transaction: a malformed payload, a timeout or an HTTP error leaves the catalog exactly as it
was and the run is recorded as failed with the reason. Individual bad records are skipped and counted.
Called by the Celery task, the admin's "refresh now", and ``manage.py refresh_catalog``.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog import history
from catalog.cache import bump_catalog_version
from catalog.models import RefreshRun
from catalog.sources import Outcome, SourceError, TransientSourceError, gpu_feed, hf_hub, price_feed

log = logging.getLogger(__name__)
SOURCES = {module.NAME: module for module in (gpu_feed, price_feed, hf_hub)}


class AlreadyRunning(Exception):
    """Another run of this source is in progress: this trigger does nothing."""


class _DryRun(Exception):
    pass


def claim(source: str, *, dry_run: bool = False, triggered_by: str = "") -> RefreshRun:
    """Atomically become the one running refresh of ``source``; runs older than the task time limit
    are taken to be dead (their worker was killed) and are closed as failed first."""
    cutoff = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    RefreshRun.objects.running().filter(source=source, started_at__lt=cutoff).update(
        status=RefreshRun.Status.FAILED, finished_at=timezone.now(), message="Abandoned: its worker stopped."
    )
    try:
        with transaction.atomic():
            return RefreshRun.objects.create(source=source, dry_run=dry_run, triggered_by=triggered_by[:60])
    except IntegrityError:
        raise AlreadyRunning(f"A {source} refresh is already running; this trigger did nothing.") from None


def _finish(run: RefreshRun, status: str, outcome: Outcome | None = None, message: str = "") -> RefreshRun:
    run.status, run.finished_at, run.message = status, timezone.now(), message
    if outcome:
        run.created, run.updated, run.unchanged, run.skipped = (
            outcome.created,
            outcome.updated,
            outcome.unchanged,
            outcome.skipped,
        )
        run.errors = outcome.errors
    run.save()
    return run


def run(source: str, *, dry_run: bool = False, triggered_by: str = "") -> RefreshRun:
    """Refresh one source. Raises AlreadyRunning (nothing recorded) or TransientSourceError (recorded as
    failed; the caller may retry); every other failure is recorded and returned."""
    module = SOURCES.get(source)
    if module is None:
        raise ValueError(f"Unknown source {source!r}; choose from {', '.join(SOURCES)}")
    if not module.enabled():
        raise SourceError(f"The {source} source is off (its URL setting is empty).")
    current = claim(source, dry_run=dry_run, triggered_by=triggered_by)
    try:
        if source == hf_hub.NAME:
            payloads, missing = module.fetch()
            parsed = payloads
        else:
            text, content_type = module.fetch()
            parsed, missing = module.parse(text, content_type), []
        outcome = Outcome()
        try:
            with transaction.atomic(), history.recording_run(current):
                outcome = module.upsert(parsed, dry_run=dry_run)
                for reason in missing:
                    outcome.skip(reason)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
    except TransientSourceError as exc:
        _finish(current, RefreshRun.Status.FAILED, message=f"Transient failure (will retry): {exc}")
        raise
    except SourceError as exc:
        return _finish(current, RefreshRun.Status.FAILED, message=str(exc))
    except Exception as exc:  # a bug or a database error: record it, never leave a run "running"
        log.exception("refresh of %s failed", source)
        return _finish(current, RefreshRun.Status.FAILED, message=f"{exc.__class__.__name__}: {exc}")
    if outcome.wrote and not dry_run:
        bump_catalog_version()  # bulk writes send no signals: invalidate cached pages and API responses
    summary = (
        f"{'Dry run: would write' if dry_run else 'Wrote'} {outcome.created} new, {outcome.updated} changed; "
        f"{outcome.unchanged} unchanged, {outcome.skipped} skipped."
    )
    return _finish(current, RefreshRun.Status.SUCCEEDED, outcome, summary)


def import_model(repo_id: str, gguf_repo: str | None = None):
    """Create a catalog model from the Hub by its repo id (see hf_hub.import_model)."""
    with transaction.atomic():
        llm = hf_hub.import_model(repo_id, gguf_repo)
    bump_catalog_version()
    return llm
