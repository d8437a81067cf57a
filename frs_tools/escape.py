"""Text from the spec, the schemas or `ids.lock`, made inert in a generated page: the one
escaping helper of every page generator (frs_tools/pages.py, ics.py, annexes.py).

A generated page is Markdown with raw HTML in places, and the site is built from pull
requests: a clause title, a schema description or a `retired_in` written into it as it is
could carry `<script>`, an `<img onerror=…>`, a `[link](javascript:…)` or an attribute list
(`{: onclick=…}`).  `text` writes each character that opens HTML or Markdown's inline
syntax as a numeric character reference, which both leave alone and a browser shows as
the character: the reader sees what the author wrote, and nothing of it runs.  `code` and
`fenced` make code spans and blocks no text can close early; `url` lets through only the
schemes a page may link to.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

# HTML's `& < > " '` (tags, entities, attribute quotes) and what opens Markdown's inline
# syntax: backslash escapes, code, emphasis, links, images and footnotes (all start with
# `[`), attribute lists (`{: onclick=…}`) and table cells.  Left alone, since they run
# nothing and are common in names (`schema_version`, `$id`): `_` (Python-Markdown does not
# emphasise inside a word), `$` (KaTeX typesets, with `trust` off: no \href to a script),
# and block syntax (`#`, `-` at a line's start).
_SPECIAL = re.compile(r"[&<>\"'\\`*\[\]{}|]")
# A line break would end a table row or start a block of its own.
_BREAKS = re.compile(r"[\r\n\t\u2028\u2029\x0b\x0c\x85]+")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


def text(value: object) -> str:
    """`value` as inline text of a Markdown page (a table cell, a heading, an HTML
    attribute or element): shown as written, read as neither markup nor Markdown."""
    return _SPECIAL.sub(lambda m: f"&#{ord(m.group())};", _BREAKS.sub(" ", str(value)))


def code(value: object) -> str:
    """`value` as a Markdown code span: Markdown escapes what a span holds, so only a
    backtick could end it early, and the fence is made longer than any run inside."""
    shown = _BREAKS.sub(" ", str(value))
    fence = "`" * (max(map(len, re.findall("`+", shown)), default=0) + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def fenced(value: str, language: str = "") -> str:
    """`value` as a fenced code block whose fence no line of it can close."""
    fence = "`" * max(3, max(map(len, re.findall("`+", value)), default=0) + 1)
    return f"{fence}{language}\n{value}\n{fence}"


def url(value: str) -> str:
    """`value` as the target of a Markdown link, or "" when it is not a link a page may
    hold: only http, https and mailto, or a relative address.  Characters that would end
    the link's Markdown (spaces, parentheses, angle brackets, quotes) are percent-encoded."""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:  # an unbalanced IPv6 bracket, say
        return ""
    if scheme and scheme not in SAFE_SCHEMES:
        return ""
    return quote(value.strip(), safe="/:?#@!$&*+,;=%~")


def safe_href(value: str) -> bool:
    """Whether a rendered link target has a scheme a page may link to (or none).  Browsers
    ignore tabs and line breaks inside a scheme (`java\\tscript:`), so they are dropped
    first."""
    return url(re.sub(r"[\x00-\x20]", "", value)) != "" or not value.strip()
