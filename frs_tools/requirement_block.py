"""The `/// requirement | FRS-…` block for Python-Markdown (pymdownx Blocks).

The block renders what the shared parser (frs_tools/clauses.py) read, never what Blocks
parsed: the site model has already failed the build on any malformed clause, so every
block that reaches this code has a record.  The ID becomes an `<h4 id="FRS-…">`: only
headings get permalinks, table-of-contents entries, their own search hits, and survive
the print view.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from dataclasses import dataclass

from markdown.util import AtomicString
from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block

from frs_tools.languages import EN, level, status, word


@dataclass(frozen=True)
class Rendering:
    """What the block shows besides the text: links already relative to the page."""

    id: str
    level: str
    title: str
    status: str
    schema: str = ""
    schema_href: str = ""
    impl: str = ""
    impl_href: str = ""
    classes: tuple[str, ...] = ()
    comment_href: str = ""  # the repository's comment form, this clause filled in
    language: str = EN
    stale_href: str = ""  # a translation behind its English text: that text's address


class RequirementBlock(Block):
    NAME = "requirement"
    ARGUMENT = True
    # The site's Markdown extension strips option lines before Blocks runs (without_options):
    # the shared parser has read and validated them, loudly, so Blocks has none to parse.
    OPTIONS = {}

    def on_create(self, parent: etree.Element) -> etree.Element:
        info: Rendering = self.config["render"](self.argument)
        css = info.level.replace(" ", "-")
        box = etree.SubElement(parent, "div", {"class": f"frs-requirement frs-level-{css}"})
        heading = etree.SubElement(box, "h4", {"id": info.id, "class": "frs-requirement-id"})
        heading.text = AtomicString(f"{info.id} · {info.title}" if info.title else info.id)
        # The badges and links stay out of the search index: a hit shows the requirement.
        meta = etree.SubElement(box, "p", {"class": "frs-requirement-meta",
                                           "data-search-exclude": ""})
        language = info.language
        _span(meta, f"frs-badge frs-badge-{css}", level(info.level, language))
        _span(meta, f"frs-status frs-status-{info.status}", status(info.status, language),
              title=word("verification status in the last test run", language))
        if info.classes:
            _span(meta, "frs-classes", word("Classes: ", language) + ", ".join(info.classes))
        if info.schema:
            _link(meta, "frs-schema", info.schema, info.schema_href)
        if info.impl:
            _link(meta, "frs-impl", info.impl, info.impl_href)
        if info.comment_href:
            etree.SubElement(meta, "a", {"class": "frs-comment", "href": info.comment_href,
                                         "title": word("Comment on {}", language).format(
                                             info.id) + word(" (opens the repository's "
                                                             "comment form)", language)}
                             ).text = AtomicString(word("Comment", language))
        if info.stale_href:
            # The translation is behind its English text: say so, and link that text.
            stale = etree.SubElement(box, "p", {"class": "frs-stale", "data-search-exclude": ""})
            _span(stale, "frs-stale-label", word("stale", language))
            _span(stale, "frs-stale-note", word("stale-note", language))
            etree.SubElement(stale, "a", {"href": info.stale_href, "hreflang": EN}
                             ).text = AtomicString(word("English text", language))
        self.text = etree.SubElement(box, "div", {"class": "frs-requirement-text"})
        return box

    def on_add(self, block: etree.Element) -> etree.Element:
        return self.text


# Generated text is atomic: Markdown's inline patterns have nothing to find in it.
def _span(parent: etree.Element, css: str, text: str, **attributes: str) -> None:
    etree.SubElement(parent, "span", {"class": css, **attributes}).text = AtomicString(text)


def _link(parent: etree.Element, css: str, text: str, href: str) -> None:
    link = etree.SubElement(parent, "a", {"class": css, "href": href})
    etree.SubElement(link, "code").text = AtomicString(text)


def _unset(clause_id: str) -> Rendering:
    raise LookupError(f"{clause_id}: the requirement block was registered without a catalogue")


class RequirementExtension(BlocksExtension):
    """Register with `RequirementExtension(render=callable)`: ID -> `Rendering`."""

    def __init__(self, *args, **kwargs):
        # Not None: Python-Markdown turns a None default into a boolean option.
        self.config = {"render": [_unset, "callable: requirement ID -> Rendering"]}
        super().__init__(*args, **kwargs)

    def extendMarkdownBlocks(self, md, block_mgr) -> None:
        block_mgr.register(RequirementBlock, self.getConfigs())
