"""The HTML an agent sees for an inbound email.

Every step works on nh3's output, which is well-formed and always quotes attributes with
double quotes (a quote inside a value becomes &quot;): that is what makes the regular
expressions below safe. The last step is another nh3 pass, with the core allow-list plus
what these steps add (<details>, data-remote-src), so the stored HTML is sanitised whatever
happened in between.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

import nh3

from core import sanitize
from core.sanitize import sanitize_html, text_to_html

_IMG_SRC = re.compile(r'(<img\b[^>]*?\s)src="([^"]*)"', re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"(wrote|a écrit|schrieb|escribió|ha scritto|escreveu|schreef)\s*:\s*$"
    r"|^-{2,}\s*original message\s*-{2,}$",
    re.IGNORECASE,
)
_OUTLOOK_HEADER = re.compile(r"^-{2,}\s*original message\s*-{2,}\s*$|^from:\s.+", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def _allowed_tags() -> set[str]:
    return {*sanitize._TAGS, "details", "summary"}


def _allowed_attributes() -> dict[str, set[str]]:
    attributes = {tag: set(values) for tag, values in sanitize._ATTRIBUTES.items()}
    attributes["img"] = {*attributes.get("img", set()), "data-remote-src"}
    attributes["details"] = {"class"}
    attributes["p"] = {"class"}
    return attributes


_OWN_IMAGE = re.compile(r"^/[\w/-]*attachments/\d+/$")


def _only_absolute(tag: str, attribute: str, value: str) -> str | None:
    """A relative URL in an email would point at this application (with the agent's session):
    links keep only http(s) and mailto, images only the attachment URLs put there by us."""
    if tag == "a" and attribute == "href":
        return value if value.lower().startswith(("http://", "https://", "mailto:")) else None
    if tag == "img" and attribute == "src":
        return value if _OWN_IMAGE.match(value) else None
    if tag == "img" and attribute == "data-remote-src":
        return value if value.lower().startswith(("http://", "https://")) else None
    return value


def final_clean(value: str) -> str:
    return nh3.clean(
        value,
        tags=_allowed_tags(),
        attributes=_allowed_attributes(),
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_only_absolute,
    )


def rewrite_images(value: str, cid_urls: Mapping[str, str]) -> str:
    """cid: images point at their access-checked attachment; remote ones wait for the agent."""

    def replace(match: re.Match[str]) -> str:
        before, src = match.group(1), html.unescape(match.group(2)).strip()
        lowered = src.lower()
        if lowered.startswith("cid:"):
            url = cid_urls.get(src[4:].strip("<>"))
            return f'{before}src="{html.escape(url)}"' if url else before.rstrip() + " "
        if lowered.startswith("//"):
            src, lowered = f"https:{src}", f"https:{lowered}"
        if lowered.startswith(("http://", "https://")):
            return f'{before}data-remote-src="{html.escape(src)}"'
        return match.group(0)  # anything else loses its src in final_clean

    return _IMG_SRC.sub(replace, value)


def _visible_text(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment)).strip()


_OUTLOOK_HTML = re.compile(
    r"<hr\b[^>]*>(?=(?:\s|<[^>]+>)*(?:from|von|de|van):)|-{2,}\s*original message\s*-{2,}", re.IGNORECASE
)


def _quote_start(value: str) -> int:
    """Where the quoted earlier mail starts: a <blockquote>, or Outlook's rule and From: header."""
    start = value.lower().find("<blockquote")
    if start >= 0:
        return start
    match = _OUTLOOK_HTML.search(value)
    if match is None:
        return -1
    if match.group(0).startswith("-"):  # the text line: fold from the element that holds it
        return max(value.rfind("<p", 0, match.start()), value.rfind("<div", 0, match.start()), 0)
    return match.start()


def collapse_html_quote(value: str) -> str:
    """Put the trailing quoted reply (a <blockquote> and its "On ... wrote:" line) in <details>."""
    start = _quote_start(value)
    if start < 0:
        return value
    window = value[max(0, start - 600) : start]
    lines = list(re.finditer(r"<(div|p)\b[^>]*>", window))
    for match in reversed(lines):
        segment = _visible_text(window[match.start() :])
        if _ATTRIBUTION.search(segment.splitlines()[0] if segment else ""):
            start = start - len(window) + match.start()
            break
    if not _visible_text(value[:start]):
        return value  # nothing but the quote (a forward, say): keep it open
    return (
        value[:start]
        + '<details class="quoted-text"><summary>Show quoted text</summary>'
        + value[start:]
        + "</details>"
    )


def split_text_quote(text: str) -> tuple[str, str]:
    """(reply, quoted) for a plain-text mail: trailing "> " lines and their attribution."""
    lines = text.splitlines()
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and (lines[start - 1].startswith(">") or not lines[start - 1].strip()):
        start -= 1
    while start < end and not lines[start].strip():
        start += 1
    quoted_found = start < end and lines[start].startswith(">")
    if quoted_found and start and _ATTRIBUTION.search(lines[start - 1].strip()):
        start -= 1
    if not quoted_found:
        start = next((i for i, line in enumerate(lines[:end]) if _OUTLOOK_HEADER.match(line.strip())), end)
        if start == end or not _OUTLOOK_HEADER.match(lines[start].strip()):
            return text, ""
        if not lines[start].strip().startswith("-") and not any(
            line.lower().startswith(("sent:", "date:")) for line in lines[start + 1 : start + 4]
        ):
            return text, ""
    reply = "\n".join(lines[:start]).strip()
    quoted = "\n".join(lines[start:]).strip()
    if not reply:
        return text, ""
    return reply, quoted


def body_html(
    *,
    html_part: str,
    text_part: str,
    cid_urls: Mapping[str, str],
    notes: Sequence[str] = (),
) -> str:
    """The stored body: sanitised, images neutralised, the quote folded, notes appended."""
    if html_part.strip():
        value = collapse_html_quote(rewrite_images(sanitize_html(html_part), cid_urls))
    else:
        reply, quoted = split_text_quote(text_part)
        value = text_to_html(reply)
        if quoted:
            value += (
                '<details class="quoted-text"><summary>Show quoted text</summary>'
                + text_to_html(quoted)
                + "</details>"
            )
    for note in notes:
        value += f'<p class="email-note">{html.escape(note)}</p>'
    return final_clean(value)


def has_remote_images(value: str) -> bool:
    return "data-remote-src=" in value
