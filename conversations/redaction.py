"""Blocking out text in a message or note body, by position.

Positions count characters of the body's text as a browser shows it (the DOM's textContent of
the rendered body: text nodes in order, entities decoded). The agent's selection is measured
the same way, so what they highlighted is exactly what goes. Each redacted character becomes
a full block (█), so positions of later redactions stay valid and the length is kept.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser

BLOCK = "█"


class RedactionError(ValueError):
    pass


@dataclass(frozen=True)
class Span:
    start: int
    length: int

    @property
    def end(self) -> int:
        return self.start + self.length


def _blocked(text: str, offset: int, spans: list[Span], removed: dict[Span, list[str]]) -> str:
    """``text`` starts at ``offset`` in the whole text; block out what falls in ``spans``,
    keeping the removed characters per span (a span may cross several text nodes)."""
    chars = list(text)
    for span in spans:
        lo, hi = max(span.start - offset, 0), min(span.end - offset, len(chars))
        if lo < hi:
            removed.setdefault(span, []).append("".join(chars[lo:hi]))
            chars[lo:hi] = BLOCK * (hi - lo)
    return "".join(chars)


def _pieces(removed: dict[Span, list[str]]) -> list[str]:
    return ["".join(parts) for _, parts in sorted(removed.items(), key=lambda item: item[0].start)]


class _Redactor(HTMLParser):
    """Rebuilds sanitised HTML exactly, except for the blocked-out characters of text nodes."""

    def __init__(self, spans: list[Span]) -> None:
        super().__init__(convert_charrefs=False)
        self.spans = spans
        self.out: list[str] = []
        self.text: list[str] = []
        self.position = 0
        self.removed: dict[Span, list[str]] = {}
        self.raw_text = 0  # depth inside <script>/<style> (never in sanitised HTML; skip anyway)

    def _text(self, decoded: str, raw: str) -> None:
        if self.raw_text:
            self.out.append(raw)
            return
        self.text.append(decoded)
        blocked = _blocked(decoded, self.position, self.spans, self.removed)
        self.position += len(decoded)
        self.out.append(raw if blocked == decoded else html.escape(blocked, quote=False))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}>")
        if tag in ("script", "style"):
            self.raw_text += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self.raw_text:
            self.raw_text -= 1
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self._text(data, data)

    def handle_entityref(self, name: str) -> None:
        raw = f"&{name};"
        self._text(html.unescape(raw), raw)

    def handle_charref(self, name: str) -> None:
        raw = f"&#{name};"
        self._text(html.unescape(raw), raw)

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")


def html_text(body_html: str) -> str:
    """The text a browser shows for ``body_html`` (what positions count)."""
    parser = _Redactor([])
    parser.feed(body_html)
    parser.close()
    return "".join(parser.text)


def normalize_text(body_text: str) -> str:
    """A plain-text body as shown (white-space: pre-wrap): the browser reads CRLF as LF."""
    return body_text.replace("\r\n", "\n").replace("\r", "\n")


def check_spans(text: str, spans: list[tuple[int, int, str]]) -> list[Span]:
    """Each (start, length, expected text) must lie inside ``text`` and still read as the agent
    saw it; a range outside the text, or text that changed since, is refused whole."""
    checked = []
    for start, length, expected in spans:
        if start < 0 or length <= 0 or start + length > len(text):
            raise RedactionError("The highlighted text is outside the message. Select it again.")
        if text[start : start + length] != expected:
            raise RedactionError("The message changed since you highlighted it. Select the text again.")
        if set(expected) <= {BLOCK}:
            raise RedactionError("That text is already redacted.")
        checked.append(Span(start, length))
    if not checked:
        raise RedactionError("Highlight the text to redact, then select Redact.")
    return sorted(checked, key=lambda s: s.start)


def redact_html(body_html: str, spans: list[Span]) -> tuple[str, list[str]]:
    """``body_html`` with the spans blocked out, and the pieces of text removed."""
    parser = _Redactor(spans)
    parser.feed(body_html)
    parser.close()
    return "".join(parser.out), _pieces(parser.removed)


def redact_text(body_text: str, spans: list[Span]) -> tuple[str, list[str]]:
    removed: dict[Span, list[str]] = {}
    text = _blocked(normalize_text(body_text), 0, spans, removed)
    return text, _pieces(removed)


def scrub(value: str, removed: list[str]) -> str:
    """Block out every occurrence of the removed pieces in a derived copy (a preview, an event)."""
    for piece in sorted({p for p in removed if p.strip()}, key=len, reverse=True):
        value = value.replace(piece, BLOCK * len(piece))
    return value
