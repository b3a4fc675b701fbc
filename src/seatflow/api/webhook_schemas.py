"""Request and response bodies of the webhook routes (docs/webhooks.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, model_validator

from seatflow.api.schemas import IsoDateTime, Text
from seatflow.domain.webhooks import EVENT_TYPES
from seatflow.store.webhooks import DeliveryRecord, EndpointRecord

__all__ = [
    "DeliveryOut",
    "ReplayIn",
    "ReplayOut",
    "WebhookCreatedOut",
    "WebhookIn",
    "WebhookOut",
    "WebhookPatch",
]


def _known_types(values: list[str]) -> list[str]:
    unknown = [value for value in values if value not in EVENT_TYPES]
    if unknown:
        raise ValueError(f"unknown event type {unknown[0]!r}; use {', '.join(EVENT_TYPES)}")
    return sorted(set(values))


EventTypes = Annotated[
    list[str],
    Field(min_length=1, max_length=len(EVENT_TYPES) * 2, description="Default: every type."),
    AfterValidator(_known_types),
]
Url = Annotated[str, Field(min_length=1, max_length=2000, description="http:// or https://")]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class WebhookIn(_Request):
    url: Url
    event_types: EventTypes | None = None
    description: Text | None = None
    enabled: StrictBool = True


class WebhookPatch(_Request):
    """What to change; what is left out stays. Enabling again clears `failing`."""

    url: Url | None = None
    event_types: EventTypes | None = None
    description: Text | None = None
    enabled: StrictBool | None = None


class ReplayIn(_Request):
    """One event (`event_id`), or the events of a time range (`since`, optional `until`)."""

    event_id: Annotated[UUID, Field(strict=False)] | None = None
    since: IsoDateTime | None = None
    until: IsoDateTime | None = None

    @model_validator(mode="after")
    def _one_selection(self) -> ReplayIn:
        if self.event_id is None and self.since is None:
            raise ValueError("give event_id, or since (and optionally until)")
        if self.event_id is not None and (self.since or self.until):
            raise ValueError("give event_id or a time range, not both")
        if self.since and self.until and self.until <= self.since:
            raise ValueError("until must be after since")
        return self


class ReplayOut(BaseModel):
    requeued: int = Field(description="Deliveries queued to be sent again now.")


class WebhookOut(BaseModel):
    id: UUID
    restaurant: str | None = Field(description="The restaurant's slug; null: every restaurant.")
    url: str
    event_types: list[str]
    description: str | None
    enabled: bool
    failing: bool = Field(description="A delivery ran out of its retry window.")
    failing_since: datetime | None
    last_success_at: datetime | None
    pending: int = Field(description="Deliveries not yet acknowledged (retries included).")
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: EndpointRecord) -> WebhookOut:
        return cls.model_validate(_endpoint_fields(record))


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="The signing secret. Shown this once: store it now.")

    @classmethod
    def made(cls, record: EndpointRecord, secret: str) -> WebhookCreatedOut:
        return cls.model_validate({**_endpoint_fields(record), "secret": secret})


def _endpoint_fields(record: EndpointRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "restaurant": record.restaurant_slug,
        "url": record.url,
        "event_types": list(record.event_types),
        "description": record.description,
        "enabled": record.enabled,
        "failing": record.failing_since is not None,
        "failing_since": record.failing_since,
        "last_success_at": record.last_success_at,
        "pending": record.pending,
        "created_at": record.created_at,
        "updated_at": record.updated_at,
    }


class DeliveryOut(BaseModel):
    id: int
    event_id: UUID
    event_type: str
    booking_id: UUID | None
    event_at: datetime
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    next_attempt_at: datetime | None = Field(description="When pending: the next try.")
    first_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    latency_ms: float | None = Field(description="Of the last attempt.")
    delivered_at: datetime | None

    @classmethod
    def of(cls, record: DeliveryRecord) -> DeliveryOut:
        return cls(
            id=record.id,
            event_id=record.event_id,
            event_type=record.event_type,
            booking_id=record.booking_id,
            event_at=record.event_at,
            status=record.status,  # type: ignore[arg-type]  # the table's CHECK allows these
            attempts=record.attempts,
            next_attempt_at=record.next_attempt_at if record.status == "pending" else None,
            first_attempt_at=record.first_attempt_at,
            last_attempt_at=record.last_attempt_at,
            last_status_code=record.last_status_code,
            last_error=record.last_error,
            latency_ms=record.latency_ms,
            delivered_at=record.delivered_at,
        )
