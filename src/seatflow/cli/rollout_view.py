"""How `seatflow rollout status` (and the demo) print a rollout report: the evidence, every gate
check with its figure, threshold and sample, optionally each restaurant, then the verdict."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from seatflow.pipeline.rollout_gate import Check, CheckStatus, GateResult, Verdict
from seatflow.pipeline.rollout_report import RolloutReport, ScopeReport

__all__ = ["console", "render"]

console = Console()
_VERDICT_STYLE = {
    Verdict.GO: "bold green",
    Verdict.NO_GO: "bold red",
    Verdict.INSUFFICIENT: "bold yellow",
}
_STATUS_STYLE = {
    CheckStatus.PASS: "green",
    CheckStatus.FAIL: "red",
    CheckStatus.INSUFFICIENT: "yellow",
    CheckStatus.NO_DATA: "dim",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def render(report: RolloutReport, since: str, *, by_restaurant: bool = False) -> None:
    """Everything behind the verdict, then the verdict itself."""
    console.print(_outcomes(report, since))
    console.print(_retries(report))
    console.print(f"lock contention events: {report.lock_contention}")
    if report.shadow:
        total = sum(report.shadow.values())
        agreeing = report.shadow.get("same", 0) + report.shadow.get("equivalent", 0)
        parts = ", ".join(f"{k} {v}" for k, v in sorted(report.shadow.items()))
        console.print(f"shadow: {total} comparisons, agreement {agreeing / total:.1%} ({parts})")
    console.print(_checks(report.total.gate))
    if by_restaurant:
        console.print(_restaurants(report.restaurants))
    if not report.window.include_simulated:
        console.print("simulated events left out (--include-simulated counts them)")
    _verdict(report.gate)


def _outcomes(report: RolloutReport, since: str) -> Table:
    table = Table(title=f"Assignment outcomes, last {since}")
    for column in ("pipeline", "confirmed", "review", "errors", "success", "review rate"):
        table.add_column(column)
    for name in ("legacy", "v3"):
        s = report.stats.get(name)
        if s is None:
            table.add_row(name, "0", "0", "0", "—", "—")
            continue
        table.add_row(
            name,
            str(s.confirmed),
            str(s.manual_review),
            str(s.errors),
            _pct(s.success_rate),
            _pct(s.review_rate),
        )
    return table


def _retries(report: RolloutReport) -> Table:
    table = Table(title="Retries and no-ops by reason")
    for column in ("pipeline", "kind", "reason", "count", "mean delay"):
        table.add_column(column)
    for s in report.stats.values():
        for reason, (count, delay) in sorted(s.retries.items()):
            shown = "—" if delay is None else f"{delay / 1000:.1f} s"
            table.add_row(s.pipeline, "retry", reason, str(count), shown)
        for reason, count in sorted(s.noops.items()):
            table.add_row(s.pipeline, "noop", reason, str(count), "—")
    return table


def _checks(gate: GateResult) -> Table:
    table = Table(title="Gate checks")
    for column in ("check", "figure", "needs", "sample", "min", "result"):
        # The check's name may wrap on a narrow terminal; the figures and the result never do.
        table.add_column(column, no_wrap=column != "check")
    for check in gate.checks:
        table.add_row(
            check.label,
            check.show(check.figure),
            f"{check.comparison} {check.show(check.threshold)}",
            f"{check.sample}",
            str(check.min_sample) if check.min_sample else "—",
            _status(check),
        )
    return table


def _status(check: Check) -> str:
    return f"[{_STATUS_STYLE[check.status]}]{check.status.value}[/]"


def _restaurants(scopes: tuple[ScopeReport, ...]) -> Table:
    table = Table(title="Gate per restaurant")
    columns = ("restaurant", "outcomes", "success", "review", "error min")
    for column in (*columns, "comparisons", "worse", "verdict"):
        table.add_column(column, no_wrap=column in ("restaurant", "verdict"))
    for scope in scopes:
        checks = {check.name: check for check in scope.gate.checks}
        success, review = checks["v3_success_rate"], checks["v3_review_rate"]
        errors, shadow = checks["v3_error_minutes"], checks["shadow_worse_rate"]
        verdict = scope.gate.verdict
        table.add_row(
            scope.name or "",
            str(success.sample),
            *(_cell(check) for check in (success, review, errors)),
            str(shadow.sample),
            _cell(shadow),
            f"[{_VERDICT_STYLE[verdict]}]{verdict.label}[/]",
        )
    return table


def _cell(check: Check) -> str:
    if check.status is CheckStatus.NO_DATA:
        return "—"
    return f"[{_STATUS_STYLE[check.status]}]{check.show(check.figure)}[/]"


def _verdict(gate: GateResult) -> None:
    verdict = f"[{_VERDICT_STYLE[gate.verdict]}]{gate.verdict.label}[/]"
    console.print(f"gate: {verdict}", highlight=False)
    for reason in gate.reasons:
        console.print(f"  - {reason}", highlight=False)
