"""An event's context as JSON PostgreSQL accepts: safe types, a size cap, no guest contacts.

Telemetry must never fail because a caller put a datetime, a set or a NaN into a context, and it
must never carry a guest's contact details: both are fixed here, once, for every producer.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Final, TypeVar
from uuid import UUID

__all__ = ["CONTACT_KEYS", "MAX_CONTEXT_BYTES", "clean_text", "context_json", "make_json_safe"]

#: "No guest contact details in telemetry": keys dropped at any depth (compared lower-cased).
CONTACT_KEYS: Final = frozenset(
    {"guest_name", "guest_phone", "guest_email", "phone", "email", "guest"}
)
#: Upper bound of one serialized context, in UTF-8 bytes.
MAX_CONTEXT_BYTES: Final = 8 * 1024

_K = TypeVar("_K")

_MAX_DEPTH: Final = 8
_REPR_LIMIT: Final = 200
_PREVIEW_CHARS: Final = 64
_KEEP_KEYS: Final = ("trigger", "mode")  # what dashboards group by survives truncation last
_RESERVED: Final = 48  # room for the "_truncated" and "_dropped_keys" entries


def make_json_safe(value: object, _depth: int = 0) -> object:
    """A value json.dumps and PostgreSQL's jsonb both accept; unknown objects become their repr."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return make_json_safe(value.value, _depth)
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if _depth >= _MAX_DEPTH:
        return "<max depth>"
    return _convert(value, _depth + 1)


def _convert(value: object, depth: int) -> object:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else None
    if isinstance(value, Mapping):
        return _safe_mapping(value, depth)
    if isinstance(value, list | tuple):
        return [make_json_safe(item, depth) for item in value]
    if isinstance(value, set | frozenset):
        return _safe_set(value, depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name, None) for f in dataclasses.fields(value)}
        return _safe_mapping(fields, depth)
    if isinstance(value, BaseException):
        return clean_text(f"{type(value).__name__}: {value}"[:_REPR_LIMIT])
    if isinstance(value, os.PathLike):
        return clean_text(str(os.fspath(value)))
    return _safe_repr(value)


def _safe_mapping(mapping: Mapping[_K, object], depth: int) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, item in mapping.items():
        name = key if isinstance(key, str) else str(make_json_safe(key, depth))
        if name.lower() in CONTACT_KEYS:
            continue
        result[clean_text(name)] = make_json_safe(item, depth)
    return result


def _safe_set(items: set[object] | frozenset[object], depth: int) -> list[object]:
    converted = [make_json_safe(item, depth) for item in items]
    try:  # deterministic output for sets of comparable values
        return sorted(converted)  # type: ignore[type-var]  # mixed types fall to the except
    except TypeError:
        return sorted(converted, key=repr)


def _safe_repr(value: object) -> str:
    try:
        text = repr(value)
    except Exception:  # a broken __repr__ must not break telemetry
        text = f"<unreprable {type(value).__name__}>"
    return clean_text(text[:_REPR_LIMIT])


def clean_text(text: str) -> str:
    """jsonb rejects NUL characters and lone surrogates; replace them rather than fail the batch."""
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def context_json(context: Mapping[str, object], max_bytes: int = MAX_CONTEXT_BYTES) -> str:
    """The context as JSON text of at most max_bytes: JSON-safe, contact-free, always valid.

    Over the cap, the largest values are replaced by a short marker (largest first) and
    `"_truncated": true` is set; if that is not enough, keys are dropped too.
    """
    safe = _safe_mapping(context, 0)
    text = _dumps(safe)
    if len(text.encode("utf-8")) <= max_bytes:
        return text
    return _truncate(safe, max_bytes)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _size(value: object) -> int:
    return len(_dumps(value).encode("utf-8"))


def _truncate(safe: dict[str, object], max_bytes: int) -> str:
    """Shrink the largest values, then drop keys; sizes are tracked per entry, not re-serialized."""
    result: dict[str, object] = dict(safe)
    sizes = {key: _size(key) + 1 + _size(value) for key, value in result.items()}
    budget = max_bytes - _RESERVED

    def total() -> int:
        return 2 + sum(sizes.values()) + max(len(sizes) - 1, 0)

    for key in sorted(result, key=sizes.__getitem__, reverse=True):
        if total() <= budget:
            break
        marker = _marker(result[key])
        marker_size = _size(key) + 1 + _size(marker)
        if marker_size < sizes[key]:
            result[key], sizes[key] = marker, marker_size
    dropped = 0
    for key in sorted(result, key=lambda k: (k in _KEEP_KEYS, -sizes[k])):
        if total() <= budget:
            break
        del result[key], sizes[key]
        dropped += 1
    result["_truncated"] = True
    if dropped:
        result["_dropped_keys"] = dropped
    text = _dumps(result)
    return text if len(text.encode("utf-8")) <= max_bytes else _dumps({"_truncated": True})


def _marker(value: object) -> str:
    preview = _dumps(value)
    return f"<truncated {len(preview.encode('utf-8'))} bytes: {preview[:_PREVIEW_CHARS]}…>"
