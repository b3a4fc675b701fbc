"""Webhook endpoints over HTTP: `/v1/restaurants/{slug}/webhooks` (a restaurant's, for its key
or an admin) and `/v1/webhooks` (admin-wide endpoints that hear every restaurant; admin only).

Both trees have the same routes — create (the secret is in that answer only), list, read,
change, delete, the delivery log and replay — built once by `_routes` over an owner dependency.
Another restaurant's endpoint is 404 exactly like a missing one. A receiver URL is checked like a
delivery is (server-side request forgery guard: docs/webhooks.md), a refusal is 422 on `url`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from seatflow.api.auth import Authenticated, Stateful, require_admin, scope_of
from seatflow.api.errors import ApiError
from seatflow.api.responses import READ_RESPONSES, Responses
from seatflow.api.schemas import ErrorOut
from seatflow.api.state import ApiState
from seatflow.api.webhook_schemas import (
    DeliveryOut,
    ReplayIn,
    ReplayOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from seatflow.domain.webhooks import EVENT_TYPES, generate_secret
from seatflow.pipeline.webhook_delivery import check_receiver_url
from seatflow.store import webhooks as store
from seatflow.store.webhooks import EndpointChange, NewEndpoint, ReplaySelection

__all__ = ["router"]

_ADMIN_RESPONSES: Responses = {**READ_RESPONSES, 403: {"model": ErrorOut}}
Status = Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")]
Limit = Annotated[int, Query(ge=1, le=1000)]


async def _owner(request: Request, principal: Authenticated, state: Stateful) -> UUID | None:
    """The restaurant of the path (when the key may act for it), or None on `/v1/webhooks`
    (admin keys only)."""
    slug = request.path_params.get("slug")
    if slug is None:
        return (await require_admin(principal)).restaurant_id
    scope = await scope_of(str(slug), principal, state)
    return scope.floor.restaurant_id


Owner = Annotated[UUID | None, Depends(_owner)]


def _missing(endpoint_id: UUID) -> ApiError:
    return ApiError(404, "not_found", f"no webhook endpoint {endpoint_id}", field="endpoint_id")


async def create_webhook(body: WebhookIn, owner: Owner, state: Stateful) -> WebhookCreatedOut:
    """Register a receiver. The answer holds the signing secret, shown this once."""
    url = await _checked_url(body.url, state)
    secret = generate_secret()
    new = NewEndpoint(
        restaurant_id=owner,
        url=url,
        event_types=tuple(body.event_types or EVENT_TYPES),
        secret=secret,
        description=body.description,
        enabled=body.enabled,
    )
    async with state.pool.connection() as conn, conn.transaction():
        record = await store.insert_endpoint(conn, new)
    return WebhookCreatedOut.made(record, secret)


async def list_webhooks(owner: Owner, state: Stateful) -> list[WebhookOut]:
    """The endpoints, oldest first (never their secrets)."""
    async with state.pool.connection() as conn:
        return [WebhookOut.of(r) for r in await store.endpoints_of(conn, owner)]


async def get_webhook(endpoint_id: UUID, owner: Owner, state: Stateful) -> WebhookOut:
    """One endpoint: its URL, types, whether it is failing, deliveries pending."""
    return WebhookOut.of(await _endpoint(state, owner, endpoint_id))


async def change_webhook(
    endpoint_id: UUID, body: WebhookPatch, owner: Owner, state: Stateful
) -> WebhookOut:
    """Change the URL, the types, the description; disable or enable it."""
    url = None if body.url is None else await _checked_url(body.url, state)
    change = EndpointChange(
        url=url,
        event_types=None if body.event_types is None else tuple(body.event_types),
        description=body.description,
        enabled=body.enabled,
    )
    async with state.pool.connection() as conn, conn.transaction():
        record = await store.update_endpoint(conn, owner, endpoint_id, change)
    if record is None:
        raise _missing(endpoint_id)
    return WebhookOut.of(record)


async def delete_webhook(endpoint_id: UUID, owner: Owner, state: Stateful) -> Response:
    """Delete the endpoint and its delivery log; nothing more is sent to it."""
    async with state.pool.connection() as conn, conn.transaction():
        if not await store.delete_endpoint(conn, owner, endpoint_id):
            raise _missing(endpoint_id)
    return Response(status_code=204)


async def list_deliveries(
    endpoint_id: UUID, owner: Owner, state: Stateful, status: Status = None, limit: Limit = 100
) -> list[DeliveryOut]:
    """The delivery log, newest event first: status, attempts, last answer and latency."""
    await _endpoint(state, owner, endpoint_id)
    async with state.pool.connection() as conn:
        rows = await store.deliveries_of(conn, endpoint_id, status=status, limit=limit)
    return [DeliveryOut.of(row) for row in rows]


async def replay_deliveries(
    endpoint_id: UUID, body: ReplayIn, owner: Owner, state: Stateful
) -> ReplayOut:
    """Send again, now, one event or the events of a time range (same ids, same bodies)."""
    await _endpoint(state, owner, endpoint_id)
    selection = ReplaySelection(event_id=body.event_id, since=body.since, until=body.until)
    async with state.pool.connection() as conn, conn.transaction():
        count = await store.replay(conn, endpoint_id, selection)
    return ReplayOut(requeued=count)


#: (method, path, handler, status, response model) of each route, on both trees.
_ROUTES: tuple[tuple[str, str, Callable[..., Any], int, Any], ...] = (
    ("POST", "", create_webhook, 201, WebhookCreatedOut),
    ("GET", "", list_webhooks, 200, list[WebhookOut]),
    ("GET", "/{endpoint_id}", get_webhook, 200, WebhookOut),
    ("PATCH", "/{endpoint_id}", change_webhook, 200, WebhookOut),
    ("DELETE", "/{endpoint_id}", delete_webhook, 204, None),
    ("GET", "/{endpoint_id}/deliveries", list_deliveries, 200, list[DeliveryOut]),
    ("POST", "/{endpoint_id}/replay", replay_deliveries, 200, ReplayOut),
)


def _routes(router: APIRouter, responses: Responses) -> APIRouter:
    """Every webhook route on `router`, each acting for the path's owner (`_owner`)."""
    for method, path, handler, status, model in _ROUTES:
        router.add_api_route(
            path,
            handler,
            methods=[method],
            status_code=status,
            response_model=model,
            responses=responses,
        )
    return router


async def _endpoint(state: ApiState, owner: UUID | None, endpoint_id: UUID) -> store.EndpointRecord:
    async with state.pool.connection() as conn:
        found = store.owned(await store.endpoints_of(conn, owner, endpoint_id=endpoint_id))
    if found is None:
        raise _missing(endpoint_id)
    return found


async def _checked_url(url: str, state: ApiState) -> str:
    return await check_receiver_url(
        url, allow_private=state.services.settings.webhook_allow_private
    )


async def _slug(slug: str) -> None:
    """Declares the path's `slug` (read by `_owner`), so the OpenAPI schema shows it."""


restaurant_router = _routes(
    APIRouter(
        prefix="/restaurants/{slug}/webhooks", tags=["webhooks"], dependencies=[Depends(_slug)]
    ),
    READ_RESPONSES,
)
admin_router = _routes(APIRouter(prefix="/webhooks", tags=["webhooks"]), _ADMIN_RESPONSES)
router = APIRouter()
router.include_router(restaurant_router)
router.include_router(admin_router)
