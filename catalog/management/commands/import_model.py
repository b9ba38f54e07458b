"""Import a new model from the Hugging Face Hub by its repo id."""

from django.core.management.base import BaseCommand, CommandError

from catalog import refresh
from catalog.sources import SourceError


class Command(BaseCommand):
    help = "Create a catalog model (and its GGUF quantizations) from the Hub: import_model <repo_id>."

    def add_arguments(self, parser):
        parser.add_argument("repo_id")
        parser.add_argument("--gguf-repo", help="A repo of GGUF files for it (default: the repo itself).")

    def handle(self, *args, repo_id, gguf_repo=None, **options):
        try:
            llm = refresh.import_model(repo_id, gguf_repo)
        except SourceError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Imported {llm.name} ({llm.slug}) with {llm.quantizations.count()} quantizations.")
