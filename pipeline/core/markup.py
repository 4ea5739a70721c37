"""Plain text out of the light markup statement texts arrive in: YAML front matter (exports of
PDF text), Markdown syntax and inline HTML (tables, <span> diff marks that split words).

Markup is not text: `<span class=x>平</span>和` must read 平和, and `[安倍晋三](#abe)` reads 安倍晋三.
Block ends (<br>, </p>, </tr>, </td>, headings, list items) become line breaks so they start
paragraphs; nothing else is guessed.
"""

from __future__ import annotations

import html
import re

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:.*\n){0,200}?---[ \t]*\n")
_BLOCK_TAG = re.compile(r"<\s*(?:br|hr)\s*/?\s*>|<\s*/\s*(?:p|div|tr|td|th|li|h[1-6]|table|thead|tbody|ul|ol|blockquote)\s*>", re.I)
_TAG = re.compile(r"<!--.*?-->|<\s*/?\s*[A-Za-z][^<>]*>", re.S)
_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.*?)[ \t#]*$", re.M)
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,3}[.)])[ \t]+", re.M)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_CODE_FENCE = re.compile(r"^[ \t]*(?:```|~~~).*$", re.M)
_TABLE_RULE = re.compile(r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$", re.M)
_QUOTE = re.compile(r"^[ \t]*>[ \t]?", re.M)
_RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)


def strip_front_matter(text: str) -> str:
    return _FRONT_MATTER.sub("", text, count=1)


def strip_html(text: str) -> str:
    text = _BLOCK_TAG.sub("\n", text)
    return html.unescape(_TAG.sub("", text))


def strip_markdown(text: str) -> str:
    """Markdown (with inline HTML) to its text, line structure kept."""
    text = strip_front_matter(text)
    text = _CODE_FENCE.sub("", text)
    text = _TABLE_RULE.sub("", text)
    text = _RULE.sub("", text)
    text = _HEADING.sub(r"\1", text)
    text = _LIST_ITEM.sub(r"\1", text)
    text = _QUOTE.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(r"\1", text)
    text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(3), text)
    text = re.sub(r"`([^`\n]*)`", r"\1", text)
    text = re.sub(r"^[ \t]*\|(.*)\|[ \t]*$", lambda m: m.group(1).replace("|", " "), text, flags=re.M)
    return strip_html(text)


def plain_text(text: str, suffix: str) -> str:
    """The text of a decoded text file: Markdown and HTML removed from .md, front matter from any."""
    if suffix.lower() == ".md":
        return strip_markdown(text)
    return strip_front_matter(text)
