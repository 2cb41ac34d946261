"""The source of a sync: another server's Exotel v1 API (Exotel itself, or a Trunkline), read with
httpx under the source's rate limit.

Requests are spaced to ``requests_per_minute`` on our side, so a sync stays under the source's limit
instead of running into it; a 429 is still honoured (its Retry-After, up to ``MAX_RETRY_AFTER_S``),
and 5xx answers and broken connections are retried with backoff, ``max_retries`` times each. When a
request still fails, ``SourceUnavailable`` says so: the sync stops where it is and resumes from that
page on its next run. The API's own refusals (401, 403, 400) are not retried: they would not change.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, quote, urljoin, urlsplit

import httpx

from trunkline.domain.errors import TrunklineError

MAX_RETRY_AFTER_S = 300.0
"""A Retry-After longer than this ends the run instead (a re-run resumes)."""
_BACKOFF_CAP_S = 30.0
_CHUNK = 64 * 1024
T = TypeVar("T")


class SourceUnavailable(TrunklineError):
    """The source did not answer, or kept refusing for now (429, 5xx): try again later."""

    status = 503
    code = "source-unavailable"


class SourceRefused(TrunklineError):
    """The source refused the request for good (bad credentials, unknown account, bad filter)."""

    status = 502
    code = "source-refused"


class V1Source:
    """One source account's bulk call list."""

    def __init__(
        self,
        base_url: str,
        account_sid: str,
        api_key: str,
        api_token: str,
        *,
        requests_per_minute: int,
        max_retries: int,
        timeout_s: float,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.account_sid = account_sid
        self._list_path = f"/v1/Accounts/{quote(account_sid, safe='')}/Calls.json"
        self._client = httpx.Client(
            base_url=self.base_url, auth=httpx.BasicAuth(api_key, api_token), timeout=timeout_s
        )
        self._interval = 60.0 / requests_per_minute
        self._max_retries = max_retries
        self._sleep = sleep
        self._last_sent = float("-inf")
        self._lock = threading.Lock()  # recordings download in several threads at once
        self.requests = 0
        self.rate_limited = 0

    def close(self) -> None:
        self._client.close()

    def list_page(self, params: Sequence[tuple[str, str]]) -> dict[str, Any]:
        """One page of the bulk list (the JSON body)."""
        body = self._get(self._list_path, list(params))
        if not isinstance(body, dict) or not isinstance(body.get("Calls"), list):
            raise SourceRefused(f"{self.base_url} did not answer with a v1 bulk list")
        return body

    def next_page(self, page_uri: str) -> dict[str, Any]:
        """The page a ``NextPageUri`` names: its query (filters and cursor) on our own list path,
        so a source behind a path prefix still works."""
        return self.list_page(parse_qsl(urlsplit(page_uri).query, keep_blank_values=True))

    def download(self, url: str, keep: Callable[[Iterator[bytes], str, str | None], T]) -> T | None:
        """Stream the file at ``url`` (a RecordingUrl) into ``keep(chunks, media_type, etag)``; None
        when the source no longer has it (404, 410). Paced, and retried on 429/5xx/broken
        connections, like the list. The account's credentials go only to the source's own origin:
        a RecordingUrl on another host (a storage bucket) gets none."""
        target = urljoin(self.base_url + "/", url)
        own = urlsplit(target)[:2] == urlsplit(self.base_url)[:2]
        problem = ""
        for attempt in range(self._max_retries + 1):
            self._pace()
            try:
                auth = httpx.USE_CLIENT_DEFAULT if own else None
                with self._client.stream("GET", target, auth=auth) as response:
                    if response.status_code in (404, 410):
                        return None
                    wait = self._retry_wait(response, attempt)
                    if wait is not None:
                        problem = f"HTTP {response.status_code}"
                        self._sleep(wait)
                        continue
                    if response.status_code != 200:
                        raise SourceRefused(
                            f"{self.base_url} refused the recording {url} (HTTP {response.status_code})"
                        )
                    media_type = response.headers.get("content-type", "audio/mpeg").split(";")[0].strip()
                    return keep(response.iter_bytes(_CHUNK), media_type, response.headers.get("etag"))
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                self._sleep(min(_BACKOFF_CAP_S, 0.5 * 2**attempt))
        raise SourceUnavailable(
            f"{self.base_url} kept failing ({problem}) on a recording after {self._max_retries} retries; "
            "run the sync again to resume"
        )

    def _retry_wait(self, response: httpx.Response, attempt: int) -> float | None:
        """How long to wait before retrying ``response`` (a 429 or a 5xx), or None: not a retry."""
        if response.status_code == 429:
            with self._lock:
                self.rate_limited += 1
            wait = _retry_after(response)
            if wait > MAX_RETRY_AFTER_S:
                raise SourceUnavailable(f"{self.base_url} asks to wait {wait:.0f} s (rate limit)")
            return wait
        if response.status_code >= 500:
            return min(_BACKOFF_CAP_S, 0.5 * 2**attempt)
        return None

    def _pace(self) -> None:
        """Space requests to the rate, across threads: each takes the next slot, then waits for it."""
        with self._lock:
            slot = max(self._last_sent + self._interval, time.monotonic())
            self._last_sent = slot
            self.requests += 1
        wait = slot - time.monotonic()
        if wait > 0:
            self._sleep(wait)

    def _get(self, path: str, params: list[tuple[str, str]]) -> Any:
        problem = ""
        for attempt in range(self._max_retries + 1):
            self._pace()
            try:
                response = self._client.get(path, params=tuple(params))
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                self._sleep(min(_BACKOFF_CAP_S, 0.5 * 2**attempt))
                continue
            wait = self._retry_wait(response, attempt)
            if wait is not None:
                limited = response.status_code == 429
                problem = "rate limited (429)" if limited else f"HTTP {response.status_code}"
                self._sleep(wait)
                continue
            if response.status_code != 200:
                raise SourceRefused(
                    f"{self.base_url} refused the request (HTTP {response.status_code}): {_message(response)}"
                )
            try:
                return response.json()
            except ValueError as exc:
                raise SourceRefused(f"{self.base_url} answered with something other than JSON") from exc
        raise SourceUnavailable(
            f"{self.base_url} kept failing ({problem}) after {self._max_retries} retries; "
            "run the sync again to resume"
        )


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("retry-after", "1")))
    except ValueError:
        return 1.0


def _message(response: httpx.Response) -> str:
    """The RestException's message, or the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict) and isinstance(body.get("RestException"), dict):
        return str(body["RestException"].get("Message", ""))
    return str(body)[:200]
