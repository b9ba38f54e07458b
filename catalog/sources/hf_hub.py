"""The Hugging Face Hub (``huggingface_hub``; endpoint from ``HF_ENDPOINT``): per catalog model, its
downloads, likes and license (model info), its architecture (config.json), its parameter count
(safetensors metadata), its model card (README.md, without the YAML header), and the exact size of each
GGUF file we list for it (the GGUF repo's files).

``fetch`` gathers everything first (the only network calls); ``parse`` turns a recorded payload into
field values; ``upsert`` writes them inside the run's transaction, leaving locked fields alone.
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from huggingface_hub import hf_hub_url
from huggingface_hub.errors import (
    EntryNotFoundError,
    GatedRepoError,
    HfHubHTTPError,
    HFValidationError,
    RepositoryNotFoundError,
)
from huggingface_hub.hf_api import ModelInfo
from huggingface_hub.utils import hf_raise_for_status, validate_repo_id

from catalog.constraints import constraint_errors
from catalog.hf_config import architecture_fields, attention_kind
from catalog.models import LLM, ModelQuant, QuantFormat
from catalog.seed_data import llm_slug
from catalog.seed_models import NO_PARAMS_REASON, config_llm_fields, name_params
from catalog.sources import Outcome, SourceError, TransientSourceError, read_url

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
    """Map the Hub's answers (a missing or gated repository, an error status, a malformed body) onto ours."""
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
    except ValueError as exc:  # a body that is not JSON, or JSON of the wrong shape (transport errors: read_url)
        raise SourceError(f"{what}: malformed response ({exc.__class__.__name__})") from exc


def _read(url: str, *, params=None, limit: int) -> bytes:
    """GET a Hub URL (with the server's HF_TOKEN if any), reading at most ``limit`` bytes of body."""
    headers = {"Authorization": f"Bearer {settings.HF_TOKEN}"} if settings.HF_TOKEN else None
    return read_url(url, params=params, headers=headers, limit=limit, check=hf_raise_for_status)[0]


def _json(url: str, *, params=None, limit: int | None = None):
    return json.loads(_read(url, params=params, limit=limit or settings.HUB_MAX_JSON_BYTES))


def _info_json(repo_id: str) -> dict:
    data = _json(f"{settings.HF_ENDPOINT}/api/models/{repo_id}", params={"blobs": True})
    if not isinstance(data, dict):
        raise ValueError("model info is not an object")
    try:
        ModelInfo(**dict(data))  # the shape huggingface_hub accepts
    except (TypeError, KeyError, AttributeError) as exc:
        raise ValueError(f"model info of an unexpected shape ({exc})") from exc
    return data


def _file_url(repo_id: str, filename: str) -> str:
    return hf_hub_url(repo_id, filename, endpoint=settings.HF_ENDPOINT)


def _config_json(repo_id: str) -> dict:
    data = _json(_file_url(repo_id, "config.json"), limit=settings.HUB_MAX_FILE_BYTES)
    if not isinstance(data, dict):
        raise ValueError("config.json is not an object")
    return data


def _card_text(repo_id: str) -> str:
    return _read(_file_url(repo_id, "README.md"), limit=settings.HUB_MAX_FILE_BYTES).decode("utf-8", "replace")


def fetch_one(repo_id: str, gguf_repos: Sequence[str] = ()) -> HubPayload:
    info = _call(repo_id, _info_json, repo_id)
    try:
        config = _call(f"{repo_id}/config.json", _config_json, repo_id)
    except LookupError:
        config = {}  # e.g. a GGUF-only repo: no transformers config, the model info still counts
    try:
        card = _call(f"{repo_id}/README.md", _card_text, repo_id)
    except (LookupError, SourceError):  # a card that cannot be read is no card: the model's figures still count
        card = ""
    return HubPayload(repo_id, info, config, {r: _call(r, _info_json, r) for r in gguf_repos}, card)


def card_markdown(card: str) -> str:
    """The card's Markdown body: without its YAML metadata header, cut at CARD_MAX_CHARS."""
    return FRONT_MATTER.sub("", card, count=1).strip()[:CARD_MAX_CHARS]


