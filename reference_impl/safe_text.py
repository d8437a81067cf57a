"""Text from input, made safe to print: the one escaping helper of every text output.

Every text FRS prints can carry pieces of its input: a statement's free text in a
`frs conform` reason, a file name or a value in a finding.  A newline in such a piece
would start a line of its own (a forged `PASS FRS-…` line in a report), a carriage return
or an ANSI escape would overwrite what the terminal shows, and the Unicode bidirectional
controls (the "Trojan Source" attack, CVE-2021-42574) would show text in another order
than it is.  `printable` writes each of these as a visible escape (`\\n`, `\\u202e`), so
one line of output is one line, shown as it is.  Lone surrogates (no encoding can write
them) and the two noncharacters XML 1.0 forbids are escaped alike, so the text can always
be written out.  An export of multi-line text (`frs export`) keeps its line breaks and tabs
with `lines=True`.
"""

from __future__ import annotations

import re

# C0 and C1 controls and DEL; the bidi embeddings, overrides, isolates and marks
# (Unicode Standard Annex #9); line and paragraph separators; zero-width characters
# that hide text; the byte-order mark; lone surrogates and U+FFFE, U+FFFF.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e"
                     "\u2060-\u2069\ufeff\ud800-\udfff\ufffe\uffff]")
_LINES = "\n\r\t"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: object, lines: bool = False) -> str:
    """`text` (or its str) with every control, bidi and invisible character escaped; with
    `lines`, line breaks and tabs are kept as they are."""
    return _UNSAFE.sub(_keep_lines if lines else _escape, str(text))


def _escape(match: re.Match) -> str:
    char = match.group()
    return _NAMED.get(char) or f"\\u{ord(char):04x}"


def _keep_lines(match: re.Match) -> str:
    return match.group() if match.group() in _LINES else _escape(match)
