"""Celery tasks of the planner: thin wrappers over planner.lookup."""

from celery import shared_task

from planner import lookup


@shared_task(soft_time_limit=120, time_limit=180)
def lookup_model(lookup_id: str) -> dict:
    """Size one Hub repository someone asked for (a queued HubLookup)."""
    done = lookup.run(lookup_id)
    return {"id": lookup_id, "status": done.status if done else "gone"}
