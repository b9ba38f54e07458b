"""Sources as citations (issue 18, item 7): a fixture's provenance note becomes short links a reader can follow.

Notes in the catalog record where each fact was read, e.g. "config.json: github.com/owner/repo@sha path | facts: …".
Pages show, per part of the note, its label and a link to each file or page it names (``owner/repo › file`` for a
GitHub file at its commit, the host and path for a web page); the full note stays in the admin and the API.
"""

import re

from django import template
from django.utils.html import format_html_join

register = template.Library()

GITHUB_FILE = re.compile(r"github\.com/([\w.-]+)/([\w.-]+?)(?:@([0-9a-f]{6,40}))?(?:\s+|:)([\w./@+-]+\.[\w]+)")
GITHUB_REPO = re.compile(r"github\.com/([\w.-]+)/([\w.-]+)")
URL = re.compile(r"https?://[^\s)\"'<>,;]+")
LABEL = re.compile(r"^\s*([A-Za-z][\w ./-]{0,40}?):\s")
PLAIN_MAX = 140  # a part with no link is shown as text up to this long (a paper's title), else left out


def _links(part: str) -> list[tuple[str, str]]:
    """(href, text) for each file or page a part of a note names, in order, without repeats."""
    found = []
    for m in GITHUB_FILE.finditer(part):
        owner, repo, commit, path = m.groups()
        ref = commit or "HEAD"
        found.append(
            (f"https://github.com/{owner}/{repo}/blob/{ref}/{path}", f"{owner}/{repo} › {path.rsplit('/', 1)[-1]}")
        )
    if not found:
        found += [(f"https://github.com/{o}/{r}", f"{o}/{r}") for o, r in GITHUB_REPO.findall(part)]
    for url in URL.findall(part):
        url = url.rstrip(".,:;]")  # the sentence's punctuation, not the address's
        host_path = url.split("://", 1)[1].rstrip("/")
        found.append((url, host_path if len(host_path) <= 48 else host_path[:45] + "…"))
    return list(dict.fromkeys(found))


@register.filter
def citations(note: str):
    """A provenance note as "label: link · label, label: link": each file or page it names once, with the labels of
    the parts that cite it. A note that names none is shown as it is, shortened (a paper's name)."""
    cited: dict[tuple[str, str], list[str]] = {}
    for part in re.split(r"\s\|\s|;\s", note or ""):
        label = LABEL.match(part)
        for link in _links(part):
            labels = cited.setdefault(link, [])
            name = label.group(1).replace("_usd", "").replace("_", " ") if label else ""
            if name and name not in labels:
                labels.append(name)
    if not cited:
        text = (note or "").strip()
        return text if len(text) <= PLAIN_MAX else text[: PLAIN_MAX - 1] + "…"
    return format_html_join(
        " · ",
        '{}<a href="{}" rel="nofollow noopener">{}</a>',
        ((", ".join(labels) + ": " if labels else "", href, text) for (href, text), labels in cited.items()),
    )
