"""Refresh the catalog from its upstream sources now (the same code the Celery task runs)."""

from django.core.management.base import BaseCommand, CommandError

from catalog import refresh
from catalog.sources import SourceError


class Command(BaseCommand):
    help = "Refresh catalog data from upstream: the Hugging Face Hub, the GPU feed, the price feed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--source",
            choices=sorted(refresh.SOURCES),
            action="append",
            help="Only this source (repeatable). Default: every enabled source.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Fetch and compare, write nothing.")

    def handle(self, *args, source=None, dry_run=False, **options):
        names = source or [n for n, m in refresh.SOURCES.items() if m.enabled()]
        if not names:
            raise CommandError("No source is enabled: set GPU_FEED_URL, PRICE_FEED_URL or HF_REFRESH_ENABLED.")
        failed = False
        for name in names:
            try:
                run = refresh.run(name, dry_run=dry_run, triggered_by="manage.py refresh_catalog")
            except refresh.AlreadyRunning as exc:
                self.stdout.write(f"{name}: {exc}")
                continue
            except SourceError as exc:
                self.stderr.write(f"{name}: failed: {exc}")
                failed = True
                continue
            self.stdout.write(f"{name}: {run.status}: {run.message}")
            for reason in run.errors[:20]:
                self.stdout.write(f"  skipped {reason}")
            failed |= run.status == run.Status.FAILED
        if failed:
            raise CommandError("At least one source failed; see the refresh runs in the admin.")
