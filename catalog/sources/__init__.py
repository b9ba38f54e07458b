"""Upstream sources of catalog data. Each module is fetch → parse → upsert:

- ``fetch`` is the only network call (explicit timeout and User-Agent; errors mapped to ours),
- ``parse`` is pure and tested on recorded payloads,
- ``upsert`` writes inside the caller's transaction, keyed on natural keys, so a re-run writes nothing.
"""

import csv
import io
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx2
from django.conf import settings

USER_AGENT = "vram-planner-catalog-refresh/1.0 (+https://github.com/; catalog refresh)"


class SourceError(Exception):
    """The upstream answered with something we cannot use (malformed, truncated, 4xx): the run fails."""


class TransientSourceError(SourceError):
    """Timeout, connection failure or 5xx: worth retrying later."""


@dataclass
class Outcome:
    """What an upsert did. ``errors`` holds one reason per skipped record."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)

    def skip(self, reason: str) -> None:
        self.skipped += 1
        if len(self.errors) < 500:
            self.errors.append(reason)

    @property
    def wrote(self) -> int:
        return self.created + self.updated


@contextmanager
def deadline(response, url: str):
    """The whole download, not each read, within settings.REFRESH_DEADLINE_S: an upstream that trickles a byte
    a second never times out a read. A timer closes the response at the deadline; the read it interrupts fails,
    and that failure is reported as the deadline."""
    fired = threading.Event()

    def stop():
        fired.set()
        response.close()

    timer = threading.Timer(settings.REFRESH_DEADLINE_S, stop)
    timer.daemon = True
    timer.start()
    try:
        yield
    except Exception as exc:
        if fired.is_set():
            raise TransientSourceError(f"{url}: not complete after {settings.REFRESH_DEADLINE_S} s") from exc
        raise
    finally:
        timer.cancel()
    if fired.is_set():  # closed just as the last byte came in: still past the deadline
        raise TransientSourceError(f"{url}: not complete after {settings.REFRESH_DEADLINE_S} s")


def http_client() -> httpx2.Client:
    """The one HTTP client of every upstream read (our feeds and the Hub, whose ``huggingface_hub`` uses the same
    library): our User-Agent, the settings' timeout per connect and read, redirects followed, and a refused or
    dropped connection retried ``REFRESH_HTTP_RETRIES`` times (a read that timed out is not: it already waited)."""
    return httpx2.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=settings.REFRESH_HTTP_TIMEOUT_S,
        follow_redirects=True,
        transport=httpx2.HTTPTransport(retries=settings.REFRESH_HTTP_RETRIES),
    )


def raise_for_status(response: httpx2.Response) -> None:
    """An upstream's 5xx (and 429) may pass: transient. Any other 4xx is an answer we cannot use."""
    status = response.status_code
    if status >= 500 or status == 429:
        raise TransientSourceError(f"{response.url}: HTTP {status}")
    if status >= 400:
        raise SourceError(f"{response.url}: HTTP {status}")


def read_url(url: str, *, limit: int, params=None, headers=None, check=raise_for_status) -> tuple[bytes, str]:
    """GET ``url``: (body, content type). The body must be complete (its Content-Length met), at most ``limit``
    bytes, and in within the deadline; ``check`` turns an error status into an exception (the Hub passes its own,
    which names a missing or gated repository). Transport failures become ours here, once for every source."""
    answered = False
    try:
        with (
            http_client() as client,
            client.stream("GET", url, params=params, headers=headers) as response,
            deadline(response, url),
        ):
            answered = True
            if response.status_code >= 400:
                response.read()
                check(response)
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > limit:
                raise SourceError(f"{url}: {int(declared):,} bytes, more than the {limit:,} we read")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > limit:
                    raise SourceError(f"{url}: more than the {limit:,} bytes we read")
    except httpx2.TimeoutException as exc:
        raise TransientSourceError(f"{url}: timed out after {settings.REFRESH_HTTP_TIMEOUT_S} s") from exc
    except httpx2.RemoteProtocolError as exc:
        if answered:  # the body stopped short of what the headers announced: a cut-off answer
            raise SourceError(f"{url}: truncated or malformed response ({exc})") from exc
        raise TransientSourceError(f"{url}: the server disconnected ({exc})") from exc  # worth retrying
    except httpx2.TransportError as exc:
        raise TransientSourceError(f"{url}: connection failed ({exc.__class__.__name__})") from exc
    # Content-Length counts the bytes on the wire: the compressed ones when the body came gzip-encoded.
    received = response.num_bytes_downloaded
    if declared.isdigit() and int(declared) != received:
        raise SourceError(f"{url}: truncated body ({received} of {declared} bytes)")
    return bytes(body), response.headers.get("Content-Type", "")


def fetch_text(url: str) -> tuple[str, str]:
    """GET a feed: (body text, content type); see read_url."""
    body, content_type = read_url(url, limit=settings.REFRESH_MAX_FEED_BYTES)
    try:
        return body.decode("utf-8-sig"), content_type
    except UnicodeDecodeError as exc:
        raise SourceError(f"{url}: body is not UTF-8") from exc


def csv_lines(text: str, label: str) -> list[list[str]]:
    """A feed's CSV payload as lists of cells, header first, checked for what a cut-off or broken file
    shows: no final line break, unbalanced quotes, a row whose column count differs from the header's."""
    if not text.strip():
        raise SourceError(f"{label}: empty payload")
    if not text.endswith("\n"):
        raise SourceError(f"{label}: the CSV does not end with a line break (truncated?)")
    try:
        lines = [row for row in csv.reader(io.StringIO(text), strict=True) if row]
    except csv.Error as exc:
        raise SourceError(f"{label}: malformed CSV ({exc})") from exc
    for number, row in enumerate(lines, start=1):
        if len(row) != len(lines[0]):
            raise SourceError(
                f"{label}: row {number} has {len(row)} columns, the header {len(lines[0])} "
                "(truncated or malformed file)"
            )
    return lines


def json_rows(text: str, label: str) -> list[dict]:
    """A feed's JSON payload: a list of objects, each value as a stripped string ("" for null)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"{label}: malformed JSON ({exc.msg} at line {exc.lineno})") from exc
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(f"{label}: JSON must be a list of objects")
    return [{str(k): "" if v is None else str(v).strip() for k, v in r.items()} for r in data]
