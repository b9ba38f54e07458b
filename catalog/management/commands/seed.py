"""Load the seed fixtures into an empty catalog.

A catalog that already has GPUs is left alone (admins' edits and refreshed data win); ``--force``
reloads the fixtures over it (rows matched by natural key, so nothing is duplicated).
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from catalog.cache import bump_catalog_version
from catalog.models import GPU, LLM


class Command(BaseCommand):
    help = "Load fixtures/*.json into an empty catalog (--force: reload over existing rows)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Reload even if the catalog has data.")

    def handle(self, *args, force=False, **options):
        before = (GPU.objects.count(), LLM.objects.count())
        if before[0] and not force:
            self.stdout.write(
                f"catalog: {before[0]} GPUs, {before[1]} LLMs already loaded; nothing to do "
                "(--force reloads the seed over them)"
            )
            return
        files = sorted(str(p) for p in (Path(settings.BASE_DIR) / "fixtures").glob("*.json"))
        call_command("loaddata", *files, verbosity=0)
        bump_catalog_version()
        after = (GPU.objects.count(), LLM.objects.count())
        self.stdout.write(
            f"catalog: {after[0]} GPUs, {after[1]} LLMs "
            f"({after[0] - before[0]} GPUs and {after[1] - before[1]} LLMs added)"
        )
