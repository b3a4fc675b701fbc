"""Every setting seatflow reads, in one object built once at the edge (CLI, worker, API).

Bad values fail at start-up with the variable's name; nothing below the edge reads the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import structlog
from pydantic import Field, ValidationError, ValidationInfo, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from seatflow.errors import ConfigError
from seatflow.variables import (
    Source,
    Unknown,
    dotenv_names,
    redact,
    source_of,
    unknown_variables,
)

log = structlog.get_logger(__name__)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
MAX_PARALLEL_RANGE = (1, 20)
LOG_LEVELS = ("debug", "info", "warning", "error")
LOG_FORMATS = ("console", "json")
URL_SCHEMES = ("postgresql://", "postgres://")
URL_EXAMPLE = "postgresql://user:password@host:5432/dbname"
#: Variables with seatflow's prefixes that are read by something other than Settings.
READ_ELSEWHERE = {
    "SEATFLOW_TEST_DATA_DIR": "the test suite's embedded server directory (tests/conftest.py)",
    "SEATFLOW_TEST_POOLER_URL": "a pooler the test suite reaches its databases through "
    "(tests/conftest.py)",
}
#: Settings whose values are never printed or logged as given (passwords inside).
SECRETS = frozenset({"database_url", "session_secret"})
#: The ops console's cookie-signing secret is at least this long (a short one is guessable).
SESSION_SECRET_MIN = 32


def parse_flag(value: Any) -> bool:
    """Flags accept true/false/1/0/yes/no/on/off in any case, and nothing else."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"not a boolean: {value!r} (use true/false, 1/0, yes/no or on/off)")


def clamp_parallel(value: Any) -> int:
    """MAX_PARALLEL is an integer; outside 1..20 it is clamped with a warning, never rejected."""
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"not an integer: {value!r}") from None
    low, high = MAX_PARALLEL_RANGE
    clamped = min(max(number, low), high)
    if clamped != number:
        log.warning("max_parallel_clamped", requested=number, used=clamped)
    return clamped


class Settings(BaseSettings):
    """seatflow's configuration; see .env.example for every variable."""

    # extra="ignore" keeps pydantic from rejecting a shared .env's other keys; load_settings
    # refuses only undeclared names with seatflow's prefixes (variables.unknown_variables).
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path | None = Field(default=None, alias="SEATFLOW_DATA_DIR")
    pipeline_v3: bool = Field(default=False, alias="FEATURE_ASSIGNMENT_PIPELINE_V3")
    pipeline_v3_shadow: bool = Field(default=False, alias="FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW")
    pipeline_v3_max_parallel: int = Field(
        default=3, alias="FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL"
    )
    pipeline_v3_restaurants: str = Field(
        default="", alias="FEATURE_ASSIGNMENT_PIPELINE_V3_RESTAURANTS"
    )
    pipeline_v3_percent: int = Field(
        default=100, ge=0, le=100, alias="FEATURE_ASSIGNMENT_PIPELINE_V3_PERCENT"
    )
    repack_budget_ms: int = Field(default=2000, ge=0, le=60000, alias="SEATFLOW_REPACK_BUDGET_MS")
    key_concurrency: int = Field(default=4, ge=1, le=1000, alias="SEATFLOW_KEY_CONCURRENCY")
    hold_seconds: int = Field(default=120, ge=5, le=3600, alias="SEATFLOW_HOLD_SECONDS")
    max_errors: int = Field(default=5, ge=1, le=100, alias="SEATFLOW_MAX_ERRORS")
    log_level: str = Field(default="info", alias="SEATFLOW_LOG_LEVEL")
    log_format: str = Field(default="console", alias="SEATFLOW_LOG_FORMAT")
    idempotency_hours: int = Field(default=24, ge=1, le=720, alias="SEATFLOW_IDEMPOTENCY_HOURS")
    worker_metrics_port: int = Field(
        default=9464, ge=0, le=65535, alias="SEATFLOW_WORKER_METRICS_PORT"
    )
    #: How often a worker tells the database it is alive; a worker silent for
    #: `stalled_after_seconds` is taken as dead and its running jobs go back to the queue.
    worker_heartbeat_seconds: float = Field(
        default=10.0, ge=0.5, le=300, alias="SEATFLOW_WORKER_HEARTBEAT_SECONDS"
    )
    stalled_after_seconds: float = Field(
        default=30.0, ge=1, le=3600, alias="SEATFLOW_STALLED_AFTER_SECONDS"
    )
    #: psycopg prepares a statement after it ran 5 times on a connection; PgBouncer before 1.21
    #: in transaction mode cannot carry prepared statements, so turn this off behind it.
    prepared_statements: bool = Field(default=True, alias="SEATFLOW_PREPARED_STATEMENTS")
    session_secret: str | None = Field(default=None, alias="SEATFLOW_SESSION_SECRET")
    webhook_allow_private: bool = Field(default=False, alias="SEATFLOW_WEBHOOK_ALLOW_PRIVATE")
    webhook_timeout_seconds: float = Field(
        default=10.0, ge=0.1, le=60, alias="SEATFLOW_WEBHOOK_TIMEOUT_SECONDS"
    )
    webhook_retry_base_seconds: float = Field(
        default=10.0, ge=0.01, le=3600, alias="SEATFLOW_WEBHOOK_RETRY_BASE_SECONDS"
    )
    webhook_retry_cap_seconds: float = Field(
        default=3600.0, ge=0.01, le=86400, alias="SEATFLOW_WEBHOOK_RETRY_CAP_SECONDS"
    )
    webhook_retry_window_seconds: float = Field(
        default=86400.0, ge=0.1, le=7 * 86400, alias="SEATFLOW_WEBHOOK_RETRY_WINDOW_SECONDS"
    )
    webhook_concurrency: int = Field(default=4, ge=1, le=32, alias="SEATFLOW_WEBHOOK_CONCURRENCY")
    webhook_poll_seconds: float = Field(
        default=1.0, ge=0.05, le=60, alias="SEATFLOW_WEBHOOK_POLL_SECONDS"
    )

    @field_validator("pipeline_v3", "pipeline_v3_shadow", "webhook_allow_private", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool:
        return parse_flag(value)

    @field_validator("pipeline_v3_max_parallel", mode="before")
    @classmethod
    def _parallel(cls, value: Any) -> int:
        return clamp_parallel(value)

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _choice(cls, value: Any, info: ValidationInfo) -> str:
        choices = LOG_LEVELS if info.field_name == "log_level" else LOG_FORMATS
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"use one of {', '.join(choices)}")
        return text

    @field_validator("stalled_after_seconds")
    @classmethod
    def _stalled_after(cls, value: float, info: ValidationInfo) -> float:
        heartbeat = info.data.get("worker_heartbeat_seconds")
        if heartbeat is not None and value < 2 * heartbeat:
            raise ValueError(
                f"must be at least twice SEATFLOW_WORKER_HEARTBEAT_SECONDS ({heartbeat:g} s), "
                "or a live worker's jobs would be taken from it"
            )
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _url(cls, value: Any) -> str | None:
        return check_database_url(value)

    @field_validator("session_secret", mode="before")
    @classmethod
    def _secret(cls, value: Any) -> str | None:
        return check_session_secret(value)

    @property
    def v3_restaurant_slugs(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.pipeline_v3_restaurants.split(",") if s.strip())


