"""The relay's SQL on a real PostgreSQL: fan-out to the endpoints that want an event, a booking's
events leased in order, per-endpoint limits, leases that run out, outcomes recorded."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

from seatflow.domain.floor import FloorPlan, Table, TurnRule, VenuePolicy, Zone
from seatflow.store.bookings import NewBooking, insert_booking
from seatflow.store.database import Connection
from seatflow.store.floors import import_floor, load_floor
from seatflow.store.webhook_relay import (
    Outcome,
    claim_due,
    fan_out,
    record_delivered,
    record_failure,
)
from seatflow.store.webhooks import NewEndpoint, insert_endpoint

START = datetime(2026, 12, 5, 19, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
OK = Outcome(status_code=200, error=None, latency_ms=5.0)
BAD = Outcome(status_code=500, error="HTTP 500", latency_ms=5.0)


def _floor(slug: str) -> FloorPlan:
    return FloorPlan(
        slug=slug,
        name=slug.title(),
        policy=VenuePolicy(turn_minutes=(TurnRule(max_party=99, minutes=90),)),
        zones=(Zone(key="main", name="Main"),),
        tables=(Table(key="T1", zone="main", capacity=4), Table(key="T2", zone="main", capacity=4)),
    )


async def _restaurant(conn: Connection, slug: str) -> UUID:
    async with conn.transaction():
        await import_floor(conn, _floor(slug))
    return (await load_floor(conn, slug)).restaurant_id


async def _booking(conn: Connection, restaurant_id: UUID, *, simulated: bool = False) -> UUID:
    async with conn.transaction():
        new = NewBooking(
            restaurant_id=restaurant_id,
            party_size=2,
            start_at=START,
            end_at=START + timedelta(hours=2),
            simulated=simulated,
        )
        return (await insert_booking(conn, new)).id


async def _change(conn: Connection, booking_id: UUID, status: str) -> None:
    """What live_service.sql writes for a status change: one outbox row."""
    payload = json.dumps({"booking_id": str(booking_id), "status": status})
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO outbox (topic, aggregate_id, payload) "
            "VALUES ('booking.status_changed', %s, %s)",
            (booking_id, payload),
        )


async def _endpoint(conn: Connection, restaurant_id: UUID | None, *types: str) -> UUID:
    new = NewEndpoint(
        restaurant_id=restaurant_id,
        url="http://127.0.0.1:9/hook",
        event_types=types or ("booking.seated", "booking.completed"),
        secret="whsec_" + "s" * 43,
    )
    async with conn.transaction():
        return (await insert_endpoint(conn, new)).id


async def _fan_out(conn: Connection) -> int:
    async with conn.transaction():
        return await fan_out(conn)


async def _claim(conn: Connection, per_endpoint: int = 4, lease: timedelta = LEASE) -> list[str]:
    async with conn.transaction():
        claimed = await claim_due(conn, per_endpoint=per_endpoint, limit=50, lease=lease)
    return [c.event_type for c in claimed]


async def test_fan_out_reaches_the_endpoints_that_want_the_event(conn: Connection) -> None:
    """One delivery per enabled endpoint wanting the type — the restaurant's and admin-wide —
    none for another restaurant's, a disabled one, internal steps or simulated bookings; every
    row read is published."""
    alpha, beta = await _restaurant(conn, "alpha"), await _restaurant(conn, "beta")
    own = await _endpoint(conn, alpha)
    everyone = await _endpoint(conn, None, "booking.seated")
    await _endpoint(conn, beta)
    await _endpoint(conn, alpha, "booking.cancelled")
    disabled = await _endpoint(conn, alpha)
    await conn.execute("UPDATE webhook_endpoints SET enabled = false WHERE id = %s", (disabled,))
    await conn.commit()
    booking = await _booking(conn, alpha)
    await _change(conn, booking, "seated")
    await _change(conn, await _booking(conn, alpha, simulated=True), "seated")
    assert await _fan_out(conn) >= 2
    rows = await (
        await conn.execute("SELECT endpoint_id, event_type, body FROM webhook_deliveries")
    ).fetchall()
    assert sorted(str(r["endpoint_id"]) for r in rows) == sorted([str(own), str(everyone)])
    assert json.loads(rows[0]["body"])["data"]["restaurant"] == "alpha"
    left = await (
        await conn.execute("SELECT count(*) AS n FROM outbox WHERE published_at IS NULL")
    ).fetchone()
    assert left == {"n": 0}


async def test_a_bookings_events_are_leased_one_after_the_other(conn: Connection) -> None:
    """seated then completed: completed is not leased while seated is pending (even when seated
    waits for a retry), and is once seated was delivered."""
    alpha = await _restaurant(conn, "alpha")
    await _endpoint(conn, alpha)
    booking = await _booking(conn, alpha)
    await _change(conn, booking, "seated")
    await _change(conn, booking, "completed")
    await _fan_out(conn)
    async with conn.transaction():
        (seated,) = await claim_due(conn, per_endpoint=4, limit=50, lease=LEASE)
    assert seated.event_type == "booking.seated"
    assert await _claim(conn) == []
    async with conn.transaction():
        later = datetime.now(UTC) + timedelta(hours=1)
        assert await record_failure(conn, seated, BAD, later) is False
    assert await _claim(conn) == []
    async with conn.transaction():
        await record_delivered(conn, seated.id, OK)
    assert await _claim(conn) == ["booking.completed"]


async def test_an_endpoint_has_at_most_its_limit_in_flight(conn: Connection) -> None:
    """Three bookings' events and a limit of two: two leased, the third after one is done."""
    alpha = await _restaurant(conn, "alpha")
    await _endpoint(conn, alpha)
    for _ in range(3):
        await _change(conn, await _booking(conn, alpha), "seated")
    await _fan_out(conn)
    assert len(await _claim(conn, per_endpoint=2)) == 2
    assert await _claim(conn, per_endpoint=2) == []
    await conn.execute("UPDATE webhook_deliveries SET status = 'delivered' WHERE id = 1")
    await conn.commit()
    assert len(await _claim(conn, per_endpoint=2)) == 1


