"""The pure part of webhooks: event types, bodies, signatures, the retry schedule, refused
addresses."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from seatflow.domain.webhooks import (
    OutboxChange,
    RetrySchedule,
    event_body,
    event_type_of,
    first_refused,
    generate_secret,
    refused_address,
    sign,
    signature_header,
    trigger_of,
    verify_signature,
)
from support.receiver import documented_verify

NOW = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)
SCHEDULE = RetrySchedule(
    base=timedelta(seconds=10), cap=timedelta(minutes=5), window=timedelta(hours=1)
)


@pytest.mark.parametrize(
    ("topic", "payload", "expected"),
    [
        ("booking.assignment_state_changed", {"to": "confirmed"}, "booking.confirmed"),
        ("booking.assignment_state_changed", {"to": "manual_review"}, "booking.review_required"),
        ("booking.assignment_state_changed", {"to": "failed"}, "booking.failed"),
        ("booking.assignment_state_changed", {"to": "cancelled"}, "booking.cancelled"),
        ("booking.assignment_state_changed", {"to": "capacity_verified"}, None),
        ("booking.assignment_state_changed", {"to": "assignment_in_progress"}, None),
        ("booking.status_changed", {"status": "seated"}, "booking.seated"),
        ("booking.status_changed", {"status": "completed"}, "booking.completed"),
        ("booking.status_changed", {"status": "no_show"}, "booking.no_show"),
        ("booking.status_changed", {"status": "confirmed"}, "booking.reinstated"),
        ("booking.moved", {}, "booking.moved"),
        ("something.else", {}, None),
    ],
)
def test_event_types_of_outbox_rows(topic: str, payload: dict[str, str], expected: str) -> None:
    """Each outbox change maps to its event type; the pipeline's inner steps to none."""
    assert event_type_of(topic, payload) == expected


def _change(**payload: object) -> OutboxChange:
    return OutboxChange(
        event_id=uuid4(),
        topic="booking.moved",
        payload=payload,
        created_at=NOW,
        booking_id=uuid4(),
        restaurant_slug="r5",
        ref="PLAT-1",
        status="confirmed",
        party_size=4,
        start_at=NOW,
        tables=("B", "C"),
        trigger="repack",
    )


def test_a_body_names_the_booking_and_its_tables_and_nothing_of_the_guest() -> None:
    """The body carries id, type, restaurant slug, status, tables, reason, trigger; only the
    keys documented, so no guest field can slip in from a payload."""
    change = _change(reason="repack", from_tables=["A"], to_tables=["B", "C"], actor="repack")
    body = json.loads(event_body(change, "booking.moved"))
    assert body["id"] == str(change.event_id) and body["type"] == "booking.moved"
    assert set(body["data"]) == {
        "booking_id",
        "restaurant",
        "ref",
        "status",
        "party_size",
        "start_at",
        "tables",
        "reason",
        "trigger",
        "from_tables",
    }
    assert body["data"]["tables"] == ["B", "C"] and body["data"]["from_tables"] == ["A"]
    assert body["data"]["trigger"] == "repack"


@pytest.mark.parametrize(
    ("actor", "trigger"),
    [
        ("v3:creation", "creation"),
        ("legacy:modification", "modification"),
        ("sweep:overstay", "overstay"),
        ("api:5872f0c524c5", "api"),
        ("recovery", "recovery"),
        (None, None),
    ],
)
def test_the_trigger_is_what_set_the_change_going(actor: str | None, trigger: str | None) -> None:
    """A pipeline's or a sweep's actor gives its trigger; an API key's gives `api` only."""
    assert trigger_of(actor) == trigger


def test_a_body_is_the_same_text_each_time() -> None:
    """Retries and replays send identical bytes: the body is deterministic."""
    change = _change(reason=None)
    assert event_body(change, "booking.confirmed") == event_body(change, "booking.confirmed")


def test_signatures_verify_and_tampering_does_not() -> None:
    """The header verifies with its secret and body, by our check and the documented one; a
    changed body, another secret or an old timestamp does not."""
    secret, body, stamp = generate_secret(), '{"id":"x"}', 1_800_000_000
    header = signature_header(secret, stamp, body)
    assert header == f"t={stamp},v1={sign(secret, stamp, body)}"
    assert verify_signature(secret, header, body, now=stamp + 10)
    assert not verify_signature(secret, header, body + " ", now=stamp)
    assert not verify_signature(generate_secret(), header, body, now=stamp)
    assert not verify_signature(secret, header, body, now=stamp + 301)
    assert not verify_signature(secret, "v1=abc", body, now=stamp)
    documented = documented_verify()
    fresh = signature_header(secret, int(datetime.now(UTC).timestamp()), body)
    assert documented(secret, fresh, body.encode())
    assert not documented(secret, fresh, body.encode() + b"x")
    assert not documented(secret, header, body.encode())  # 2027: too far from now


def test_retry_delays_grow_to_the_cap_with_jitter() -> None:
    """The n-th failure waits between half and all of min(cap, base·2^(n-1))."""
    rng = random.Random(7)
    for failures, ceiling in ((1, 10), (2, 20), (3, 40), (5, 160), (6, 300), (30, 300)):
        for _ in range(50):
            delay = SCHEDULE.delay(failures, rng).total_seconds()
            assert ceiling / 2 <= delay <= ceiling


def test_retries_end_with_the_window() -> None:
    """A next attempt past the window after the first is None: give up."""
    rng = random.Random(1)
    first = NOW
    assert SCHEDULE.next_attempt(1, first, NOW, rng) is not None
    late = first + timedelta(minutes=59, seconds=59)
    assert SCHEDULE.next_attempt(6, first, late, rng) is None


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("127.0.0.1", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1%eth0", "link-local"),
        ("fd00::1", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("100.64.0.1", "public"),
        ("93.184.215.14", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_refused_addresses(address: str, refused: str | None) -> None:
    """Loopback, private, link-local, unspecified, multicast and shared addresses are refused;
    public ones are not."""
    reason = refused_address(address)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and refused in reason


def test_one_refused_address_refuses_the_host() -> None:
    """A host resolving to a public and a private address is refused."""
    assert first_refused(["93.184.215.14", "10.0.0.1"]) is not None
    assert first_refused(["93.184.215.14"]) is None
