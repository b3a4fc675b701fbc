"""Settings from the environment: flag spellings, rejected values and MAX_PARALLEL clamping."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seatflow.errors import ConfigError
from seatflow.settings import load_settings

V3 = "FEATURE_ASSIGNMENT_PIPELINE_V3"
SHADOW = "FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOW"
MAX_PARALLEL = "FEATURE_ASSIGNMENT_PIPELINE_V3_MAX_PARALLEL"
FLAGS = [V3, SHADOW]


def _spellings(words: list[str]) -> list[str]:
    return sorted({form for w in words for form in (w, w.upper(), w.capitalize())} | set(words))


TRUE_SPELLINGS = _spellings(["true", "1", "yes", "on"]) + ["tRuE", "yEs", "oN", " true "]
FALSE_SPELLINGS = _spellings(["false", "0", "no", "off"]) + ["fAlSe", "nO", "oFf", " off "]


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No seatflow variable from the caller's shell and no `.env` from the working directory."""
    for name in list(os.environ):
        if name.upper().startswith(("FEATURE_", "SEATFLOW_")) or name.upper() == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_leave_the_pipeline_off() -> None:
    """With nothing set, V3 and shadow are off and MAX_PARALLEL is 3."""
    settings = load_settings()
    assert (settings.pipeline_v3, settings.pipeline_v3_shadow) == (False, False)
    assert settings.pipeline_v3_max_parallel == 3


def test_only_the_working_directory_dotenv_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Only a `.env` in the working directory is read; the isolated cwd here has none."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text(f"{V3}=true\n")
    assert load_settings().pipeline_v3 is False
    monkeypatch.chdir(elsewhere)
    assert load_settings().pipeline_v3 is True


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("value", TRUE_SPELLINGS)
def test_true_spellings_turn_a_flag_on(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """true/1/yes/on in any case turn the flag on."""
    monkeypatch.setenv(variable, value)
    settings = load_settings()
    assert (settings.pipeline_v3 if variable == V3 else settings.pipeline_v3_shadow) is True


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("value", FALSE_SPELLINGS)
def test_false_spellings_turn_a_flag_off(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """false/0/no/off in any case turn the flag off, even when the other flag is on."""
    other = SHADOW if variable == V3 else V3
    monkeypatch.setenv(variable, value)
    monkeypatch.setenv(other, "on")
    settings = load_settings()
    assert (settings.pipeline_v3 if variable == V3 else settings.pipeline_v3_shadow) is False
    assert (settings.pipeline_v3_shadow if variable == V3 else settings.pipeline_v3) is True


@pytest.mark.parametrize("variable", FLAGS)
@pytest.mark.parametrize("value", ["maybe", "2", "", "tru", "enabled", "-1", "y"])
def test_other_flag_values_are_rejected_naming_variable_and_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    """Anything but the eight spellings fails with ConfigError naming the variable and value."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"{variable}={value!r}" in message
    assert "not a boolean" in message


@pytest.mark.parametrize(
    ("value", "used"),
    [("0", 1), ("50", 20), ("-3", 1), ("7", 7), ("1", 1), ("20", 20), ("21", 20), (" 4 ", 4)],
)
def test_max_parallel_is_clamped_to_1_through_20(
    monkeypatch: pytest.MonkeyPatch, value: str, used: int
) -> None:
    """MAX_PARALLEL outside 1..20 is clamped, never rejected."""
    monkeypatch.setenv(MAX_PARALLEL, value)
    assert load_settings().pipeline_v3_max_parallel == used


@pytest.mark.parametrize("value", ["many", "2.5", "", "7x"])
def test_non_integer_max_parallel_is_rejected_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A MAX_PARALLEL that is not an integer fails with ConfigError naming the variable."""
    monkeypatch.setenv(MAX_PARALLEL, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{MAX_PARALLEL}={value!r}" in str(caught.value)
    assert "not an integer" in str(caught.value)


def test_every_bad_variable_is_reported_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two bad settings produce one error that names both variables."""
    monkeypatch.setenv(V3, "maybe")
    monkeypatch.setenv(MAX_PARALLEL, "lots")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert V3 in str(caught.value)
    assert MAX_PARALLEL in str(caught.value)
