from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class CatalogConfig(AppConfig):
    name = "catalog"
    verbose_name = "Catalog"

    def ready(self):
        from django.core import signals

        from catalog import cache, models
        from catalog.cache import bump_catalog_version

        for model in (
            models.GPU,
            models.LLM,
            models.ModelQuant,
            models.QuantFormat,
            models.BenchmarkScore,
            models.Measurement,
        ):
            post_save.connect(bump_catalog_version, sender=model, dispatch_uid=f"bump-{model.__name__}-save")
            post_delete.connect(bump_catalog_version, sender=model, dispatch_uid=f"bump-{model.__name__}-delete")
        m2m_changed.connect(bump_catalog_version, sender=models.LLM.tags.through, dispatch_uid="bump-llm-tags")
        # The catalog version is read once per request (catalog/cache.py).
        signals.request_started.connect(cache.request_started, dispatch_uid="catalog-version-request-started")
        signals.request_finished.connect(cache.request_finished, dispatch_uid="catalog-version-request-finished")
