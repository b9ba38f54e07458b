"""Any Hugging Face model, sized on demand: a user names a repository, a Celery task reads its metadata from the
Hub (catalog.sources.hf_hub.fetch_lookup), builds the model with the catalog's own config parser, checks that the
engine can size it, and saves it as a provisional model (``LLM.reviewed`` off) with a page like any other.

One HubLookup row per repository: ``request`` creates it or joins the one in flight, and only the request that
moves a row back to ``queued`` sends a task, so concurrent requests for one repository start one task. A finished
lookup is reused for settings.HUB_LOOKUP_MAX_AGE_S (then refreshed in the background while its page stays up), a
failed one for settings.HUB_LOOKUP_RETRY_FAILED_S; a job queued or running longer than settings.HUB_LOOKUP_STALE_S
is taken to be lost (its worker died) and queued again.
"""

import hashlib
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Value
from django.db.models.functions import Lower, StrIndex, Substr
from django.utils import timezone

from catalog.cache import bump_catalog_version
from catalog.models import LLM, HubLookup
from catalog.sources import SourceError, hf_hub
from catalog.sources.hf_hub import LookupFailed
from planner import sizing, specs
from planner.engine.types import EngineError, Runtime, Workload

log = logging.getLogger(__name__)
Status = HubLookup.Status


def catalog_model(repo_id: str) -> LLM | None:
    """The reviewed catalog model a repository (its own, or its GGUF repository) is, if any."""
    return LLM.objects.reviewed().filter(Q(hf_repo_id__iexact=repo_id) | Q(gguf_repo__iexact=repo_id)).first()


def _lost(lookup: HubLookup, now) -> bool:
    """A job queued or running for longer than any lookup takes: its worker died or no worker is listening."""
    since = lookup.started_at if lookup.status == Status.RUNNING and lookup.started_at else lookup.queued_at
    return lookup.pending and since < now - timedelta(seconds=settings.HUB_LOOKUP_STALE_S)


def current(lookup: HubLookup) -> HubLookup:
    """The lookup as a poller should see it: a lost job is reported failed (asking again queues a new one)."""
    # Dated when it was asked, not now, so that asking again retries at once.
    if _lost(lookup, timezone.now()) and HubLookup.objects.filter(
        pk=lookup.pk, status=lookup.status, queued_at=lookup.queued_at
    ).update(
        status=Status.DONE if lookup.llm_id else Status.FAILED,
        finished_at=lookup.queued_at,
        message="The lookup stopped without an answer (its worker was lost). Ask again to retry.",
    ):
        lookup.refresh_from_db()
    return lookup


def _due(lookup: HubLookup, now) -> bool:
    """Whether a lookup should run (again) rather than answer as it stands."""
    if lookup.pending:
        return _lost(lookup, now)
    age = now - (lookup.finished_at or lookup.queued_at)
    if lookup.status == Status.FAILED:
        return age > timedelta(seconds=settings.HUB_LOOKUP_RETRY_FAILED_S)
    return lookup.llm_id is None or age > timedelta(seconds=settings.HUB_LOOKUP_MAX_AGE_S)


def request(repo_id: str, *, by_user: bool = True) -> tuple[HubLookup | None, LLM | None]:
    """Ask for a repository: (the lookup, or None for a catalog model; the model when there is one to show now).
    ``by_user`` off (discovery) leaves the lookup's request count alone."""
    model = catalog_model(repo_id)
    if model is not None:
        return None, model
    now = timezone.now()
    try:
        with transaction.atomic():
            lookup, created = HubLookup.objects.get_or_create(
                key=repo_id.lower(), defaults={"repo_id": repo_id, "requests": int(by_user)}
            )
    except IntegrityError:  # another request created it between our read and our insert: join that one
        lookup, created = HubLookup.objects.get(key=repo_id.lower()), False
    if not created:
        HubLookup.objects.filter(pk=lookup.pk).update(requests=F("requests") + int(by_user))
        if _due(lookup, now):
            # Only the request that moves the row from the state it read sends the task.
            created = (
                HubLookup.objects.filter(pk=lookup.pk, status=lookup.status, queued_at=lookup.queued_at).update(
                    status=Status.QUEUED, queued_at=now, started_at=None
                )
                == 1
            )
    if created:
        _send(lookup.pk)
    lookup.refresh_from_db()
    return lookup, lookup.llm  # a model looked up before keeps its page while it is refreshed


def _send(lookup_id) -> None:
    """Queue the task once the row it reads is committed."""
    transaction.on_commit(lambda: _queue(lookup_id))


def _queue(lookup_id) -> None:
    from planner.tasks import lookup_model

    try:
        lookup_model.apply_async((str(lookup_id),), queue=settings.HUB_LOOKUP_QUEUE or None)
    except Exception as exc:  # the broker is down: say so rather than leave a job nobody will run
        log.exception("could not queue lookup %s", lookup_id)
        HubLookup.objects.filter(pk=lookup_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            message=f"The lookup queue is not reachable right now ({exc.__class__.__name__}). Try again shortly.",
        )


def _finish(lookup: HubLookup, status: str, message: str, **fields) -> None:
    """Record the outcome, unless the job was meanwhile declared lost and queued again (then the newer run's
    outcome is the one that counts). A refresh that fails keeps the model it found before, and says so."""
    if status == Status.FAILED and lookup.llm_id:
        status, message = Status.DONE, f"The latest refresh failed ({message}); the page shows what was read before."
    HubLookup.objects.filter(pk=lookup.pk, status=Status.RUNNING, started_at=lookup.started_at).update(
        status=status, message=message[:2000], finished_at=timezone.now(), **fields
    )