def fetch(llms=None) -> tuple[list[HubPayload], list[str]]:
    """Payloads for the catalog's models; models the Hub does not know are reported, not fatal."""
    # Models looked up by users are refreshed when looked up again (planner/lookup.py), not here.
    llms = list(llms if llms is not None else LLM.objects.reviewed().prefetch_related("quantizations"))
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
    # The attention label and the reason a design is not sized follow the config as the seed reads it
    # (seed_models.config_llm_fields): a design the engine learns to size loses its reason on the next refresh.
    values["attention"] = attention_kind(values)
    values.setdefault("unsupported_reason", "")
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
    values["_files"] = gguf_files(payload.gguf_repos)
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
        if llm is None:  # deleted from the catalog while the run fetched
            outcome.skip(f"{payload.repo_id}: no longer in the catalog")
            continue
        try:
            values = parse(payload)
        except (ValueError, KeyError, TypeError) as exc:
            outcome.skip(f"{payload.repo_id}: malformed Hub data ({exc.__class__.__name__}: {exc})")
            continue
        files = values.pop("_files")
        if (
            not values["unsupported_reason"]
            and llm.unsupported_reason == NO_PARAMS_REASON
            and not (values.get("params_total") or llm.params_total)
        ):
            values.pop("unsupported_reason")  # still no count to solve its weights from
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


# --- a new model from the Hub: staff imports and users' lookups ---------------------------------------

GGUF_NAME = re.compile(r"(?<![A-Za-z0-9])(I?Q\d_[A-Z0-9_]+?|BF16|F16|F32|Q8_0|MXFP4_MOE)(?=[-.])", re.IGNORECASE)
SPLIT_PART = re.compile(r"-0000[2-9]-of-|-000[1-9]\d-of-")
# Hub pipeline tags of models that read documents and generate nothing.
EMBEDDING_PIPELINES = {"feature-extraction", "sentence-similarity"}


class LookupFailed(SourceError):
    """A repository that cannot be sized as asked; the message says why, in words for the person who asked."""


@dataclass
class Lookup:
    """What the Hub says about a repository someone asked for: its own model info, the config (read from the
    repository, or for a GGUF-only repository from the base model its card names), and GGUF listings."""

    repo_id: str  # as the Hub spells it
    config_repo: str  # the repository whose config.json describes the architecture
    info: dict  # model info of config_repo (safetensors parameter count, licence, pipeline tag)
    config: dict
    gguf_repos: dict = field(default_factory=dict)  # repo id -> model info (with file sizes)
    card: str = ""
    files: list = field(default_factory=list)  # what was read, for the provisional page


def parse_ref(text: str) -> tuple[str, str]:
    """(repo id, GGUF format or "") from what a user pastes: ``owner/name``, a Hub link, ``hf.co/owner/name``
    or an ``owner/name:Q4_K_M`` GGUF reference. Raises ValueError with a message for the user."""
    ref = re.sub(r"^(https?://)?(www\.)?(huggingface\.co|hf\.co)/", "", (text or "").strip(), flags=re.IGNORECASE)
    ref = re.split(r"[?#]", ref)[0].strip("/")
    parts = ref.split("/")
    if parts[0] in ("datasets", "spaces"):
        raise ValueError(f"{text.strip()} is a Hub {parts[0][:-1]}, not a model repository.")
    if parts[0] == "models":
        parts = parts[1:]
    if len(parts) < 2 or not parts[0] or not parts[1]:
        raise ValueError("Give a Hugging Face model repository as owner/name, e.g. Qwen/Qwen3-8B, or its link.")
    repo_id, _, quant = "/".join(parts[:2]).partition(":")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as exc:
        raise ValueError(f"{repo_id!r} is not a valid repository id: use letters, digits, '-', '_' and '.'.") from exc
    if quant and not re.fullmatch(r"[A-Za-z0-9_]{1,24}", quant):
        raise ValueError(f"{quant!r} is not a GGUF quantization name such as Q4_K_M.")
    return repo_id, quant.upper()


def _lookup_call(repo_id: str, what: str, fn, *args):
    """_call, with each way a repository can be out of reach told in its own words."""
    try:
        return _call(what, fn, *args)
    except LookupError as exc:
        cause = exc.__cause__
        if isinstance(cause, GatedRepoError):
            raise LookupFailed(
                f"{repo_id} is gated: its authors ask each user to accept their terms on the Hub before its files can "
                "be read, and this server's Hub token has not. Paste the model's config.json instead."
            ) from exc
        if what == repo_id:
            raise LookupFailed(
                f"There is no public model repository {repo_id} on the Hugging Face Hub (it does "
                "not exist, or it is private)."
            ) from exc
        raise LookupFailed(f"{what} is not on the Hub.") from exc
    except TransientSourceError as exc:
        raise LookupFailed(
            f"The Hugging Face Hub did not answer for {what} ({exc}). Try again in a few minutes."
        ) from exc
    except SourceError as exc:
        raise LookupFailed(f"The Hub's answer for {what} could not be read: {exc}") from exc


