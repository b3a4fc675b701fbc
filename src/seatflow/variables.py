"""Which of seatflow's variables a process was given, and where each came from.

pydantic-settings reads only the variables a setting declares, so a misspelt one
(`FEATURE_ASSIGNMENT_PIPELINE_V3_SHADOWW=true`) would be ignored without a word and the process
would run with the default — here such a name is found, so start-up can stop naming it. Names
are matched without regard to case, as pydantic-settings matches them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from dotenv import dotenv_values

__all__ = [
    "OWN_PREFIXES",
    "Source",
    "Unknown",
    "dotenv_names",
    "redact",
    "source_of",
    "unknown_variables",
]

#: A variable whose name starts with one of these belongs to seatflow and must be declared.
OWN_PREFIXES = ("SEATFLOW_", "FEATURE_ASSIGNMENT_PIPELINE_")


class Source(StrEnum):
    ENVIRONMENT = "environment"
    DOTENV = ".env"
    DEFAULT = "default"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unknown:
    name: str
    source: Source
    suggestion: str | None

    def __str__(self) -> str:
        hint = f" — did you mean {self.suggestion}?" if self.suggestion else ""
        return f"unknown variable {self.name} (in the {self.source.value}){hint}"


def dotenv_names(path: Path) -> frozenset[str]:
    """The keys of a `.env` file, or none when there is no such file."""
    if not path.is_file():
        return frozenset()
    return frozenset(dotenv_values(path))


def unknown_variables(
    known: Collection[str], environ: Collection[str], dotenv: Collection[str]
) -> list[Unknown]:
    """Every name with one of seatflow's prefixes that no setting declares, closest name given."""
    known_upper = {name.upper() for name in known}
    found: list[Unknown] = []
    for names, source in ((environ, Source.ENVIRONMENT), (dotenv, Source.DOTENV)):
        for name in sorted(names):
            upper = name.upper()
            if upper.startswith(OWN_PREFIXES) and upper not in known_upper:
                close = difflib.get_close_matches(upper, sorted(known_upper), n=1, cutoff=0.75)
                found.append(Unknown(name=name, source=source, suggestion=next(iter(close), None)))
    return found


def source_of(name: str, environ: Mapping[str, str], dotenv: Collection[str]) -> Source:
    """Where a declared variable's value came from, in pydantic-settings' order of precedence."""
    upper = name.upper()
    if any(key.upper() == upper for key in environ):
        return Source.ENVIRONMENT
    if any(key.upper() == upper for key in dotenv):
        return Source.DOTENV
    return Source.DEFAULT


_URL_PASSWORD = re.compile(r"(://[^:/@\s]*:)[^\s/]*@")
#: `password=…` of a conninfo string or of a URL's query.
_KEY_PASSWORD = re.compile(r"(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]*)", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with every password of a database URL or conninfo in it replaced by `***`."""
    return _KEY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))