async def test_a_lease_that_ran_out_is_leased_again(conn: Connection) -> None:
    """A worker that died holding a lease: once it runs out the delivery is leased again, its
    attempt counted, the same event id."""
    alpha = await _restaurant(conn, "alpha")
    await _endpoint(conn, alpha)
    await _change(conn, await _booking(conn, alpha), "seated")
    await _fan_out(conn)
    async with conn.transaction():
        (first,) = await claim_due(conn, per_endpoint=4, limit=50, lease=timedelta(0))
    async with conn.transaction():
        (second,) = await claim_due(conn, per_endpoint=4, limit=50, lease=LEASE)
    assert (first.event_id, first.attempts, second.attempts) == (second.event_id, 1, 2)


async def test_giving_up_marks_the_endpoint_failing_once(conn: Connection) -> None:
    """The last failure makes the delivery failed and the endpoint newly failing; a second
    given-up delivery does not tell again; a later success clears it."""
    alpha = await _restaurant(conn, "alpha")
    endpoint = await _endpoint(conn, alpha)
    for _ in range(3):
        await _change(conn, await _booking(conn, alpha), "seated")
    await _fan_out(conn)
    async with conn.transaction():
        claimed = await claim_due(conn, per_endpoint=4, limit=50, lease=LEASE)
    told = []
    for delivery in claimed[:2]:
        async with conn.transaction():
            told.append(await record_failure(conn, delivery, BAD, None))
    assert told == [True, False]
    failing = "SELECT failing_since IS NOT NULL AS failing FROM webhook_endpoints WHERE id = %s"
    assert await (await conn.execute(failing, (endpoint,))).fetchone() == {"failing": True}
    async with conn.transaction():
        await record_delivered(conn, claimed[2].id, OK)
    assert await (await conn.execute(failing, (endpoint,))).fetchone() == {"failing": False}


async def test_a_move_is_announced_in_the_outbox_and_sent_as_booking_moved(
    conn: Connection,
) -> None:
    """Migration 0008's moves trigger writes a `booking.moved` outbox row (from, to, who); the
    first placement writes none; the relay makes it a `booking.moved` event with both sets."""
    alpha = await _restaurant(conn, "alpha")
    await _endpoint(conn, alpha, "booking.moved")
    booking = await _booking(conn, alpha)
    place = (
        "INSERT INTO allocations (restaurant_id, booking_id, table_id, during) "
        "SELECT %s, %s, t.id, tstzrange(%s, %s) FROM tables t WHERE t.key = %s"
    )
    window = (START, START + timedelta(hours=2))
    async with conn.transaction():
        await conn.execute(place, (alpha, booking, *window, "T1"))
    async with conn.transaction():
        await conn.execute("SELECT set_config('seatflow.actor', 'v3:repack', true)")
        await conn.execute(
            "UPDATE allocations SET released_at = now() WHERE booking_id = %s", (booking,)
        )
        await conn.execute(place, (alpha, booking, *window, "T2"))
    moved = await (
        await conn.execute("SELECT payload FROM outbox WHERE topic = 'booking.moved'")
    ).fetchall()
    assert [(r["payload"]["from_tables"], r["payload"]["to_tables"]) for r in moved] == [
        (["T1"], ["T2"])
    ]
    await _fan_out(conn)
    (row,) = await (await conn.execute("SELECT body FROM webhook_deliveries")).fetchall()
    data = json.loads(row["body"])["data"]
    assert (data["from_tables"], data["tables"], data["trigger"]) == (["T1"], ["T2"], "repack")
