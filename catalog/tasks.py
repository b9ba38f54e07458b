"""Celery tasks: thin wrappers over catalog.refresh, which the management command and tests also call."""

from celery import shared_task
from django.conf import settings

from catalog import gpu_csv, refresh
from catalog.sources import TransientSourceError


@shared_task(
    bind=True,
    autoretry_for=(TransientSourceError,),
    retry_backoff=settings.REFRESH_RETRY_BACKOFF_S,
    retry_backoff_max=300,
    retry_jitter=False,
    max_retries=settings.REFRESH_MAX_RETRIES,
    soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT,
    time_limit=settings.CELERY_TASK_TIME_LIMIT,
)
def refresh_source(self, source: str, dry_run: bool = False, triggered_by: str = "schedule") -> dict:
    """Refresh one source. A second trigger while one runs returns {"status": "already running"}."""
    try:
        run = refresh.run(source, dry_run=dry_run, triggered_by=triggered_by)
    except refresh.AlreadyRunning as exc:
        return {"source": source, "status": "already running", "message": str(exc)}
    return {
        "source": source,
        "status": run.status,
        "run": run.pk,
        "created": run.created,
        "updated": run.updated,
        "unchanged": run.unchanged,
        "skipped": run.skipped,
        "message": run.message,
    }


@shared_task(soft_time_limit=settings.CELERY_TASK_SOFT_TIME_LIMIT, time_limit=settings.CELERY_TASK_TIME_LIMIT)
def import_gpus_csv(import_id: str) -> str:
    """Write a confirmed GPU CSV upload (gpu_csv.run_import); returns its status."""
    return gpu_csv.run_import(import_id).status
