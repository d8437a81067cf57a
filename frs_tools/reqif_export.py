"""`frs export --format reqif`: the catalogue as one ReqIF 1.2 file, built with `reqif`.

ReqIF (OMG ReqIF 1.2) is what DOORS, Polarion, codebeamer and StrictDoc import.  One
SPEC-OBJECT per requirement, its IDENTIFIER the FRS ID; the level is an enumeration,
the normative text a plain string (read back byte for byte); chapters are sections of
one SPECIFICATION.  The output is deterministic: the same spec and results give the
same bytes (timestamps come from SOURCE_DATE_EPOCH, or a fixed date).
"""

from __future__ import annotations

import html
import os
import re
from datetime import UTC, datetime

from reqif.models.reqif_core_content import ReqIFCoreContent
from reqif.models.reqif_data_type import (
    ReqIFDataTypeDefinitionEnumeration,
    ReqIFDataTypeDefinitionString,
    ReqIFEnumValue,
)
from reqif.models.reqif_namespace_info import ReqIFNamespaceInfo
from reqif.models.reqif_req_if_content import ReqIFReqIFContent
from reqif.models.reqif_reqif_header import ReqIFReqIFHeader
from reqif.models.reqif_spec_hierarchy import ReqIFSpecHierarchy
from reqif.models.reqif_spec_object import ReqIFSpecObject, SpecObjectAttribute
from reqif.models.reqif_spec_object_type import ReqIFSpecObjectType, SpecAttributeDefinition
from reqif.models.reqif_specification import ReqIFSpecification
from reqif.models.reqif_specification_type import ReqIFSpecificationType
from reqif.models.reqif_types import SpecObjectAttributeType
from reqif.object_lookup import ReqIFObjectLookup
from reqif.reqif_bundle import ReqIFBundle
from reqif.unparser import ReqIFUnparser

from frs_tools.catalogue import entries, writable
from frs_tools.check import Report
from frs_tools.clauses import LEVELS

STRING, ENUM = SpecObjectAttributeType.STRING, SpecObjectAttributeType.ENUMERATION
T_STRING, T_LEVEL = "FRS-DT-STRING", "FRS-DT-LEVEL"
REQUIREMENT, SECTION, SPEC_TYPE = "FRS-TYPE-REQUIREMENT", "FRS-TYPE-SECTION", "FRS-TYPE-SPEC"
# attribute definition identifier -> (type, long name, catalogue field); the long names
# are the ReqIF Implementation Guide's standard attribute names where one exists.
ATTRIBUTES = {
    "FRS-AD-ID": (STRING, "ReqIF.ForeignID", "id"),
    "FRS-AD-LEVEL": (ENUM, "FRS.Level", "level"),
    "FRS-AD-TITLE": (STRING, "ReqIF.Name", "title"),
    "FRS-AD-TEXT": (STRING, "ReqIF.Text", "text"),
    "FRS-AD-CHAPTER": (STRING, "ReqIF.ChapterName", "chapter"),
    "FRS-AD-SECTION": (STRING, "FRS.Section", "section"),
    "FRS-AD-CLASSES": (STRING, "FRS.Classes", "classes"),
    "FRS-AD-SCHEMA": (STRING, "FRS.Schema", "schema"),
    "FRS-AD-IMPL": (STRING, "FRS.Impl", "impl"),
    "FRS-AD-TESTS": (STRING, "FRS.Tests", "tests"),
    "FRS-AD-STATUS": (STRING, "FRS.Status", "status"),
}
SECTION_NAME = "FRS-AD-SECTION-NAME"


def _name(text: str) -> str:
    """A LONG-NAME: `reqif` writes it into the attribute as given, so escape it here."""
    return html.escape(text, quote=True)


def level_ref(level: str) -> str:
    return "FRS-LEVEL-" + level.upper().replace(" ", "-")


def _timestamp() -> str:
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "0") or 0)
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").upper()


