"""Operating surfaces: probes, Prometheus metrics, the rollout gate, the event log and OpenAPI."""

from __future__ import annotations

from typing import Any

from prometheus_client import REGISTRY

from e2e.api.kit import Api, api_settings
from seatflow.api import create_app
from seatflow.pipeline.metrics import METRIC_NAMES
from support.events import add_events, shadow_compares


async def test_healthz_answers_without_a_key(api: Api) -> None:
    """/healthz only says the process is up; it needs no key."""
    response = await api.client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_checks_database_and_migrations(api: Api) -> None:
    """/readyz is 200 on a migrated database and 503 naming the check once the schema lags."""
    ready = await api.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"database": "ok", "migrations": "ok"}}
    await api.sql("UPDATE alembic_version SET version_num = '0001'")
    behind = await api.client.get("/readyz")
    assert behind.status_code == 503
    assert behind.json()["checks"]["database"] == "ok"
    assert behind.json()["checks"]["migrations"].startswith("at 0001, newest is")


async def test_metrics_expose_every_family(api: Api) -> None:
    """/metrics lists every seatflow metric, and counts an inline V3 confirmation."""
    await api.book(2, wait_ms=2000)
    await api.book(2)
    response = await api.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    for name in METRIC_NAMES:
        assert f"# TYPE {name.removesuffix('_total')}" in text, name
    assert 'seatflow_assignments_total{outcome="confirmed",pipeline="v3"} 1.0' in text
    assert 'seatflow_assignment_decision_seconds_count{pipeline="v3"} 1.0' in text
    assert "seatflow_queue_depth 1.0" in text
    assert 'seatflow_breaker_state{state="closed"} 1.0' in text
    assert "seatflow_events_dropped_total 0.0" in text


async def test_each_app_has_its_own_registry(api: Api, db_url: str) -> None:
    """Metrics live on a registry per app, never the global one, so apps never collide."""
    assert api.state.metrics.registry is not REGISTRY
    assert not [name for name in METRIC_NAMES if REGISTRY.get_sample_value(name) is not None]
    create_app(api_settings(db_url), db_url)  # a second app: no duplicate-metric error


async def test_rollout_status_reports_the_gate(api: Api) -> None:
    """The admin rollout view counts V3 outcomes from the events and gives the gate's verdict
    with each check's figure, threshold and sample; the minimum samples are parameters."""
    await api.book(2, wait_ms=2000)
    await api.flush_events()
    body = await rollout(api)
    assert body["pipelines"]["v3"]["confirmed"] == 1
    assert body["pipelines"]["v3"]["success_rate"] == 1.0
    assert body["gate"]["verdict"] == "insufficient_evidence" and body["gate"]["go"] is False
    assert check(body["gate"], "v3_success_rate") == {
        "name": "v3_success_rate",
        "label": "V3 success rate",
        "figure": 1.0,
        "comparison": ">=",
        "threshold": 0.97,
        "is_rate": True,
        "sample": 1,
        "sample_unit": "outcomes",
        "min_sample": 200,
        "status": "insufficient",
    }
    lowered = await rollout(api, "min_outcomes=1&min_comparisons=1")
    assert lowered["gate"]["verdict"] == "go" and lowered["gate"]["go"] is True
    assert [(r["restaurant"], r["verdict"]) for r in lowered["restaurants"]] == [("alpha", "go")]
    scoped = await rollout(api, "restaurant=beta")
    assert scoped["pipelines"] == {} and scoped["gate"]["verdict"] == "insufficient_evidence"
    missing = await api.client.get(
        "/v1/rollout/status?restaurant=nowhere", headers=api.auth("admin")
    )
    assert missing.status_code == 404
    bad = await api.client.get("/v1/rollout/status?min_outcomes=0", headers=api.auth("admin"))
    assert bad.status_code == 422 and bad.json()["field"] == "min_outcomes"


async def test_rollout_status_judges_each_restaurant_and_skips_simulated(api: Api) -> None:
    """One restaurant at 95 % success makes the gate NO-GO; simulated events count only with
    include_simulated."""
    alpha, beta = api.restaurants["alpha"], api.restaurants["beta"]
    add_events(api.url, "coordinator.confirmed", 1000, restaurant_id=alpha)
    add_events(api.url, "coordinator.confirmed", 190, restaurant_id=beta)
    add_events(api.url, "coordinator.manual_review", 10, restaurant_id=beta)
    body = await rollout(api)
    assert body["gate"]["verdict"] == "no_go"
    assert check(body["gate"], "v3_success_rate")["status"] == "pass"  # the total passes
    assert body["gate"]["reasons"][0].startswith("restaurant beta: V3 success rate 95.0%")
    verdicts = {r["restaurant"]: r["verdict"] for r in body["restaurants"]}
    assert verdicts == {"alpha": "go", "beta": "no_go"}
    shadow_compares(api.url, "legacy_better", 150, restaurant_id=alpha, simulated=True)
    assert (await rollout(api))["shadow"] == {}
    simulated = await rollout(api, "include_simulated=true")
    assert simulated["include_simulated"] is True
    assert simulated["shadow"] == {"legacy_better": 150}
    assert check(simulated["gate"], "shadow_worse_rate")["status"] == "fail"


async def rollout(api: Api, query: str = "") -> dict[str, Any]:
    response = await api.client.get(f"/v1/rollout/status?{query}", headers=api.auth("admin"))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def check(gate: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in gate["checks"] if c["name"] == name)
    return found


async def test_events_filter_by_booking_type_and_source(api: Api) -> None:
    """The event log filters by booking, type and source, newest first, within the limit."""
    booking = (await api.book(2, wait_ms=2000)).json()["id"]
    await api.book(2, wait_ms=2000)
    await api.flush_events()
    headers = api.auth("admin")
    mine = (await api.client.get(f"/v1/events?booking_id={booking}", headers=headers)).json()
    assert mine and {e["booking_id"] for e in mine} == {booking}
    types = [e["event_type"] for e in mine]
    assert "coordinator.start" in types and "coordinator.confirmed" in types
    assert [e["created_at"] for e in mine] == sorted((e["created_at"] for e in mine), reverse=True)
    confirmed = (
        await api.client.get("/v1/events?event_type=coordinator.confirmed", headers=headers)
    ).json()
    assert len(confirmed) == 2
    one = (
        await api.client.get("/v1/events?source=assignment.state_machine&limit=1", headers=headers)
    ).json()
    assert len(one) == 1 and one[0]["source"] == "assignment.state_machine"


async def test_events_reject_bad_filters(api: Api) -> None:
    """Malformed filters are 422 naming the parameter, never a 500."""
    for query, field in (
        ("booking_id=nope", "booking_id"),
        ("limit=0", "limit"),
        ("since=yesterday", "since"),
        ("since=2026-01-01T00:00:00", "since"),
        ("source=a%00b", "source"),
    ):
        response = await api.client.get(f"/v1/events?{query}", headers=api.auth("admin"))
        assert response.status_code == 422, query
        assert response.json()["field"] == field


async def test_openapi_documents_the_v1_api(api: Api) -> None:
    """/docs serves the OpenAPI UI and every public path is under /v1 with a bearer scheme."""
    assert (await api.client.get("/docs")).status_code == 200
    schema = (await api.client.get("/openapi.json")).json()
    public = [p for p in schema["paths"] if p not in ("/healthz", "/readyz", "/metrics")]
    assert public and all(p.startswith("/v1/") for p in public)
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert "/v1/restaurants/{slug}/bookings/{booking_id}/assign" in schema["paths"]
