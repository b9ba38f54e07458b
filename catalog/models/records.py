"""What happened to the catalog: change records, refresh runs, CSV imports and Hub lookups."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from .llm import LLM


class ChangeRecord(models.Model):
    """One change to a catalog row, by whom, through what, with old and new values per field.

    ``snapshot`` is the row's editable state after the change, so an admin can revert to it.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DEACTIVATE = "deactivate", "Deactivated"
        REVERT = "revert", "Reverted"
        UNLOCK = "unlock", "Unlocked fields"
        DELETE = "delete", "Deleted"

    class Via(models.TextChoices):
        ADMIN = "admin", "Admin"
        API = "api", "API"
        CSV = "csv", "CSV import"
        REFRESH = "refresh", "Catalog refresh"

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    action = models.CharField(max_length=12, choices=Action.choices)
    via = models.CharField(max_length=8, choices=Via.choices)
    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [old, new]}")
    snapshot = models.JSONField(default=dict, blank=True)
    run = models.ForeignKey(
        "catalog.RefreshRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="changes",
        help_text="The refresh run that wrote it (channel refresh).",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="change_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()} {self.object_repr} ({self.get_via_display()})"


class RefreshRunQuerySet(models.QuerySet):
    def running(self):
        return self.filter(status=RefreshRun.Status.RUNNING)


class RefreshRun(models.Model):
    """One catalog refresh of one source: when, how it ended, what it wrote and what it skipped (``changes``: one
    record per row it wrote, which history.revert_run undoes).

    At most one run per source is ``running`` (a partial unique constraint: the atomic claim that
    keeps two workers from refreshing the same source at once)."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    source = models.CharField(max_length=20, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    dry_run = models.BooleanField(default=False)
    triggered_by = models.CharField(max_length=60, blank=True)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="Skipped records and their reasons.")
    message = models.TextField(blank=True, help_text="Why the run failed, or a summary.")
    reverted_at = models.DateTimeField(null=True, blank=True, help_text="When an admin reverted what it wrote.")

    objects = RefreshRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=Q(status="running"), name="refresh_one_running_per_source"
            ),
        ]

    def __str__(self):
        return f"{self.source} {self.get_status_display().lower()} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def wrote(self) -> int:
        return self.created + self.updated


class CSVImport(models.Model):
    """A GPU CSV upload, kept server-side between its preview and its confirmation (nothing is posted back), and
    applied by a Celery task when large (catalog/gpu_csv.py: run_import), all or nothing."""

    class Status(models.TextChoices):
        PREVIEWED = "previewed", "Previewed"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Writing"
        DONE = "done", "Imported"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    file_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(help_text="The uploaded CSV (cleared once imported).")
    uploaded_by = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEWED)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, help_text="Why it failed, or a summary.")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "CSV import"

    def __str__(self):
        return f"{self.file_name or 'CSV'} ({self.get_status_display().lower()})"

    @property
    def in_progress(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class HubLookup(models.Model):
    """A user's request to size a Hugging Face repository outside the catalog, and its outcome.

    One row per repository (``key``, the repo id in lower case): a second request while the first is queued or
    running joins it, and a finished lookup is reused until it is older than settings.HUB_LOOKUP_MAX_AGE_S.
    The model it creates is provisional (``LLM.reviewed`` off) until staff promote it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.CharField(max_length=200, unique=True, help_text="The repository id in lower case.")
    repo_id = models.CharField("Hugging Face repo id", max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    message = models.TextField(blank=True, help_text="Why it failed, or what the model page can and cannot size.")
    llm = models.ForeignKey(LLM, null=True, blank=True, on_delete=models.SET_NULL, related_name="hub_lookups")
    files = models.JSONField(default=list, blank=True, help_text="The Hub files and API calls the lookup read.")
    requests = models.PositiveIntegerField(default=1, help_text="How many times users asked for it.")
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Hub lookup"
        ordering = ["-requests", "-queued_at"]

    def __str__(self):
        return f"{self.repo_id} ({self.get_status_display().lower()})"

    @property
    def pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
