"""Celery tasks of the planner: thin wrappers over planner.lookup."""

from celery import shared_task

from planner import lookup


@shared_task(soft_time_limit=600, time_limit=660)
def discover_models() -> list[str]:
    """Queue new popular repositories of the catalog's developers as provisional models for staff review."""
    return lookup.discover()


@shared_task(soft_time_limit=120, time_limit=180)
def lookup_model(lookup_id: str) -> dict:
    """Size one Hub repository someone asked for (a queued HubLookup)."""
    done = lookup.run(lookup_id)
    return {"id": lookup_id, "status": done.status if done else "gone"}
