"""Every setting seatflow reads, in one object built once at the edge (CLI, worker, API).

Bad values fail at start-up with the variable's name; nothing below the edge reads the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import structlog
from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from seatflow.errors import ConfigError

log = structlog.get_logger(__name__)

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}
MAX_PARALLEL_RANGE = (1, 20)


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
    hold_seconds: int = Field(default=120, ge=5, le=3600, alias="SEATFLOW_HOLD_SECONDS")
    max_errors: int = Field(default=5, ge=1, le=100, alias="SEATFLOW_MAX_ERRORS")
    log_level: str = Field(default="info", alias="SEATFLOW_LOG_LEVEL")

    @field_validator("pipeline_v3", "pipeline_v3_shadow", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> bool:
        return parse_flag(value)

    @field_validator("pipeline_v3_max_parallel", mode="before")
    @classmethod
    def _parallel(cls, value: Any) -> int:
        return clamp_parallel(value)

    @property
    def v3_restaurant_slugs(self) -> frozenset[str]:
        return frozenset(s.strip() for s in self.pipeline_v3_restaurants.split(",") if s.strip())


def load_settings(**overrides: Any) -> Settings:
    """Build Settings, turning pydantic's error into one line that names variable and value."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            variable = _variable_name(error["loc"])
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{variable}={error.get('input')!r}: {message}")
        raise ConfigError("invalid setting " + "; ".join(problems)) from None


def _variable_name(loc: tuple[int | str, ...]) -> str:
    name = str(loc[0]) if loc else "?"
    field = Settings.model_fields.get(name)
    if field is not None and field.alias:
        return field.alias
    return name
