"""The one safe template language shared by shortcuts, email templates and bulk messages.

    >>> template = compile_template("Hi {{customer.firstName}}!")
    >>> template.render({"customer": {"firstName": "Ada"}}).text
    'Hi Ada!'

Compile once (it validates and builds a node tree), render many times. Rendering only
reads the plain dict/list context the caller passes; nothing is ever evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .dates import DateFormatError, format_moment
from .errors import TemplateError, TemplateRenderError, TemplateSyntaxError
from .nodes import IfCond, Node, Snippet
from .parser import MAX_DEPTH, MAX_TEMPLATE_LENGTH, parse
from .render import MAX_OUTPUT_LENGTH, Escape, Rendered, SnippetLookup, render_nodes

__all__ = [
    "MAX_DEPTH",
    "MAX_OUTPUT_LENGTH",
    "MAX_TEMPLATE_LENGTH",
    "CompiledTemplate",
    "DateFormatError",
    "Rendered",
    "SnippetLookup",
    "TemplateError",
    "TemplateRenderError",
    "TemplateSyntaxError",
    "compile_template",
    "format_moment",
]


@dataclass(frozen=True, slots=True)
class CompiledTemplate:
    source: str
    nodes: tuple[Node, ...]

    def render(
        self,
        context: Mapping[str, object],
        *,
        escape: Escape = "html",
        snippets: SnippetLookup | None = None,
        language: str | None = None,
        default_language: str = "en",
    ) -> Rendered:
        """Render against ``context``; raises TemplateRenderError past MAX_OUTPUT_LENGTH."""
        return render_nodes(
            self.nodes,
            context,
            escape=escape,
            snippets=snippets,
            language=language,
            default_language=default_language,
        )

    @property
    def snippet_names(self) -> list[str]:
        """The snippets it inserts, lower case, in order of first use (blocks included)."""
        names: list[str] = []

        def walk(nodes: tuple[Node, ...]) -> None:
            for node in nodes:
                if isinstance(node, Snippet) and node.name.lower() not in names:
                    names.append(node.name.lower())
                elif isinstance(node, IfCond):
                    walk(node.then)
                    walk(node.otherwise)

        walk(self.nodes)
        return names


def compile_template(source: str) -> CompiledTemplate:
    """Parse and validate ``source``; raises TemplateSyntaxError (with line and column)."""
    if not isinstance(source, str):
        raise TypeError("a template source must be a str")
    return CompiledTemplate(source, parse(source))
