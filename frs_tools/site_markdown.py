"""The FRS Markdown extension: what the site's pages need from Python-Markdown.

Registered in mkdocs.yml under `markdown_extensions:` as an ordinary extension, so any
generator that renders with Python-Markdown and pymdown-extensions runs it, hooks or not:

- the `/// requirement | FRS-…` block (frs_tools/requirement_block.py), rendered from the
  shared parser's records (frs_tools/site.py);
- the option lines of those blocks removed before Blocks sees them (the parser has read and
  validated them);
- formulas (pymdownx.arithmatex) kept out of the search index: KaTeX typesets them on the
  page, and a search result would otherwise show their TeX source;
- links only to safe schemes: a `[link](javascript:…)` written anywhere (a clause's text, a
  page) loses its target, and no element keeps an `on…` event attribute (an attribute
  list can write one).  Generated pages escape what they quote (frs_tools/escape.py); this
  is the net under every page, whatever wrote it.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from markdown.treeprocessors import Treeprocessor

from frs_tools import site
from frs_tools.clauses import without_options
from frs_tools.escape import safe_href
from frs_tools.requirement_block import RequirementExtension

# The attribute Material for MkDocs' search reads (its only search-specific markup here).
NOT_SEARCHED = "data-search-exclude"


class _OptionLines(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return without_options("\n".join(lines)).split("\n")


class _MathOutOfSearch(Treeprocessor):
    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            if "arithmatex" in element.get("class", "").split():
                element.set(NOT_SEARCHED, "")


class _SafeLinks(Treeprocessor):
    URLS = ("href", "src", "action", "formaction", "srcset", "xlink:href", "data", "poster")

    def run(self, root: etree.Element) -> None:
        for element in root.iter():
            for name in list(element.attrib):
                if name.lower().startswith("on") or (
                        name.lower() in self.URLS and not safe_href(element.get(name))):
                    del element.attrib[name]


class SiteExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {"project": [".", "the FRS project: its folder, or one inside it"],
                       "language": ["en", "the edition: en, or zh (spec/zh)"]}
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:
        project, language = self.getConfig("project"), self.getConfig("language")

        def render(clause_id: str):
            # The model is asked for at the first block, not here: MkDocs also loads the
            # extensions to validate its configuration, before the hook reads the project.
            return site.model(project).render(clause_id, language)

        # After whitespace normalisation (30), before raw HTML is stashed (20).
        md.preprocessors.register(_OptionLines(md), "frs-options", 25)
        RequirementExtension(render=render).extendMarkdown(md)
        md.treeprocessors.register(_MathOutOfSearch(md), "frs-math", 1)
        # After the inline patterns (20) and attribute lists (8) have made every element.
        md.treeprocessors.register(_SafeLinks(md), "frs-safe-links", 2)


def makeExtension(**kwargs) -> SiteExtension:
    return SiteExtension(**kwargs)