def check(llm: LLM) -> str:
    """What the model page will be able to show, or LookupFailed when the engine cannot size the design."""
    if llm.unsupported_reason:
        return f"Facts only: the sizing engine does not support {llm.unsupported_reason} yet."
    try:
        rows = sizing.quant_rows(llm, Workload(context=specs.default_context(llm)), Runtime())
    except EngineError as exc:
        raise LookupFailed(f"The sizing engine cannot size {llm.hf_repo_id} yet: {exc.message}") from exc
    published = sum(1 for row in rows if row.file_exact)
    return f"Sized in {len(rows)} GGUF formats" + (
        f", {published} of them from published file sizes."
        if published
        else "; no GGUF file was found, so every size is computed from the per-tensor recipes."
    )


def run(lookup_id) -> HubLookup | None:
    """Do one queued lookup (the Celery task's body). Never raises for a repository's sake: a failure is
    recorded on the lookup with its reason."""
    if not HubLookup.objects.filter(pk=lookup_id, status=Status.QUEUED).update(
        status=Status.RUNNING, started_at=timezone.now()
    ):
        return HubLookup.objects.filter(pk=lookup_id).first()  # taken by another worker, or gone
    lookup = HubLookup.objects.get(pk=lookup_id)
    try:
        found = hf_hub.fetch_lookup(lookup.repo_id)
        model = catalog_model(found.config_repo)
        if model is not None:
            _finish(
                lookup,
                Status.DONE,
                f"{found.repo_id} is {model.name} in the catalog.",
                llm=model,
                files=found.files,
                repo_id=found.repo_id,
            )
        else:
            llm, message = _save(found)
            _finish(lookup, Status.DONE, message, llm=llm, files=found.files, repo_id=found.repo_id)
    except LookupFailed as exc:
        _finish(lookup, Status.FAILED, str(exc))
    except Exception as exc:  # a bug of ours: record it, never leave the job "running"
        log.exception("lookup of %s failed", lookup.repo_id)
        _finish(lookup, Status.FAILED, f"The lookup failed on our side ({exc.__class__.__name__}); it has been logged.")
    return HubLookup.objects.get(pk=lookup.pk)


def _save(found: hf_hub.Lookup) -> tuple[LLM, str]:
    """Save the provisional model and check the engine sizes it, in one transaction; then tell every cache (the
    save's own version bump happened inside the transaction, where another request could rebuild a snapshot
    without the model under the new version)."""
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                existing = LLM.objects.filter(hf_repo_id__iexact=found.config_repo, reviewed=False).first()
                llm = hf_hub.save_model(found, reviewed=False, existing=existing)
                message = check(llm)
            break
        except IntegrityError:  # a lookup of the same model under another name (its GGUF repo) saved it first
            if attempt == 2:
                raise
    bump_catalog_version()
    return llm, message


def discover(per_author: int = 5, authors: int = 20) -> list[str]:
    """Queue lookups of new popular text-generation repositories from the developers whose models the catalog
    carries most (their Hub organisations), for staff to review; returns the repositories queued. A developer
    the Hub does not answer for is skipped."""
    owner = Lower(Substr("hf_repo_id", 1, StrIndex("hf_repo_id", Value("/")) - 1))
    owners = (
        LLM.objects.reviewed()
        .annotate(owner=owner)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner")[:authors]
    )
    known = set(HubLookup.objects.values_list("key", flat=True))
    queued = []
    for row in owners:
        try:
            repos = hf_hub.popular_repos(row["owner"], per_author)
        except SourceError as exc:
            log.warning("discovery: %s", exc)
            continue
        for repo in repos:
            if repo.lower() not in known and catalog_model(repo) is None:
                request(repo, by_user=False)
                known.add(repo.lower())
                queued.append(repo)
    return queued


def from_config(config) -> tuple[HubLookup, LLM]:
    """Size a config.json a user pasted (no network): the same parser and checks as a repository's, at once.
    The same config (as JSON, keys sorted) always gives the same model page. Raises LookupFailed."""
    if not isinstance(config, dict):
        raise LookupFailed('A config.json is a JSON object, like {"num_hidden_layers": 32, …}.')
    digest = hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]
    repo = f"{LLM.PASTED}{digest}"
    done = HubLookup.objects.filter(key=f"config:{digest}", llm__isnull=False).select_related("llm").first()
    if done is not None and done.llm is not None:  # (the filter asks for an llm: this only tells mypy)
        HubLookup.objects.filter(pk=done.pk).update(requests=F("requests") + 1)
        return done, done.llm
    found = hf_hub.Lookup(
        repo_id=repo, config_repo=repo, info={"id": repo}, config=config, files=["a config.json pasted by a user"]
    )
    try:
        with transaction.atomic():
            llm = hf_hub.save_model(found, reviewed=False, source=f"A config.json pasted on {timezone.localdate()}")
            message = check(llm)
            pasted, _ = HubLookup.objects.update_or_create(
                key=f"config:{digest}",
                defaults={
                    "repo_id": repo,
                    "status": Status.DONE,
                    "llm": llm,
                    "message": message,
                    "files": found.files,
                    "started_at": timezone.now(),
                    "finished_at": timezone.now(),
                },
            )
    except IntegrityError:  # the same config pasted twice at once: the other request saved it
        other = HubLookup.objects.select_related("llm").filter(key=f"config:{digest}", llm__isnull=False).first()
        if other is None or other.llm is None:
            raise LookupFailed("This config was being saved by another request; send it again.") from None
        return other, other.llm
    except LookupFailed:
        raise
    except Exception as exc:  # a bug of ours: a clear answer, and the traceback in the log
        log.exception("pasted config failed")
        raise LookupFailed(
            f"Sizing this config failed on our side ({exc.__class__.__name__}); it has been logged."
        ) from exc
    bump_catalog_version()
    return pasted, llm
