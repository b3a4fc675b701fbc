"""The console's session: a signed cookie holding a CSRF token and, once signed in, the prefix of
the API key used — never the key itself. The key is checked against the database on every request,
so revoking it ends every session signed in with it.

Signed with itsdangerous (HMAC-SHA1 over a timestamped payload) under SEATFLOW_SESSION_SECRET:
a cookie edited by hand or older than SESSION_SECONDS reads as no session at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace

import structlog
from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

__all__ = ["COOKIE", "SESSION_SECONDS", "Session", "SessionCodec", "session_secret"]

log = structlog.get_logger(__name__)

COOKIE = "seatflow_ops"
#: A sign-in lasts one long service day at most; then the key is asked for again.
SESSION_SECONDS = 12 * 3600
_SALT = "seatflow.ops.session"


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """What the cookie carries: the CSRF token every form must send back, and the key's prefix."""

    csrf: str
    key_prefix: str | None = None

    @classmethod
    def fresh(cls) -> Session:
        return cls(csrf=secrets.token_urlsafe(24))

    def signed_in(self, key_prefix: str) -> Session:
        """A new CSRF token on sign-in: one seen before it (on a shared screen) is worthless."""
        return replace(Session.fresh(), key_prefix=key_prefix)


def session_secret(configured: str | None) -> str:
    """The configured secret, else a random one for this process (said once in the log)."""
    if configured:
        return configured
    log.warning(
        "ops_session_secret_generated",
        detail="SEATFLOW_SESSION_SECRET is unset: console sessions end when this process stops",
    )
    return secrets.token_urlsafe(32)


class SessionCodec:
    """Reads the session from a request's cookie and writes it onto a response."""

    def __init__(self, secret: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt=_SALT)

    def read(self, request: Request) -> Session | None:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return None
        try:
            data = self._serializer.loads(raw, max_age=SESSION_SECONDS)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("csrf"), str):
            return None
        prefix = data.get("key")
        return Session(csrf=data["csrf"], key_prefix=prefix if isinstance(prefix, str) else None)

    def write(self, request: Request, response: Response, session: Session) -> None:
        response.set_cookie(
            COOKIE,
            self._serializer.dumps({"csrf": session.csrf, "key": session.key_prefix}),
            max_age=SESSION_SECONDS,
            path="/ops",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )

    def clear(self, response: Response) -> None:
        response.delete_cookie(COOKIE, path="/ops", httponly=True, samesite="lax")
