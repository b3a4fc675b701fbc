"""A document's problems in words: where (a path a person can follow) and why.

Paths read like the document: `restaurant.tables[3] (GA2a).capacity` — a table is named by its
key too, since a floor's tables are known by key, not by position. Pydantic's errors are reworded
into the same plain style as the checks across fields.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from seatflow.documents.day_models import ServiceDayDoc
from seatflow.documents.fields import SLUG_PATTERN
from seatflow.documents.models import ScenarioDoc

__all__ = ["V2_KEYS", "Loc", "Locator", "error_loc", "reason_for"]

Loc = tuple[str | int, ...]

#: Keys a `seatflow.scenario/v2` (service-day) document adds: a v1 document must not carry them.
V2_KEYS = frozenset(
    {
        "service_periods",
        "closures",
        "no_show_grace_minutes",
        "overstay_step_minutes",
        "source",
        "events",
    }
)
#: List items worth naming by their key in a path.
_KEYED_LISTS = frozenset({"tables"})
_MAX_SHOWN = 60


@dataclass(frozen=True, slots=True)
class Locator:
    """Turns a location in `document` into the path a person reads; `whole` names the document
    itself (`file`, `body`), `prefix` is prepended to every location."""

    document: object
    whole: str
    prefix: Loc = ()

    def place(self, loc: Sequence[str | int]) -> str:
        full = (*self.prefix, *loc)
        text, node = "", self.document
        for i, step in enumerate(full):
            if isinstance(step, int):
                node = node[step] if isinstance(node, list) and 0 <= step < len(node) else None
                text += f"[{step}]" + self._label(full, i, node)
            elif _is_tag(node, step):
                continue  # pydantic names the variant of a tagged union (`events[0].cancel.ref`)
            else:
                node = node.get(step) if isinstance(node, dict) else None
                text += f".{step}" if text else step
        return text or self.whole

    @staticmethod
    def _label(full: Loc, i: int, item: object) -> str:
        """` (KEY)` for a table, when the path goes on into it and not into its key."""
        if i == 0 or full[i - 1] not in _KEYED_LISTS or i + 1 >= len(full) or full[i + 1] == "key":
            return ""
        key = item.get("key") if isinstance(item, dict) else None
        return f" ({key})" if isinstance(key, str) and key.strip() else ""


def error_loc(error: ErrorDetails) -> Loc:
    """Where the error is; a tagged union's missing or unknown tag is the tag field's."""
    loc = tuple(error["loc"])
    if error["type"] in ("union_tag_invalid", "union_tag_not_found"):
        tag = str((error.get("ctx") or {}).get("discriminator", "")).strip("'")
        return (*loc, tag) if tag else loc
    return loc


def _is_tag(node: object, step: str) -> bool:
    return isinstance(node, dict) and step not in node and node.get("type") == step


def reason_for(error: ErrorDetails, model: type[BaseModel]) -> str:
    """Pydantic's error in seatflow's words; `model` is the one validated (for key hints)."""
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return _unknown_key(error["loc"], model)
    if kind in ("too_short", "string_too_short") and ctx.get("min_length") == 1:
        return "must not be empty"
    if kind == "string_pattern_mismatch" and ctx.get("pattern") == SLUG_PATTERN:
        return (
            "must start with a letter or digit and use only letters, digits, - and _; "
            f"got {_shown(value)}"
        )
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    template = _TEMPLATES.get(kind)
    if template is None:
        return str(error["msg"])
    return template.format(value=_shown(value), **ctx)


_TEMPLATES: Mapping[str, str] = {
    "greater_than_equal": "must be at least {ge}, got {value}",
    "less_than_equal": "must be at most {le}, got {value}",
    "int_type": "must be an integer, got {value}",
    "string_type": "must be a string, got {value}",
    "bool_type": "must be true or false, got {value}",
    "list_type": "must be a list, got {value}",
    "model_type": "must be an object, got {value}",
    "dict_type": "must be an object, got {value}",
    "datetime_type": "must be an ISO-8601 timestamp string, got {value}",
    "too_short": "must have at least {min_length} items",
    "too_long": "must have at most {max_length} items",
    "string_too_long": "must be at most {max_length} characters",
    "literal_error": "must be {expected}, got {value}",
    "union_tag_invalid": "must be one of {expected_tags}, got {tag!r}",
    "union_tag_not_found": "is required",
}


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"


def _unknown_key(loc: Sequence[str | int], model: type[BaseModel]) -> str:
    key = str(loc[-1]) if loc else ""
    if key in V2_KEYS and _v2_declares(_model_at(model, loc[:-1]), key):
        return (
            "unknown key: it belongs to seatflow.scenario/v2 (service days), which this "
            "seatflow cannot import yet"
        )
    known = _keys_at(model, loc[:-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown key{hint}; expected one of {', '.join(known)}" if known else "unknown key"


def _keys_at(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The field names of the model found at `loc` inside `model` (list items included)."""
    found = _model_at(model, loc)
    return list(found.model_fields) if found is not None else []


def _v2_declares(model: type[BaseModel] | None, key: str) -> bool:
    """Whether a v1 model's v2 extension (its subclass) has the key the v1 document carries."""
    if model is None:
        return False
    extensions = [ServiceDayDoc] if model is ScenarioDoc else model.__subclasses__()
    return any(key in extension.model_fields for extension in extensions)


def _model_at(model: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model found at `loc` inside `model` (list items and tagged unions included)."""
    annotation: Any = model
    for step in loc:
        tagged = _variant(annotation, step)
        if tagged is not None:
            annotation = tagged
            continue
        annotation = _unwrap(annotation)
        if isinstance(step, int):
            args = get_args(annotation)
            annotation = args[0] if args else None
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            field = annotation.model_fields.get(step)
            annotation = field.annotation if field else None
        else:
            return None
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _variant(annotation: Any, step: str | int) -> type[BaseModel] | None:
    """The member of a tagged union whose `type` is `step`, if `annotation` is one."""
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    if not isinstance(step, str) or get_origin(annotation) not in (Union, types.UnionType):
        return None
    for member in get_args(annotation):
        field = (
            member.model_fields.get("type")
            if isinstance(member, type) and issubclass(member, BaseModel)
            else None
        )
        if field is not None and get_args(field.annotation) == (step,):
            found: type[BaseModel] = member
            return found
    return None


def _unwrap(annotation: Any) -> Any:
    """`Annotated[X, …]` → X; `X | None` → X."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, types.UnionType):
            annotation = next(a for a in get_args(annotation) if a is not type(None))
        else:
            return annotation
