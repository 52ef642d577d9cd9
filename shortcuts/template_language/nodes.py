"""The precompiled node tree: immutable, built once by the parser, rendered many times."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Path:
    """A dotted lookup such as ``../customer.firstName``: ``up`` counts the ``../`` steps."""

    up: int
    segments: tuple[str, ...]
    source: str


@dataclass(frozen=True, slots=True)
class Literal:
    value: str | int | float


Operand = Path | Literal


@dataclass(frozen=True, slots=True)
class Text:
    text: str


@dataclass(frozen=True, slots=True)
class Variable:
    path: Path


@dataclass(frozen=True, slots=True)
class DateFormat:
    path: Path
    format: Operand
    locale: Operand
    timezone: Operand


@dataclass(frozen=True, slots=True)
class Snippet:
    name: str


@dataclass(frozen=True, slots=True)
class IfCond:
    left: Operand
    op: str
    right: Operand
    then: tuple[Node, ...]
    otherwise: tuple[Node, ...]


Node = Text | Variable | DateFormat | Snippet | IfCond