def _siblings(info: dict) -> dict[str, int | None]:
    return {
        s["rfilename"]: s.get("size")
        for s in info.get("siblings") or []
        if isinstance(s, dict) and isinstance(s.get("rfilename"), str)
    }


def _repo_or_blank(value) -> str:
    """A repository id the Hub's answer names, if it is a valid one: ids read from the Hub go into the next
    requests' URLs (with the server's token), so they are checked like a user's."""
    if not isinstance(value, str):
        return ""
    try:
        validate_repo_id(value.strip())
    except HFValidationError:
        return ""
    return value.strip() if value.count("/") == 1 else ""


def _base_model(info: dict) -> str:
    card = info.get("cardData")
    base = card.get("base_model") if isinstance(card, dict) else None
    return _repo_or_blank(base[0] if isinstance(base, list) and base else base)


def _refuse_private(repo_id: str, info: dict) -> None:
    if info.get("private"):  # readable only with the server's token: never published on a public page
        raise LookupFailed(
            f"There is no public model repository {repo_id} on the Hugging Face Hub (it does not "
            "exist, or it is private)."
        )


def gguf_files(gguf_repos: dict) -> dict[tuple[str, str], int]:
    """{(repo, filename): size} of every GGUF file in the listings."""
    return {
        (repo, name): size
        for repo, raw in gguf_repos.items()
        for name, size in _siblings(raw).items()
        if name.endswith(".gguf") and size
    }


def fetch_lookup(repo_id: str) -> Lookup:
    """Everything a provisional model needs from the Hub, reading metadata only (model info, config.json,
    README.md; never a weight file). Raises LookupFailed with a message for the user."""
    info = _lookup_call(repo_id, repo_id, _info_json, repo_id)
    _refuse_private(repo_id, info)
    repo_id = _repo_or_blank(info.get("id")) or repo_id
    files = [f"{repo_id}: model info and file listing"]
    siblings = _siblings(info)
    has_gguf = any(name.endswith(".gguf") for name in siblings)
    config_repo, config_info = repo_id, info
    if "config.json" not in siblings and has_gguf:
        base = _base_model(info)
        if not base:
            raise LookupFailed(
                f"{repo_id} holds GGUF files but no config.json, and its card names no base model "
                "whose config.json describes the architecture. Paste the model's config.json instead."
            )
        config_repo = base
        config_info = _lookup_call(base, f"{base} (the base model {repo_id}'s card names)", _info_json, base)
        _refuse_private(base, config_info)
        files.append(f"{base}: model info (the base model of {repo_id})")
    elif "config.json" not in siblings and siblings:
        raise LookupFailed(
            f"{repo_id} has no config.json, so nothing states its architecture (layers, width, "
            "heads). Is it a model in the transformers format? Paste its config.json instead."
        )
    config = _lookup_call(config_repo, f"{config_repo}/config.json", _config_json, config_repo)
    files.append(f"{config_repo}/config.json")
    gguf_repos = {repo_id: info} if has_gguf else {}
    if not has_gguf:  # the most downloaded GGUF repository the Hub's model tree lists as a quantization of it
        try:
            found = _call(
                "GGUF repositories",
                _json,
                f"{settings.HF_ENDPOINT}/api/models",
                params=[
                    ("filter", f"base_model:quantized:{repo_id}"),
                    ("filter", "gguf"),
                    ("sort", "downloads"),
                    ("direction", "-1"),
                    ("limit", "3"),
                ],
            )
            first = (
                next(
                    (_repo_or_blank(m.get("id")) for m in found if isinstance(m, dict) and _repo_or_blank(m.get("id"))),
                    None,
                )
                if isinstance(found, list)
                else None
            )
            listing = _call(first, _info_json, first) if first else {}
            if first and listing and not listing.get("private"):
                gguf_repos[first] = listing
                files.append(f"{first}: GGUF file listing (a quantization of {repo_id} in the Hub's model tree)")
        except (LookupError, SourceError):
            pass  # no GGUF sizes: the recipes size every format
    try:
        card = _call(f"{repo_id}/README.md", _card_text, repo_id)
        files.append(f"{repo_id}/README.md")
    except (LookupError, SourceError):
        card = ""
    weights = _safetensors_note(config_info)
    if weights:
        files.append(f"{config_repo}: {weights}")
    return Lookup(repo_id, config_repo, config_info, config, gguf_repos, card, files)


