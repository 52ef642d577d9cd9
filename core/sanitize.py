"""HTML from outside (emails, editors) is cleaned with nh3 (Rust's ammonia) before it is stored."""

from __future__ import annotations

import html
import re

import nh3

_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "h1", "h2", "h3", "h4", "hr", "i", "img", "li",
    "ol", "p", "pre", "s", "span", "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr",
    "u", "ul",
}  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "span": {"class", "data-mention-type", "data-mention-id"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}
# What the reply and note editors can produce: formatting, lists, links and mentions.
_EDITOR_TAGS = {"a", "b", "br", "div", "em", "i", "li", "ol", "p", "span", "strong", "u", "ul"}


def sanitize_html(value: str) -> str:
    """Keep formatting, drop scripts, styles, event handlers and dangerous URLs."""
    return nh3.clean(
        value or "",
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "cid"},
        link_rel="noopener noreferrer nofollow",
    )


def sanitize_editor_html(value: str) -> str:
    return nh3.clean(
        value or "",
        tags=_EDITOR_TAGS,
        attributes={"a": {"href"}, "span": {"data-mention-type", "data-mention-id"}},
        # A span keeps one class, the mention's: nothing posted can borrow the app's styles.
        tag_attribute_values={"span": {"class": {"mention"}}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|tr|blockquote)>|<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"[ \t]+")


def html_to_text(value: str) -> str:
    """A plain-text rendering of (already sanitised) HTML, for previews, search and SMS."""
    text = _BLOCK_END.sub("\n", value or "")
    text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line).strip()


def text_to_html(value: str) -> str:
    """Plain text as safe HTML paragraphs."""
    paragraphs = [p for p in re.split(r"\n\s*\n", value or "") if p.strip()]
    return "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
