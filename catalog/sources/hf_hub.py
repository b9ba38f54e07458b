"""The Hugging Face Hub (``huggingface_hub``; endpoint from ``HF_ENDPOINT``): per catalog model, its
downloads, likes and license (model info), its architecture (config.json), its parameter count
(safetensors metadata), its model card (README.md, without the YAML header), and the exact size of each
GGUF file we list for it (the GGUF repo's files).

``fetch`` gathers everything first (the only network calls); ``parse`` turns a recorded payload into
field values; ``upsert`` writes them inside the run's transaction, leaving locked fields alone.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from huggingface_hub import hf_hub_url
from huggingface_hub.errors import EntryNotFoundError, HfHubHTTPError, RepositoryNotFoundError
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import get_session, hf_raise_for_status

from catalog.constraints import constraint_errors
from catalog.hf_config import architecture_fields, attention_kind, layer_mix
from catalog.models import LLM, ModelQuant, QuantFormat
from catalog.seed_data import llm_slug
from catalog.sources import USER_AGENT, Outcome, SourceError, TransientSourceError

NAME = "hf_hub"

@dataclass
class HubPayload:
    """What the Hub said about one model (recorded payloads in tests have the same shape)."""

    repo_id: str
    info: dict
    config: dict
    gguf_repos: dict = field(default_factory=dict)  # repo id -> model info (with file sizes)
    card: str = ""  # README.md as published ("" when the repository has none)


STATS_SOURCE = "Hugging Face Hub API model info (downloads: last 30 days; likes)"
# Longer cards are cut here: a model card is prose and tables, not a place for megabytes.
CARD_MAX_CHARS = 100_000
FRONT_MATTER = re.compile(r"\A---\s*\n.*?\n---\s*(\n|\Z)", re.DOTALL)


def enabled() -> bool:
    return bool(settings.HF_REFRESH_ENABLED)


def _call(what: str, fn, *args, **kwargs):
    """Map huggingface_hub / HTTP errors onto ours."""
    try:
        return fn(*args, **kwargs)
    except (RepositoryNotFoundError, EntryNotFoundError) as exc:
        raise LookupError(f"{what}: not found on the Hub") from exc
    except HfHubHTTPError as exc:
        status = getattr(exc.response, "status_code", 0) or 0
        if status == 404:
            raise LookupError(f"{what}: not found on the Hub") from exc
        if status >= 500 or status == 429:
            raise TransientSourceError(f"{what}: HTTP {status}") from exc
        raise SourceError(f"{what}: HTTP {status}") from exc
    except Exception as exc:
        name = exc.__class__.__name__
        if "Timeout" in name:
            raise TransientSourceError(f"{what}: timed out after {settings.REFRESH_HTTP_TIMEOUT_S} s") from exc
        if "Connect" in name or "Network" in name or "Protocol" in name:
            raise TransientSourceError(f"{what}: connection failed ({name})") from exc
        if "JSON" in name or isinstance(exc, ValueError):
            raise SourceError(f"{what}: malformed response ({name})") from exc
        raise


def _info_json(repo_id: str) -> dict:
    url = f"{settings.HF_ENDPOINT}/api/models/{repo_id}"
    response = get_session().get(url, params={"blobs": True}, timeout=settings.REFRESH_HTTP_TIMEOUT_S,
                                 headers={"User-Agent": USER_AGENT})
    hf_raise_for_status(response)
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("model info is not an object")
    ModelInfo(**dict(data))  # the shape huggingface_hub accepts, or a ValueError/KeyError
    return data


def _repo_file(repo_id: str, filename: str):
    url = hf_hub_url(repo_id, filename, endpoint=settings.HF_ENDPOINT)
    response = get_session().get(url, timeout=settings.REFRESH_HTTP_TIMEOUT_S, headers={"User-Agent": USER_AGENT},
                                 follow_redirects=True)
    hf_raise_for_status(response)
    return response


def _config_json(repo_id: str) -> dict:
    data = _repo_file(repo_id, "config.json").json()
    if not isinstance(data, dict):
        raise ValueError("config.json is not an object")
    return data


def fetch_one(repo_id: str, gguf_repos: list[str] = ()) -> HubPayload:
    info = _call(repo_id, _info_json, repo_id)
    try:
        config = _call(f"{repo_id}/config.json", _config_json, repo_id)
    except LookupError:
        config = {}  # e.g. a GGUF-only repo: no transformers config, the model info still counts
    try:
        card = _call(f"{repo_id}/README.md", lambda: _repo_file(repo_id, "README.md").text)
    except (LookupError, SourceError):  # a card that cannot be read is no card: the model's figures still count
        card = ""
    return HubPayload(repo_id, info, config, {r: _call(r, _info_json, r) for r in gguf_repos}, card)


def card_markdown(card: str) -> str:
    """The card's Markdown body: without its YAML metadata header, cut at CARD_MAX_CHARS."""
    return FRONT_MATTER.sub("", card, count=1).strip()[:CARD_MAX_CHARS]


