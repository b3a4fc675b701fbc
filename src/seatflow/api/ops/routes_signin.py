"""Sign-in with an API key, sign-out, and the console's front page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from seatflow.api.auth import Stateful
from seatflow.api.ops.auth import CsrfChecked, SignedIn, check_csrf, codec
from seatflow.api.ops.render import page
from seatflow.api.ops.session import Session
from seatflow.store.api_keys import find_active_key
from seatflow.store.floors import list_restaurants

__all__ = ["router", "safe_next"]

router = APIRouter(prefix="/ops", include_in_schema=False)


def safe_next(then: str | None) -> str:
    """Only a console path: a sign-in link cannot send the browser off to another site."""
    if then and then.startswith("/ops") and not then.startswith("//"):
        return then
    return "/ops"


@router.get("/signin")
async def signin_form(request: Request, next: str | None = None) -> Response:
    session = codec(request).read(request) or Session.fresh()
    response = page(request, "signin.html", user=None, session=session, then=safe_next(next))
    codec(request).write(request, response, session)
    return response


@router.post("/signin")
async def signin(
    request: Request,
    state: Stateful,
    key: Annotated[str, Form()] = "",
    then: Annotated[str, Form()] = "/ops",
) -> Response:
    session = codec(request).read(request)
    await check_csrf(request, session)
    assert session is not None
    async with state.pool.connection() as conn:
        found = await find_active_key(conn, key.strip())
    if found is None:
        return page(
            request,
            "signin.html",
            user=None,
            session=session,
            status=401,
            then=safe_next(then),
            error="Unknown or revoked API key.",
        )
    response = RedirectResponse(safe_next(then), status_code=303)
    codec(request).write(request, response, session.signed_in(found.prefix))
    return response


@router.post("/signout")
async def signout(request: Request, user: CsrfChecked) -> Response:
    response = RedirectResponse("/ops/signin", status_code=303)
    codec(request).clear(response)
    return response


@router.get("")
async def home(request: Request, user: SignedIn, state: Stateful) -> Response:
    """A restaurant key goes straight to its day sheet; an admin key picks a restaurant."""
    if user.restaurant_slug is not None:
        return RedirectResponse(f"/ops/r/{user.restaurant_slug}/day", status_code=303)
    async with state.pool.connection() as conn:
        restaurants = await list_restaurants(conn)
    return page(request, "home.html", user=user, restaurants=restaurants)
