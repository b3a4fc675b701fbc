"""Settings from the environment: flag spellings, rejected values, MAX_PARALLEL clamping, unknown
variables of ours, log and URL checks, and the effective values `config show` prints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from seatflow.errors import ConfigError
from seatflow.settings import Settings, effective_settings, load_settings

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


@pytest.mark.parametrize(
    ("variable", "suggestion"),
    [
        ("FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW", SHADOW),
        ("SEATFLOW_LOG_LEVL", "SEATFLOW_LOG_LEVEL"),
        ("SEATFLOW_NOTHING_LIKE_IT", None),
        ("seatflow_hold_secs", "SEATFLOW_HOLD_SECONDS"),
    ],
)
def test_an_unknown_variable_of_ours_stops_start_up_naming_it(
    monkeypatch: pytest.MonkeyPatch, variable: str, suggestion: str | None
) -> None:
    """A SEATFLOW_* or FEATURE_ASSIGNMENT_PIPELINE_* variable that no setting declares is refused,
    named, with the closest known name when one is close."""
    monkeypatch.setenv(variable, "true")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"unknown variable {variable} (in the environment)" in message
    if suggestion:
        assert f"did you mean {suggestion}?" in message
    else:
        assert "did you mean" not in message


def test_an_unknown_variable_in_dotenv_is_refused_too(tmp_path: Path) -> None:
    """The working directory's `.env` is checked like the environment; its other keys are not."""
    (tmp_path / ".env").write_text(
        "PGPASSWORD=elsewhere\nFEATURE_ASSIGNMENT_PIPELINE_V3_PERCENTT=10\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert "unknown variable FEATURE_ASSIGNMENT_PIPELINE_V3_PERCENTT (in the .env)" in str(
        caught.value
    )
    assert "PGPASSWORD" not in str(caught.value)


def test_the_test_suites_own_variable_and_other_prefixes_are_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SEATFLOW_TEST_DATA_DIR and SEATFLOW_TEST_POOLER_URL (read by the test suite) and FEATURE_*
    of other systems pass."""
    monkeypatch.setenv("SEATFLOW_TEST_DATA_DIR", "/tmp/x")
    monkeypatch.setenv("SEATFLOW_TEST_POOLER_URL", "postgresql://127.0.0.1:6432/test")
    monkeypatch.setenv("FEATURE_SOMETHING_ELSE", "on")
    assert load_settings().pipeline_v3 is False


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("SEATFLOW_LOG_LEVEL", "loud", "use one of debug, info, warning, error"),
        ("SEATFLOW_LOG_LEVEL", "", "use one of debug, info, warning, error"),
        ("SEATFLOW_LOG_FORMAT", "xml", "use one of console, json"),
        ("SEATFLOW_WORKER_METRICS_PORT", "70000", "less than or equal to 65535"),
        ("SEATFLOW_IDEMPOTENCY_HOURS", "0", "greater than or equal to 1"),
        ("SEATFLOW_IDEMPOTENCY_HOURS", "721", "less than or equal to 720"),
        ("SEATFLOW_IDEMPOTENCY_HOURS", "a day", "valid integer"),
        ("SEATFLOW_WEBHOOK_ALLOW_PRIVATE", "maybe", "not a boolean"),
        ("SEATFLOW_WEBHOOK_TIMEOUT_SECONDS", "0", "greater than or equal to 0.1"),
        ("SEATFLOW_WEBHOOK_RETRY_WINDOW_SECONDS", "forever", "valid number"),
        ("SEATFLOW_WEBHOOK_CONCURRENCY", "33", "less than or equal to 32"),
    ],
)
def test_bad_logging_and_metrics_values_are_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    """An invalid log level, log format, metrics port or key retention stops start-up naming the
    variable."""
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    assert f"{variable}={value!r}" in str(caught.value)
    assert expected in str(caught.value)


def test_log_level_and_format_accept_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    """WARNING and JSON are read as warning and json."""
    monkeypatch.setenv("SEATFLOW_LOG_LEVEL", "WARNING")
    monkeypatch.setenv("SEATFLOW_LOG_FORMAT", "JSON")
    settings = load_settings()
    assert (settings.log_level, settings.log_format) == ("warning", "json")


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("not a url", "not a URL"),
        ("mysql://app:hunter2@db/seatflow", "the scheme 'mysql' is not PostgreSQL"),
        ("postgresql+psycopg://db/seatflow", "the scheme 'postgresql+psycopg' is not PostgreSQL"),
        ("postgresql://db:port/seatflow", "port 'port' is not a TCP port"),
        ("postgresql://db/seatflow?colour=blue", 'invalid URI query parameter: "colour"'),
    ],
)
def test_a_database_url_that_is_not_postgresql_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch, value: str, reason: str
) -> None:
    """DATABASE_URL must be a postgresql:// or postgres:// URL libpq parses; the error names
    DATABASE_URL and the reason, and never repeats a password."""
    monkeypatch.setenv("DATABASE_URL", value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("invalid setting DATABASE_URL=")
    assert reason in message
    assert "hunter2" not in message


@pytest.mark.parametrize(
    "value",
    [
        "postgresql://postgres@127.0.0.1:5432/test",
        "postgres://app:secret@db.internal/seatflow?sslmode=require",
        "postgresql://postgres@/seatflow?host=/tmp/pgdata",
    ],
)
def test_postgresql_urls_are_accepted_as_given(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """postgresql:// and postgres:// URLs, with a socket host or query options, pass unchanged."""
    monkeypatch.setenv("DATABASE_URL", value)
    assert load_settings().database_url == value