def fetch(llms=None) -> tuple[list[HubPayload], list[str]]:
    """Payloads for the catalog's models; models the Hub does not know are reported, not fatal."""
    llms = list(llms if llms is not None else LLM.objects.prefetch_related("quantizations"))
    payloads, missing = [], []
    for llm in llms:
        gguf = sorted({q.repo_id for q in llm.quantizations.all() if q.repo_id and q.filename})
        try:
            payloads.append(fetch_one(llm.hf_repo_id, gguf))
        except LookupError as exc:
            missing.append(f"{llm.slug}: {exc}")
    return payloads, missing


def parse(payload: HubPayload) -> dict:
    """Field values for the model's row, plus ``_files``: {(gguf repo, filename): size in bytes}."""
    info = ModelInfo(**dict(payload.info))
    values = architecture_fields(payload.config)
    if info.downloads is not None:
        values["hf_downloads"] = info.downloads
    if info.likes is not None:
        values["hf_likes"] = info.likes
    license_ = getattr(info.card_data, "license", None) if info.card_data else None
    if isinstance(license_, str) and license_:
        values["license"] = license_[:60]
    if info.safetensors and info.safetensors.total:
        values["params_total"] = int(info.safetensors.total)
    if not isinstance(payload.card, str):
        raise TypeError("the model card is not text")
    if payload.card.strip():
        values["card_markdown"] = card_markdown(payload.card)
    files = {}
    for repo, raw in payload.gguf_repos.items():
        for sibling in ModelInfo(**dict(raw)).siblings or []:
            if sibling.rfilename.endswith(".gguf") and sibling.size:
                files[(repo, sibling.rfilename)] = sibling.size
    values["_files"] = files
    return values


def _split_size(files: dict, repo: str, filename: str) -> int | None:
    """A file's size; for a split GGUF (…-00001-of-0000N.gguf) the sum of its parts."""
    if (repo, filename) in files:
        match = re.search(r"-(\d{5})-of-(\d{5})\.gguf$", filename)
        if not match:
            return files[(repo, filename)]
        stem = filename[: match.start()]
        parts = [s for (r, f), s in files.items() if r == repo and f.startswith(stem) and f.endswith(".gguf")]
        return sum(parts) if len(parts) == int(match.group(2)) else None
    return None