def bundle(report: Report, title: str = "FRS requirements") -> ReqIFBundle:
    when = _timestamp()
    titles = {file: writable(title) for file, title in report.spec.titles.items()}
    sections = {c.id: writable(c.section) for c in report.spec.clauses}
    rows = entries(report)
    data_types = [
        ReqIFDataTypeDefinitionString(identifier=T_STRING, last_change=when,
                                      long_name="String", max_length="100000"),
        ReqIFDataTypeDefinitionEnumeration(
            identifier=T_LEVEL, last_change=when, long_name="FRS level",
            values=[ReqIFEnumValue(identifier=level_ref(level), key=str(n), long_name=level,
                                   other_content="",
                                   last_change=when)
                    for n, level in enumerate(LEVELS)]),
    ]
    definitions = [
        SpecAttributeDefinition(attribute_type=kind, identifier=ident,
                                datatype_definition=T_LEVEL if kind is ENUM else T_STRING,
                                long_name=name, last_change=when,
                                multi_valued=False if kind is ENUM else None)
        for ident, (kind, name, _) in ATTRIBUTES.items()]
    spec_types = [
        ReqIFSpecObjectType(identifier=REQUIREMENT, long_name="FRS requirement",
                            last_change=when, attribute_definitions=definitions),
        ReqIFSpecObjectType(identifier=SECTION, long_name="FRS chapter", last_change=when,
                            attribute_definitions=[SpecAttributeDefinition(
                                attribute_type=STRING, identifier=SECTION_NAME,
                                datatype_definition=T_STRING, long_name="ReqIF.ChapterName",
                                last_change=when)]),
        ReqIFSpecificationType(identifier=SPEC_TYPE, long_name="FRS specification",
                               last_change=when),
    ]
    objects, chapters = [], {}
    for row in rows:
        values = {**row, "chapter": titles.get(row["file"], row["file"]),
                  "section": sections.get(row["id"], ""),
                  "classes": ", ".join(row["classes"]), "tests": " ".join(row["tests"])}
        attributes = []
        for ident, (kind, _, key) in ATTRIBUTES.items():
            if kind is ENUM:
                attributes.append(SpecObjectAttribute(ENUM, ident, [level_ref(values[key])]))
            elif values[key] != "":
                attributes.append(SpecObjectAttribute(STRING, ident, str(values[key])))
        objects.append(ReqIFSpecObject(identifier=row["id"], attributes=attributes,
                                       spec_object_type=REQUIREMENT, last_change=when,
                                       long_name=row["id"]))
        chapters.setdefault(row["file"], []).append(row["id"])
    hierarchy = []
    for file in [f for f in titles if f in chapters]:
        chapter_id = "FRS-CHAPTER-" + _slug(file.rsplit("/", 1)[-1].removesuffix(".md"))
        objects.append(ReqIFSpecObject(
            identifier=chapter_id, spec_object_type=SECTION, last_change=when,
            long_name=_name(titles[file]),
            attributes=[SpecObjectAttribute(STRING, SECTION_NAME, titles[file])]))
        node = ReqIFSpecHierarchy(identifier=f"H-{chapter_id}", spec_object=chapter_id,
                                  level=1, last_change=when, children=[])
        for clause_id in chapters[file]:
            node.add_child(ReqIFSpecHierarchy(identifier=f"H-{clause_id}",
                                              spec_object=clause_id, level=2,
                                              last_change=when))
        hierarchy.append(node)
    specification = ReqIFSpecification(identifier="FRS-SPECIFICATION", long_name=_name(title),
                                       last_change=when, specification_type=SPEC_TYPE,
                                       children=hierarchy)
    content = ReqIFReqIFContent(data_types=data_types, spec_types=spec_types,
                                spec_objects=objects, spec_relations=[],
                                specifications=[specification], spec_relation_groups=None)
    header = ReqIFReqIFHeader(identifier="FRS-HEADER", creation_time=when,
                              req_if_tool_id="frs export", req_if_version="1.0",
                              source_tool_id="FRS (frs_tools/reqif_export.py)", title=title)
    return ReqIFBundle(namespace_info=ReqIFNamespaceInfo.create_default(),
                       req_if_header=header, core_content=ReqIFCoreContent(content),
                       tool_extensions_tag_exists=False, lookup=ReqIFObjectLookup.empty(),
                       exceptions=[])


_ATTRIBUTE_VALUE = re.compile(r'(THE-VALUE|LONG-NAME)="([^"]*)"')
_BREAKS = {"\n": "&#10;", "\r": "&#13;"}
_LINE_BREAK = re.compile("[\n\r]")


def to_reqif(report: Report) -> str:
    """The ReqIF text.  Line breaks inside attribute values are written as `&#10;` (and
    `&#13;`): an XML parser turns a literal one into a space, and the text must read back
    unchanged.  The texts are `writable`, so no character XML 1.0 forbids is left."""
    text = ReqIFUnparser.unparse(bundle(report))
    return _ATTRIBUTE_VALUE.sub(lambda m: f'{m.group(1)}="{_kept_breaks(m.group(2))}"', text)


def _kept_breaks(value: str) -> str:
    return _LINE_BREAK.sub(lambda m: _BREAKS[m.group()], value)


def read_back(text: str) -> list[dict]:
    """The requirements of a ReqIF file written by `to_reqif`, parsed by `reqif`."""
    from reqif.parser import ReqIFParser

    parsed = ReqIFParser.parse_from_string(text)
    content = parsed.core_content.req_if_content
    levels = {v.identifier: v.long_name for dt in content.data_types
              if isinstance(dt, ReqIFDataTypeDefinitionEnumeration) for v in dt.values}
    names = {ident: field for ident, (_, _, field) in ATTRIBUTES.items()}
    found = []
    for obj in content.spec_objects:
        if obj.spec_object_type != REQUIREMENT:
            continue
        row = {"identifier": obj.identifier}
        for attribute in obj.attributes:
            value = attribute.value
            if attribute.attribute_type is ENUM:
                value = levels[value[0]]
            row[names[attribute.definition_ref]] = value
        found.append(row)
    return found
