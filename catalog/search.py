"""Search that finds what people type: "llama 8b", "3060 12gb", "rtx3060", "llama3", "qwen 2.5 7b",
"deepseek-r1:8b" (an Ollama tag), "mistrall".

Text is lower-cased and cut into words at punctuation and at every switch between letters and digits, so "RTX3060",
"rtx 3060" and "RTX-3060" are the same two words, and "Qwen2.5-7B" is qwen 2 5 7 b. A row matches when every word of
the query matches one of its words: equal; a prefix of it (words of three letters or more: "mistr" finds Mistral);
or, for words of four letters or more, one edit away (a typo). Numbers match only exactly, since "7" is not "70".
Rows are ranked by how exactly they match, then by fewer extra words (the closest name first), then by downloads.

The same Python runs on PostgreSQL and on the embedded SQLite default (one behaviour everywhere); it reads only the
few text columns of each row, which for the catalog's thousands of rows costs a few milliseconds.
"""

import re

from django.db.models import Case, IntegerField, QuerySet, When

from catalog.models import GIB

_WORDS = re.compile(r"[a-z]+|[0-9]+")
MAX_QUERY_WORDS = 12


def words(text: str) -> list[str]:
    return _WORDS.findall((text or "").lower())


def _one_edit(a: str, b: str) -> bool:
    """True when b is a, or a after one insertion, deletion, substitution or swap of two neighbours."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[i:] == long_[i + 1 :]


def _word_score(query_word: str, row_words: set[str]) -> int:
    """3 equal, 2 prefix, 1 one edit away, 0 no match."""
    if query_word in row_words:
        return 3
    if query_word.isdigit():
        return 0
    if len(query_word) >= 3 and any(w.startswith(query_word) for w in row_words):
        return 2
    if len(query_word) >= 4 and any(len(w) >= 4 and not w.isdigit() and _one_edit(query_word, w) for w in row_words):
        return 1
    return 0


def rank(query: str, rows: list[tuple[int, str, str, float]]) -> list[int]:
    """The pks of ``rows`` (pk, searchable text, name, popularity) that match ``query``, best first: the closest
    matches, then the most query words found in the name itself, then the fewest extra words, then popularity."""
    wanted = words(query)[:MAX_QUERY_WORDS]
    if not wanted:
        return []
    scored = []
    for pk, text, name, popularity in rows:
        name_words = set(words(name))
        row_words = set(words(text)) | name_words
        scores = [_word_score(w, row_words) for w in wanted]
        if all(scores):
            in_name = sum(1 for w in wanted if _word_score(w, name_words))
            scored.append((-sum(scores), -in_name, len(name_words), -(popularity or 0), pk))
    return [pk for *_, pk in sorted(scored)]


def model_text(m: dict) -> str:
    """Repo id, family, developer and Ollama tags without their quantization suffix ("deepseek-r1:8b", not
    "deepseek-r1:8b-llama-distill-q8_0", whose "8" would match every size)."""
    tags = m.get("ollama_tags")
    tags = [m.get("ollama_tag"), *(tags.values() if isinstance(tags, dict) else [])]
    return " ".join(
        [
            *(str(m.get(k) or "") for k in ("hf_repo_id", "family", "developer")),
            *{_tag_base(t) for t in tags if isinstance(t, str) and t},
        ]
    )


_QUANT_WORD = re.compile(r"^(q\d|iq\d|fp\d|bf16|f16|f32|mxfp|nvfp)", re.IGNORECASE)


def _tag_base(tag: str) -> str:
    """An Ollama tag's name and size ("deepseek-r1:8b" of "deepseek-r1:8b-llama-distill-q8_0"); a tag whose size
    part is a quantization ("glm-4.7-flash:q4_K_M") keeps its name only."""
    name, _, rest = tag.partition(":")
    size = rest.split("-")[0]
    return name if not size or _QUANT_WORD.match(size) else f"{name}:{size}"


def gpu_text(g: dict) -> str:
    return f"{g['vendor']} {g['architecture']} {g['memory_bytes'] / GIB:g} gb"


def models(qs: QuerySet, query: str, *, limit: int | None = None) -> QuerySet:
    """``qs`` narrowed to the models matching ``query``; with ``limit``, the best that many, best first."""
    rows = qs.values("pk", "name", "hf_repo_id", "family", "developer", "ollama_tag", "ollama_tags", "hf_downloads")
    return _narrow(qs, rank(query, [(r["pk"], model_text(r), r["name"], r["hf_downloads"]) for r in rows]), limit)


def gpus(qs: QuerySet, query: str, *, limit: int | None = None) -> QuerySet:
    """``qs`` narrowed to the GPUs matching ``query``; with ``limit``, the best that many, best first."""
    rows = qs.values("pk", "vendor", "name", "architecture", "memory_bytes")
    return _narrow(qs, rank(query, [(r["pk"], gpu_text(r), r["name"], 0) for r in rows]), limit)


def _narrow(qs: QuerySet, pks: list[int], limit: int | None) -> QuerySet:
    """Filtered to ``pks``; with ``limit``, its first ``limit`` in that order (a CASE over those only)."""
    if limit is not None:
        pks = pks[:limit]
    qs = qs.filter(pk__in=pks)
    if limit is not None and pks:
        order = Case(*[When(pk=pk, then=i) for i, pk in enumerate(pks)], output_field=IntegerField())
        qs = qs.order_by(order)
    return qs