def _safetensors_note(info: dict) -> str:
    """ "safetensors: 8,030,261,248 parameters (BF16)" from the Hub's safetensors metadata, if it has any."""
    data = info.get("safetensors")
    if not isinstance(data, dict) or not isinstance(data.get("total"), int):
        return ""
    dtypes = data["parameters"] if isinstance(data.get("parameters"), dict) else {}
    mix = ", ".join(
        f"{k} {v / data['total']:.0%}" if len(dtypes) > 1 else k
        for k, v in sorted(dtypes.items(), key=lambda kv: -kv[1])
        if isinstance(v, int)
    )
    return f"safetensors: {data['total']:,} parameters" + (f" ({mix})" if mix else "")


def popular_repos(author: str, limit: int) -> list[str]:
    """The author's most downloaded text-generation repositories on the Hub (ids), most downloaded first."""
    found = _call(
        f"{author}'s models",
        _json,
        f"{settings.HF_ENDPOINT}/api/models",
        params=[
            ("author", author),
            ("pipeline_tag", "text-generation"),
            ("sort", "downloads"),
            ("direction", "-1"),
            ("limit", str(limit)),
        ],
    )
    if not isinstance(found, list):
        raise SourceError(f"{author}'s models: the Hub's answer is not a list")
    return [m["id"] for m in found if isinstance(m, dict) and _repo_or_blank(m.get("id"))][:limit]


def _config_label(config_repo: str) -> str:
    return "The pasted config.json" if config_repo.startswith(LLM.PASTED) else f"{config_repo}'s config.json"


def new_model_fields(config_repo: str, info: dict, config: dict) -> dict:
    """LLM fields for a repository from its model info and config.json, through the same code as the seed
    catalog (seed_models.config_llm_fields). Raises LookupFailed when the config lacks what sizing needs."""
    model_info = ModelInfo(**dict(info))
    total = int(model_info.safetensors.total) if model_info.safetensors and model_info.safetensors.total else None
    pipeline = info.get("pipeline_tag") or ""
    task = (
        ("reranking" if "rerank" in config_repo.lower() else "embedding")
        if pipeline in EMBEDDING_PIPELINES or (pipeline == "text-classification" and "rerank" in config_repo.lower())
        else ""
    )
    # A pasted config's digest is no name: nothing may be read from it (a digest starting "7b3" is not 7B).
    named = "pasted/config" if config_repo.startswith(LLM.PASTED) else config_repo
    row = {
        "hf_repo_id": named,
        "params_total_b": f"{total / 1e9!r}" if total else "",
        "params_active_b": "",
        "context": "",
        "task": task,
    }
    try:
        fields_ = config_llm_fields(row, config)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise LookupFailed(f"{_config_label(config_repo)} is not a model configuration we can read ({exc}).") from exc
    if fields_ is None:
        raise LookupFailed(
            f"{_config_label(config_repo)} does not state the number of layers, the hidden size, the "
            "attention heads, the vocabulary and the context length, which sizing needs."
        )
    if fields_["architecture"] == "moe" and not fields_["params_active"]:
        fields_["params_active"] = name_params(named)[1]
    owner, _, name = config_repo.partition("/")
    license_ = getattr(model_info.card_data, "license", None) if model_info.card_data else None
    return {
        **fields_,
        "name": name[:120],
        "developer": owner[:60],
        "family": str(config.get("model_type") or owner)[:60],
        "license": license_[:60] if isinstance(license_, str) else "",
        "hf_downloads": model_info.downloads,
        "hf_likes": model_info.likes,
    }


def _add_gguf_quants(llm: LLM, files: dict) -> list[str]:
    """A quantization for each GGUF file whose name carries a catalog format (the first file of a split);
    returns the repository it took files from."""
    formats = {f.name.upper(): f for f in QuantFormat.objects.filter(family="gguf")}
    taken, repos = set(), []
    for (repo, filename), _size in sorted(files.items()):
        match = GGUF_NAME.search(filename)
        fmt = formats.get(match.group(1).upper()) if match else None
        if fmt and fmt.pk not in taken and not SPLIT_PART.search(filename):
            ModelQuant.objects.create(
                llm=llm,
                fmt=fmt,
                repo_id=repo,
                filename=filename,
                file_size_bytes=_split_size(files, repo, filename),
                source=f"Hugging Face Hub file listing of {repo}",
            )
            taken.add(fmt.pk)
            repos.append(repo)
    if repos and not llm.gguf_repo:
        llm.gguf_repo, llm.gguf_quants = repos[0], sorted(f.name for f in formats.values() if f.pk in taken)
        llm.save(update_fields=["gguf_repo", "gguf_quants"])
    return repos


