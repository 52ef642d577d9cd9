"""Rendering a compiled node tree against an explicit, JSON-like context.

Lookups only walk dict keys (string keys) and list indexes; never attributes, never
dunder names. Values are data: they are escaped (for HTML) and never parsed again.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

from .dates import DateFormatError, coerce_datetime, format_moment
from .errors import TemplateRenderError
from .nodes import DateFormat, IfCond, Literal, Node, Operand, Path, Snippet, Text, Variable

MAX_OUTPUT_LENGTH = 200_000

Escape = TypingLiteral["html", "text"]
SnippetLookup = Callable[[str, str], "str | None"]

_MISSING = object()
_NUMERIC_RE = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$")


@dataclass(frozen=True, slots=True)
class Rendered:
    """The output text and the fields, snippets or values that could not be filled in."""

    text: str
    unknown: list[str] = field(default_factory=list)


class _Renderer:
    def __init__(
        self,
        *,
        escape: Escape,
        snippets: SnippetLookup | None,
        language: str | None,
        default_language: str,
    ) -> None:
        if escape not in ("html", "text"):
            raise ValueError(f"escape must be 'html' or 'text', not {escape!r}")
        self.escape = escape
        self.snippets = snippets
        self.language = language or default_language
        self.default_language = default_language
        self.parts: list[str] = []
        self.length = 0
        self.unknown: list[str] = []
        self.scopes: list[Mapping[str, object]] = []

    # -- output ----------------------------------------------------------------------------------

    def emit(self, text: str) -> None:
        self.length += len(text)
        if self.length > MAX_OUTPUT_LENGTH:
            raise TemplateRenderError(f"rendered output is longer than {MAX_OUTPUT_LENGTH} characters")
        self.parts.append(text)

    def emit_value(self, text: str) -> None:
        self.emit(html.escape(text, quote=True) if self.escape == "html" else text)

    def report(self, name: str) -> None:
        if name not in self.unknown:
            self.unknown.append(name)

    # -- lookups ---------------------------------------------------------------------------------

    def lookup(self, path: Path) -> object:
        """Resolve ``path``; ``../`` climbs one scope per step (never above the root).

        Without ``../`` a name not found in the innermost scope is looked up in the outer
        ones, so ``customer.firstName`` and ``../customer.firstName`` agree inside a block.
        """
        top = max(len(self.scopes) - 1 - path.up, 0)
        head = path.segments[0]
        for index in range(top, -1, -1):
            scope = self.scopes[index]
            if head in scope and not head.startswith("__"):
                return _walk(scope, path.segments)
        return _MISSING

    def operand(self, operand: Operand) -> object:
        if isinstance(operand, Literal):
            return operand.value
        value = self.lookup(operand)
        if value is _MISSING:
            self.report(operand.source)
            return None
        return value

    # -- nodes -----------------------------------------------------------------------------------

    def render(self, nodes: Sequence[Node]) -> None:
        for node in nodes:
            if isinstance(node, Text):
                self.emit(node.text)
            elif isinstance(node, Variable):
                self.variable(node.path)
            elif isinstance(node, IfCond):
                branch = (
                    node.then
                    if _compare(self.operand(node.left), node.op, self.operand(node.right))
                    else node.otherwise
                )
                self.scopes.append({})  # a block scope: ../ climbs out of it
                try:
                    self.render(branch)
                finally:
                    self.scopes.pop()
            elif isinstance(node, DateFormat):
                self.date_format(node)
            else:
                self.snippet(node)

    def variable(self, path: Path) -> None:
        value = self.lookup(path)
        text = _display(value)
        if text is None:
            self.report(path.source)
            return
        self.emit_value(text)

    def date_format(self, node: DateFormat) -> None:
        value = coerce_datetime(self.lookup(node.path))
        if value is None:
            self.report(node.path.source)
            return
        options = {
            name: self.operand(operand)
            for name, operand in (
                ("format", node.format),
                ("locale", node.locale),
                ("timezone", node.timezone),
            )
        }
        fmt, locale, timezone = (str(options[k]) for k in ("format", "locale", "timezone"))
        try:
            text = format_moment(value, fmt, locale=locale, timezone=timezone)
        except DateFormatError:
            # Options taken from the context (or a date out of range there) were bad:
            # fall back to the defaults and say so.
            self.report(f"dateFormat {node.path.source}: {fmt!r} {locale!r} {timezone!r}"[:300])
            try:
                text = format_moment(value)
            except DateFormatError:
                return
        self.emit_value(text)

    def snippet(self, node: Snippet) -> None:
        text: str | None = None
        if self.snippets is not None:
            text = self.snippets(node.name, self.language)
            if text is None and self.language != self.default_language:
                text = self.snippets(node.name, self.default_language)
        if text is None:
            self.report(f"sn.{node.name}")
            return
        self.emit_value(str(text))


def _walk(scope: Mapping[str, object], segments: tuple[str, ...]) -> object:
    value: object = scope
    for segment in segments:
        if segment.startswith("__"):
            return _MISSING
        if isinstance(value, Mapping):
            value = value.get(segment, _MISSING)
        elif isinstance(value, list | tuple) and segment.isdigit():
            index = int(segment)
            value = value[index] if index < len(value) else _MISSING
        else:
            return _MISSING
        if value is _MISSING:
            return _MISSING
    return value


def _number(value: float) -> str:
    """Numbers as JavaScript (and so Handlebars) prints them: 3.0 is "3"."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return repr(value)


