"""One webhook POST, and the receiver-address guard it (and registration) goes through.

Server-side request forgery: a receiver URL is resolved and *every* address it resolves to must
be public (not loopback, private, link-local, …) unless private receivers are allowed — at
registration and again before each delivery, since DNS may change. Redirects are never followed:
a 3xx is a failed attempt. The request has one timeout for all of it, so a receiver that never
answers costs one slot for at most that long.
"""

from __future__ import annotations

import asyncio
import socket
import time
from urllib.parse import urlsplit

import httpx

from seatflow import __version__
from seatflow.domain.webhooks import SIGNATURE_HEADER, first_refused, signature_header
from seatflow.errors import InvalidInput
from seatflow.store.webhook_relay import Claimed, Outcome

__all__ = ["USER_AGENT", "Refused", "check_receiver_url", "guard", "post_event"]

USER_AGENT = f"seatflow-webhooks/{__version__}"
_MAX_URL = 2000
_ERROR_LIMIT = 300


class Refused(Exception):
    """The receiver's address is not allowed (or its host does not resolve)."""


async def _addresses(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise Refused(f"host {host!r} does not resolve ({exc.strerror or exc})") from None
    return sorted({str(info[4][0]) for info in infos})


async def guard(url: str, *, allow_private: bool) -> None:
    """Refused unless every address of the URL's host may be called."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    addresses = await _addresses(host, parts.port or (443 if parts.scheme == "https" else 80))
    if allow_private:
        return
    reason = first_refused(addresses)
    if reason is not None:
        raise Refused(f"{host!r} resolves to an address receivers may not use: {reason}")


async def check_receiver_url(url: str, *, allow_private: bool) -> str:
    """The URL when it may be registered; InvalidInput naming `url` otherwise."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018  # a bad port raises here
    except ValueError as exc:
        raise InvalidInput("url", f"not a URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput("url", "must be an absolute http:// or https:// URL")
    if len(text) > _MAX_URL:
        raise InvalidInput("url", f"longer than {_MAX_URL} characters")
    if parts.username or parts.password:
        raise InvalidInput("url", "must not carry a user name or password")
    try:
        await guard(text, allow_private=allow_private)
    except Refused as exc:
        raise InvalidInput("url", str(exc)) from None
    return text


async def post_event(
    client: httpx.AsyncClient, claimed: Claimed, *, allow_private: bool, timeout: float
) -> tuple[bool, Outcome]:
    """POST the event once: (acknowledged, what happened). Never raises for the receiver's
    sake: a refused address, a timeout, a refused connection or a non-2xx are all outcomes."""
    started = time.monotonic()
    status: int | None = None
    try:
        await guard(claimed.url, allow_private=allow_private)
        response = await client.post(
            claimed.url,
            content=claimed.body.encode(),
            headers=_headers(claimed),
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )
        status = response.status_code
        error = None if 200 <= status < 300 else _answer(response)
    except Refused as exc:
        error = f"refused: {exc}"
    except httpx.TimeoutException:
        error = f"timed out after {timeout:g} s"
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}"[:_ERROR_LIMIT]
    latency_ms = (time.monotonic() - started) * 1000
    return error is None, Outcome(status_code=status, error=error, latency_ms=latency_ms)


def _headers(claimed: Claimed) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Seatflow-Event-Id": str(claimed.event_id),
        "Seatflow-Event-Type": claimed.event_type,
        SIGNATURE_HEADER: signature_header(claimed.secret, int(time.time()), claimed.body),
    }


def _answer(response: httpx.Response) -> str:
    if response.is_redirect:
        where = response.headers.get("location")
        return f"HTTP {response.status_code}: redirect to {where!r} not followed"
    return f"HTTP {response.status_code}"
