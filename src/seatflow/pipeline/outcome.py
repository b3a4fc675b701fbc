"""What one assignment invocation decided — the value every caller (simulate, jobs, API) acts on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum


class OutcomeKind(StrEnum):
    CONFIRMED = "confirmed"
    RETRY = "retry"
    MANUAL_REVIEW = "manual_review"
    NOOP = "noop"
    ERROR = "error"


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    kind: OutcomeKind
    reason: str | None = None
    strategy: str | None = None
    tables: tuple[str, ...] = ()
    delay: timedelta | None = None  # when the caller should run the booking again
    attempt: int | None = None  # the booking's attempt number, when this invocation made one

    @property
    def settled(self) -> bool:
        """Confirmed or in review: nothing further will happen without a new trigger."""
        return self.kind in (OutcomeKind.CONFIRMED, OutcomeKind.MANUAL_REVIEW)

    @classmethod
    def confirmed(cls, strategy: str, tables: tuple[str, ...]) -> Outcome:
        return cls(kind=OutcomeKind.CONFIRMED, strategy=strategy, tables=tables)

    @classmethod
    def retry(cls, reason: str, delay: timedelta) -> Outcome:
        return cls(kind=OutcomeKind.RETRY, reason=reason, delay=delay)

    @classmethod
    def manual_review(cls, reason: str) -> Outcome:
        return cls(kind=OutcomeKind.MANUAL_REVIEW, reason=reason)

    @classmethod
    def noop(cls, reason: str, delay: timedelta | None = None) -> Outcome:
        return cls(kind=OutcomeKind.NOOP, reason=reason, delay=delay)

    @classmethod
    def error(cls, reason: str, delay: timedelta) -> Outcome:
        return cls(kind=OutcomeKind.ERROR, reason=reason, delay=delay)
