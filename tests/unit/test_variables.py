"""Passwords are hidden wherever a database URL or conninfo is printed or logged."""

from __future__ import annotations

import pytest

from seatflow.variables import redact


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("postgresql://app:hunter2@db:5432/x", "postgresql://app:***@db:5432/x"),
        ("postgres://:hunter2@db/x", "postgres://:***@db/x"),
        ("postgresql://app:hun@ter2@db/x", "postgresql://app:***@db/x"),
        (
            "postgresql://app@db/x?password=hunter2&sslmode=require",
            "postgresql://app@db/x?password=***&sslmode=require",
        ),
        ("host=db password='hunter 2' user=app", "host=db password=*** user=app"),
        ("host=db PASSWORD = hunter2", "host=db PASSWORD = ***"),
        ("postgresql://app@db:5432/x", "postgresql://app@db:5432/x"),
        ("postgresql://db:5432/x", "postgresql://db:5432/x"),
    ],
)
def test_redact_hides_every_password_form(text: str, shown: str) -> None:
    """A URL's user:password, a query's password= and a conninfo's password= all become ***;
    a URL without a password is unchanged."""
    assert redact(text) == shown