def _slug_for(repo_id: str, exclude_pk=None) -> str:
    slug = llm_slug(repo_id)[:110] or "model"
    if LLM.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():  # another repository's name: keep it stable
        slug = f"{slug}-{hashlib.sha1(repo_id.lower().encode()).hexdigest()[:6]}"
    return slug


def save_model(lookup: Lookup, *, reviewed: bool, existing: LLM | None = None, source: str = "") -> LLM:
    """Create (or, for a provisional model looked up again, update) the model a Lookup describes, with its
    GGUF quantizations. Fields an admin locked are left alone. Raises LookupFailed on invalid data."""
    values = new_model_fields(lookup.config_repo, lookup.info, lookup.config)
    pasted = lookup.config_repo.startswith(LLM.PASTED)
    slug = "pasted-" + lookup.config_repo.removeprefix(LLM.PASTED) if pasted else _slug_for(lookup.config_repo)
    llm = existing or LLM(hf_repo_id=lookup.config_repo, slug=slug, reviewed=reviewed)
    for name, value in values.items():
        if not (existing and llm.is_locked(name)):
            setattr(llm, name, value)
    if lookup.card.strip():
        llm.card_markdown, llm.card_fetched_at = card_markdown(lookup.card), timezone.now()
    llm.source = (
        source
        or f"Read from the Hugging Face Hub ({settings.HF_ENDPOINT}/{lookup.repo_id}) on "
        f"{timezone.localdate()}: {'; '.join(lookup.files)}"
    )
    llm.fetched_at = timezone.now()
    if pasted:  # no repository: named after what the config says it was saved from, if anything
        origin = lookup.config.get("_name_or_path")
        llm.name = (
            f"{origin.rstrip('/').rsplit('/', 1)[-1]} (pasted config)"
            if isinstance(origin, str) and origin.strip()
            else f"Pasted {values.get('model_type') or 'model'} config"
        )[:120]
        llm.developer, llm.config_source = "–", f"A config.json pasted on {timezone.localdate()}"
    else:
        llm.config_source = f"{settings.HF_ENDPOINT}/{lookup.config_repo}/blob/main/config.json"
        llm.hf_stats_date, llm.hf_stats_source = timezone.localdate(), STATS_SOURCE
    try:
        llm.full_clean(validate_unique=False)
    except ValidationError as exc:
        raise LookupFailed(
            f"{_config_label(lookup.config_repo)} gives figures the catalog cannot hold: {'; '.join(exc.messages)}"
        ) from exc
    problems = constraint_errors(llm)
    if problems:
        raise LookupFailed(f"{_config_label(lookup.config_repo)} is inconsistent: {'; '.join(problems)}")
    if existing:  # the listing is read afresh: what it no longer shows goes
        llm.quantizations.filter(source__startswith="Hugging Face Hub file listing").delete()
        llm.gguf_repo, llm.gguf_quants = "", []
    llm.save()
    _add_gguf_quants(llm, gguf_files(lookup.gguf_repos))
    return llm


def import_model(repo_id: str, gguf_repo: str | None = None) -> LLM:
    """Create a reviewed catalog model from what the Hub says (model info + config.json), with a quantization
    for each GGUF file in ``gguf_repo`` (or in the repository, or the Hub's most downloaded GGUF quantization of
    it) whose name carries a known format. Raises SourceError."""
    if LLM.objects.filter(hf_repo_id__iexact=repo_id).exists():
        raise SourceError(f"{repo_id} is already in the catalog")
    lookup = fetch_lookup(repo_id)
    if gguf_repo:
        lookup.gguf_repos = {gguf_repo: _call(gguf_repo, _info_json, gguf_repo)}
    return save_model(
        lookup,
        reviewed=True,
        source=f"Imported from the Hugging Face Hub ({settings.HF_ENDPOINT}/{repo_id}) on {timezone.localdate()}",
    )
