"""Errors raised by the shortcut template language."""

from __future__ import annotations


class TemplateError(Exception):
    """Base class for every error the template language raises."""


class TemplateSyntaxError(TemplateError):
    """The template source is invalid; ``line`` and ``column`` are 1-based."""

    def __init__(self, message: str, *, line: int, column: int) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


class TemplateRenderError(TemplateError):
    """Rendering hit a bound (e.g. the output grew too large)."""
