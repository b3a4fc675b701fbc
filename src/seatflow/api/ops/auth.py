"""Who is looking at the console, and may they: the signed-in key, CSRF on every form, and a
restaurant's pages only for its own key or an admin key — another restaurant's pages are 404,
exactly like a restaurant that does not exist (the API's rule, `api.auth`).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from seatflow.api.auth import Principal, Scope, Stateful, find_floor
from seatflow.api.ops.session import Session, SessionCodec
from seatflow.store.api_keys import find_active_prefix

__all__ = [
    "CsrfChecked",
    "OpsError",
    "OpsScope",
    "OpsUser",
    "SignInNeeded",
    "SignedIn",
    "check_csrf",
    "codec",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


class OpsError(Exception):
    """A console page that cannot be shown: rendered as an HTML page with this status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class SignInNeeded(Exception):
    """No session, or its key was revoked: off to the sign-in page, then back to `then`."""

    def __init__(self, then: str) -> None:
        super().__init__(then)
        self.then = then


@dataclass(frozen=True, slots=True, kw_only=True)
class OpsUser:
    principal: Principal
    session: Session
    #: The restaurant of a restaurant key; None for an admin key.
    restaurant_slug: str | None


def codec(request: Request) -> SessionCodec:
    found = request.app.state.ops_sessions
    assert isinstance(found, SessionCodec)
    return found


async def signed_in(request: Request, state: Stateful) -> OpsUser:
    session = codec(request).read(request)
    then = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if request.method != "GET":  # an action cannot be replayed by a redirect: back to the start
        then = "/ops"
    if session is None or session.key_prefix is None:
        raise SignInNeeded(then)
    async with state.pool.connection() as conn:
        key = await find_active_prefix(conn, session.key_prefix)
    if key is None:
        raise SignInNeeded(then)
    principal = Principal(
        key_prefix=key.prefix, restaurant_id=key.restaurant_id, is_admin=key.is_admin
    )
    return OpsUser(principal=principal, session=session, restaurant_slug=key.restaurant_slug)


SignedIn = Annotated[OpsUser, Depends(signed_in)]


async def check_csrf(request: Request, session: Session | None) -> None:
    """403 unless the form (or htmx's header) sends back this session's CSRF token."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if session is None or not sent or not hmac.compare_digest(sent, session.csrf):
        raise OpsError(403, "The form's security token is missing or stale: reload the page.")


async def csrf_checked(request: Request, user: SignedIn) -> OpsUser:
    await check_csrf(request, user.session)
    return user


CsrfChecked = Annotated[OpsUser, Depends(csrf_checked)]


async def ops_scope(slug: str, user: SignedIn, state: Stateful) -> Scope:
    floor = await find_floor(state, slug)
    if floor is None or not user.principal.may_access(floor.restaurant_id):
        raise OpsError(404, f"No restaurant {slug!r}.")
    return Scope(principal=user.principal, floor=floor)


OpsScope = Annotated[Scope, Depends(ops_scope)]
