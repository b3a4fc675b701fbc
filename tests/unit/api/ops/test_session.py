"""The console's session cookie: signed, read back only under the same secret and while fresh."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request
from starlette.responses import Response

from seatflow.api.ops.session import COOKIE, SESSION_SECONDS, Session, SessionCodec

SECRET = "s" * 40


def _request(cookie: str | None = None, scheme: str = "http") -> Request:
    headers = [(b"cookie", f"{COOKIE}={cookie}".encode())] if cookie else []
    return Request({"type": "http", "headers": headers, "scheme": scheme, "path": "/ops",
                    "server": ("seatflow.test", 80), "query_string": b""})  # fmt: skip


def _written(codec: SessionCodec, session: Session, scheme: str = "http") -> tuple[str, str]:
    """(the cookie's value, the whole Set-Cookie header)."""
    response = Response()
    codec.write(_request(scheme=scheme), response, session)
    header = response.headers["set-cookie"]
    return header.split(";")[0].split("=", 1)[1], header


def test_a_written_session_reads_back_and_carries_no_key() -> None:
    """Prefix and CSRF token round-trip; the cookie is HttpOnly, SameSite=Lax, under /ops."""
    codec = SessionCodec(SECRET)
    session = Session.fresh().signed_in("abc123")
    value, header = _written(codec, session)
    assert codec.read(_request(value)) == session
    assert "HttpOnly" in header and "SameSite=lax" in header and "Path=/ops" in header
    assert "Secure" not in header
    assert "Secure" in _written(codec, session, scheme="https")[1]


def test_another_secret_or_an_edit_reads_as_no_session() -> None:
    """A cookie signed under another secret, or changed by hand, is no session at all."""
    value, _ = _written(SessionCodec(SECRET), Session.fresh().signed_in("abc123"))
    assert SessionCodec("t" * 40).read(_request(value)) is None
    payload, stamp, signature = value.split(".")
    # Edit a character whose six bits all carry data: a signature's last character holds padding
    # bits the decoder ignores, so editing it fails to change the signature one time in 64.
    edited_signature = ("B" if signature[0] == "A" else "A") + signature[1:]
    edited_payload = ("B" if payload[0] == "A" else "A") + payload[1:]
    for edited in (
        f"{payload}.{stamp}.{edited_signature}",
        f"{edited_payload}.{stamp}.{signature}",
    ):
        assert SessionCodec(SECRET).read(_request(edited)) is None
    assert SessionCodec(SECRET).read(_request("garbage")) is None


def test_an_old_session_has_expired(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past SESSION_SECONDS the signature's timestamp is too old and the cookie is ignored."""
    codec = SessionCodec(SECRET)
    value, _ = _written(codec, Session.fresh().signed_in("abc123"))
    later = time.time() + SESSION_SECONDS + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert codec.read(_request(value)) is None


def test_signing_in_issues_a_new_csrf_token() -> None:
    """A token seen before sign-in is worthless after it."""
    before = Session.fresh()
    assert before.signed_in("abc123").csrf != before.csrf