def upsert(payloads: list[HubPayload], *, dry_run: bool = False) -> Outcome:
    outcome = Outcome()
    by_repo = {llm.hf_repo_id: llm for llm in LLM.objects.prefetch_related("quantizations__fmt")}
    now = timezone.now()
    for payload in payloads:
        llm = by_repo.get(payload.repo_id)
        try:
            values = parse(payload)
        except (ValueError, KeyError, TypeError) as exc:
            outcome.skip(f"{payload.repo_id}: malformed Hub data ({exc.__class__.__name__}: {exc})")
            continue
        files = values.pop("_files")
        changed = []
        for name, value in values.items():
            if getattr(llm, name) == value:
                continue
            if llm.is_locked(name):
                outcome.skip(f"{llm.slug}: {name} locked by an admin")
                continue
            changed.append((name, getattr(llm, name)))
            setattr(llm, name, value)
        problems = []
        if changed:  # an unchanged row passed validation when it was written
            try:
                llm.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as exc:
                problems = exc.messages
            problems = problems or constraint_errors(llm)
        if problems:
            for name, old in changed:
                setattr(llm, name, old)
            outcome.skip(f"{llm.slug}: Hub data fails validation ({'; '.join(problems)})")
            continue
        quant_changes = []
        for mq in llm.quantizations.all():
            size = _split_size(files, mq.repo_id, mq.filename) if mq.repo_id and mq.filename else None
            if size and size != mq.file_size_bytes:
                mq.file_size_bytes = size
                quant_changes.append(mq)
        if not changed and not quant_changes:
            outcome.unchanged += 1
            continue
        outcome.updated += 1
        if not dry_run:
            llm.fetched_at = now
            stamped = ["fetched_at"]
            if any(name in ("hf_downloads", "hf_likes") for name, _ in changed):
                llm.hf_stats_date, llm.hf_stats_source = timezone.localdate(now), STATS_SOURCE
                stamped += ["hf_stats_date", "hf_stats_source"]
            if any(name == "card_markdown" for name, _ in changed):
                llm.card_fetched_at = now
                stamped.append("card_fetched_at")
            llm.save(update_fields=[name for name, _ in changed] + stamped)
            ModelQuant.objects.bulk_update(quant_changes, ["file_size_bytes"])
    return outcome


# --- import a new model by its repo id -------------------------------------------------------------

GGUF_NAME = re.compile(r"(?<![A-Za-z0-9])(I?Q\d_[A-Z0-9_]+?|BF16|F16|F32|Q8_0|MXFP4_MOE)(?=[-.])", re.IGNORECASE)


def import_model(repo_id: str, gguf_repo: str | None = None) -> LLM:
    """Create an LLM from what the Hub says (model info + config.json), with a quantization for each GGUF
    file in ``gguf_repo`` (or in the repo itself) whose name carries a known format. Raises SourceError."""
    if LLM.objects.filter(hf_repo_id=repo_id).exists():
        raise SourceError(f"{repo_id} is already in the catalog")
    try:
        payload = fetch_one(repo_id, [gguf_repo] if gguf_repo else [])
    except LookupError as exc:
        raise SourceError(str(exc)) from exc
    values = parse(payload)
    files = values.pop("_files")
    if not gguf_repo:
        files = {(repo_id, s["rfilename"]): s.get("size") for s in payload.info.get("siblings", [])
                 if s.get("rfilename", "").endswith(".gguf") and s.get("size")}
    owner, _, name = repo_id.partition("/")
    config = payload.config
    moe = bool(values.get("num_experts"))
    attention = attention_kind(values)
    if attention != LLM.Attention.SWA and not set(values.get("layer_pattern", "")) & {"S", "C"}:
        values.pop("sliding_window", None)
    llm = LLM(
        name=name, slug=llm_slug(repo_id), hf_repo_id=repo_id, developer=owner[:60],
        family=str(config.get("model_type") or owner)[:60], architecture=LLM.Architecture.MOE if moe
        else LLM.Architecture.DENSE, attention=attention, window_kind="sliding" if values.get("sliding_window") else "",
        swa_pattern_text=layer_mix(values.get("layer_pattern", ""))[:120],
        source=f"Imported from the Hugging Face Hub ({settings.HF_ENDPOINT}/{repo_id}) on {timezone.localdate()}",
        fetched_at=timezone.now(), **values,
    )
    try:
        llm.full_clean()
    except ValidationError as exc:
        raise SourceError(f"{repo_id}: the Hub's data is incomplete or invalid: {'; '.join(exc.messages)}") from exc
    llm.save()
    formats = {f.name.upper(): f for f in QuantFormat.objects.filter(family="gguf")}
    for (repo, filename), _size in sorted(files.items()):
        match = GGUF_NAME.search(filename)
        fmt = formats.get(match.group(1).upper()) if match else None
        if fmt and not llm.quantizations.filter(fmt=fmt).exists() and not re.search(r"-0000[2-9]-of-", filename):
            ModelQuant.objects.create(llm=llm, fmt=fmt, repo_id=repo, filename=filename,
                                      file_size_bytes=_split_size(files, repo, filename),
                                      source=f"Hugging Face Hub file listing of {repo}")
    return llm