def _display(value: object) -> str | None:
    """The text for a context value, or None when it has none (missing, object, ...)."""
    if value is _MISSING:
        return None
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**100 else _number(float(value)) if abs(value) < 10**300 else None
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, dt.date):
        # The seed's default for a datetime is "January 18, 2019 12:00 AM".
        try:
            return format_moment(value, "LLL" if isinstance(value, dt.datetime) else "LL")
        except DateFormatError:
            return None
    if isinstance(value, list | tuple):
        # Only flat lists of scalars print; nested data never recurses (it may even be cyclic).
        if any(isinstance(item, list | tuple | Mapping) for item in value):
            return None
        items = [_display(item) for item in value]
        if any(item is None for item in items):
            return None
        return ", ".join(item for item in items if item is not None)
    return None  # mappings and anything that is not JSON-like data


def _comparable(value: object) -> float | str:
    """Booleans compare as 1/0, numbers and numeric strings as numbers, the rest as text."""
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        if isinstance(value, int) and abs(value) >= 10**300:
            return math.inf if value > 0 else -math.inf
        return float(value)
    if isinstance(value, str):
        if len(value) <= 64 and _NUMERIC_RE.match(value):
            number = float(value)
            if math.isfinite(number):
                return number
        return value
    text = _display(value)
    return text if text is not None else ""


def _compare(left: object, op: str, right: object) -> bool:
    a, b = _comparable(left), _comparable(right)
    # JavaScript's loose equality, which the seed's examples rely on: false == "".
    if isinstance(left, bool) and b == "":
        b = 0.0
    if isinstance(right, bool) and a == "":
        a = 0.0
    if not (isinstance(a, float) and isinstance(b, float)):
        a, b = (_number(a) if isinstance(a, float) else a), (_number(b) if isinstance(b, float) else b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == "<":
        return a < b  # type: ignore[operator]
    if op == "<=":
        return a <= b  # type: ignore[operator]
    if op == ">":
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def render_nodes(
    nodes: Sequence[Node],
    context: Mapping[str, object],
    *,
    escape: Escape,
    snippets: SnippetLookup | None,
    language: str | None,
    default_language: str,
) -> Rendered:
    if not isinstance(context, Mapping):
        raise TypeError("the template context must be a mapping of JSON-like values")
    renderer = _Renderer(
        escape=escape, snippets=snippets, language=language, default_language=default_language
    )
    renderer.scopes.append(context)
    renderer.render(nodes)
    return Rendered("".join(renderer.parts), renderer.unknown)