def check_database_url(value: Any) -> str | None:
    """A postgresql:// (or postgres://) URL that libpq can parse; empty means the embedded one."""
    if value is None or not str(value).strip():
        return None
    url = str(value).strip()
    if not url.startswith(URL_SCHEMES):
        scheme, found, _ = url.partition("://")
        what = f"the scheme {scheme!r} is not PostgreSQL" if found else "not a URL"
        raise ValueError(f"{what}: expected {URL_EXAMPLE}")
    try:
        parts = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.Error as exc:
        raise ValueError(f"not a valid PostgreSQL URL ({_first_line(exc)})") from None
    for port in str(parts.get("port") or "").split(","):
        if port and not (port.isdigit() and 0 < int(port) < 65536):
            raise ValueError(f"port {port!r} is not a TCP port (1..65535)")
    return url


def check_session_secret(value: Any) -> str | None:
    """At least SESSION_SECRET_MIN characters; empty means "generate one per process"."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if len(text) < SESSION_SECRET_MIN:
        raise ValueError(
            f"too short: use at least {SESSION_SECRET_MIN} random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return text


def load_settings(**overrides: Any) -> Settings:
    """Build Settings; every unknown variable of ours and every bad value becomes one ConfigError
    naming the variables (a secret's value with its password hidden)."""
    problems = [str(unknown) for unknown in _unknown()]
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        problems[:0] = [_problem(error) for error in exc.errors()]
    if problems:
        raise ConfigError("; ".join(problems))
    return settings


@dataclass(frozen=True, slots=True, kw_only=True)
class Effective:
    """One setting as the process sees it: what `seatflow config show` prints."""

    variable: str
    value: str
    source: Source


def effective_settings(settings: Settings) -> list[Effective]:
    """Every setting's variable, its value as used (secrets redacted) and where it came from."""
    dotenv = dotenv_names(_env_file())
    rows = []
    for name, field in Settings.model_fields.items():
        variable = field.alias or name
        text = _as_variable(getattr(settings, name))
        rows.append(
            Effective(
                variable=variable,
                value=hidden(name, text),
                source=source_of(variable, os.environ, dotenv),
            )
        )
    return rows


def hidden(name: str, text: str) -> str:
    """A setting's value as it may be printed: passwords of URLs redacted, whole secrets hidden."""
    if name not in SECRETS:
        return text
    if name == "session_secret":
        return "***" if text else ""
    return redact(text)


def _as_variable(value: object) -> str:
    """A value spelt as it would be written in `.env`."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _unknown() -> list[Unknown]:
    known = [field.alias or name for name, field in Settings.model_fields.items()]
    return unknown_variables([*known, *READ_ELSEWHERE], os.environ, dotenv_names(_env_file()))


def _env_file() -> Path:
    return Path(str(Settings.model_config.get("env_file") or ".env"))


def _problem(error: ErrorDetails) -> str:
    """`invalid setting VARIABLE='value': why`, the value of a secret with its password hidden."""
    given = str(error["loc"][0]) if error["loc"] else "?"
    name = _ALIASES.get(given, given)
    field = Settings.model_fields.get(name)
    variable = field.alias if field is not None and field.alias else given
    value = error.get("input")
    shown = hidden(name, str(value)) if name in SECRETS else value
    return (
        f"invalid setting {variable}={shown!r}: {str(error['msg']).removeprefix('Value error, ')}"
    )


#: Field names by variable: pydantic reports a value given by its alias under the alias.
_ALIASES = {field.alias: name for name, field in Settings.model_fields.items() if field.alias}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
