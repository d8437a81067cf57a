"""The `/// requirement | FRS-…` block for Python-Markdown (pymdownx Blocks).

The block renders what the shared parser (tools/clauses.py) read, never what Blocks
parsed: the site hook has already failed the build on any malformed clause, so every
block that reaches this code has a record.  The ID becomes an `<h4 id="FRS-…">`: only
headings get permalinks, table-of-contents entries, their own search hits, and survive
the print view.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from collections.abc import Callable
from dataclasses import dataclass

from pymdownx.blocks import BlocksExtension
from pymdownx.blocks.block import Block, type_any

from tools.clauses import OPTIONS


@dataclass(frozen=True)
class Rendering:
    """What the block shows besides the text: links already relative to the page."""

    id: str
    level: str
    title: str
    status: str
    status_href: str
    schema: str = ""
    schema_href: str = ""
    impl: str = ""
    impl_href: str = ""
    classes: tuple[str, ...] = ()


class RequirementBlock(Block):
    NAME = "requirement"
    ARGUMENT = True
    # Accept every option here; the shared parser has validated them, loudly.
    OPTIONS = {name: ("", type_any) for name in OPTIONS}

    def on_create(self, parent: etree.Element) -> etree.Element:
        info: Rendering = self.config["render"](self.argument)
        level = info.level.replace(" ", "-")
        box = etree.SubElement(parent, "div", {"class": f"frs-requirement frs-level-{level}"})
        heading = etree.SubElement(box, "h4", {"id": info.id, "class": "frs-requirement-id"})
        heading.text = f"{info.id} · {info.title}" if info.title else info.id
        meta = etree.SubElement(box, "p", {"class": "frs-requirement-meta"})
        _span(meta, f"frs-badge frs-badge-{level}", info.level.upper())
        status = etree.SubElement(meta, "a", {"class": f"frs-status frs-status-{info.status}",
                                              "href": info.status_href,
                                              "title": "verification status, last test run"})
        status.text = info.status
        _span(meta, "frs-classes", "Classes: " + (", ".join(info.classes) or "all"))
        if info.schema:
            _link(meta, "frs-schema", "Schema: ", info.schema, info.schema_href)
        if info.impl:
            _link(meta, "frs-impl", "Code: ", info.impl, info.impl_href)
        etree.SubElement(box, "div", {"class": "frs-requirement-text"})
        return box

    def on_add(self, block: etree.Element) -> etree.Element:
        return block.find("./div[@class='frs-requirement-text']")


def _span(parent: etree.Element, css: str, text: str) -> None:
    etree.SubElement(parent, "span", {"class": css}).text = text


def _link(parent: etree.Element, css: str, label: str, text: str, href: str) -> None:
    span = etree.SubElement(parent, "span", {"class": css})
    span.text = label
    code = etree.SubElement(etree.SubElement(span, "a", {"href": href}), "code")
    code.text = text


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


def make_extension(render: Callable[[str], Rendering]) -> RequirementExtension:
    return RequirementExtension(render=render)