def test_an_empty_database_url_means_the_embedded_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """DATABASE_URL= (empty, as in a copied .env.example) is the same as unset."""
    monkeypatch.setenv("DATABASE_URL", "")
    assert load_settings().database_url is None


def test_effective_settings_name_sources_and_hide_the_password(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each setting is listed under its variable with its value as used (clamped, redacted) and
    whether it came from the environment, `.env` or the default."""
    monkeypatch.setenv("DATABASE_URL", "postgresql://app:hunter2@db/seatflow")
    monkeypatch.setenv(MAX_PARALLEL, "50")
    (tmp_path / ".env").write_text(f"{SHADOW}=yes\n{MAX_PARALLEL}=4\n")
    rows = {
        row.variable: (row.value, row.source.value) for row in effective_settings(load_settings())
    }
    assert rows["DATABASE_URL"] == ("postgresql://app:***@db/seatflow", "environment")
    assert rows[MAX_PARALLEL] == ("20", "environment")  # the environment wins over .env
    assert rows[SHADOW] == ("true", ".env")
    assert rows[V3] == ("false", "default")
    assert set(rows) == {field.alias for field in Settings.model_fields.values()}


def test_env_example_documents_exactly_the_known_variables(tmp_path: Path) -> None:
    """.env.example names every setting and nothing unknown: copied as `.env`, it loads."""
    example = Path(__file__).resolve().parents[2] / ".env.example"
    text = example.read_text()
    for field in Settings.model_fields.values():
        assert f"{field.alias}=" in text, field.alias
    (tmp_path / ".env").write_text(text)
    assert load_settings().pipeline_v3 is False


def test_a_short_session_secret_stops_start_up_naming_the_variable_not_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SEATFLOW_SESSION_SECRET under 32 characters is refused, and the value is never echoed."""
    monkeypatch.setenv("SEATFLOW_SESSION_SECRET", "hunter2-short")
    with pytest.raises(ConfigError) as raised:
        load_settings(_env_file=None)
    assert "SEATFLOW_SESSION_SECRET" in str(raised.value)
    assert "hunter2" not in str(raised.value)


def test_a_long_session_secret_is_kept_and_shown_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """A good secret is used as given and `config show` prints it as ***."""
    monkeypatch.setenv("SEATFLOW_SESSION_SECRET", "x" * 40)
    settings = load_settings(_env_file=None)
    assert settings.session_secret == "x" * 40
    shown = {row.variable: row.value for row in effective_settings(settings)}
    assert shown["SEATFLOW_SESSION_SECRET"] == "***"
