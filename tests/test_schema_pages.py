"""The site's schema pages are generated from the schemas themselves."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from frs_tools import pages, schema_examples
from frs_tools.project import Project
from frs_tools.site import SiteModel

PROJECT = Project.load(Path(__file__).resolve().parents[1])
NAMES = schema_examples.schema_names(PROJECT)


@pytest.fixture(scope="module")
def generated() -> dict[str, str]:
    return SiteModel(PROJECT).generated_pages()


def _schema(name: str) -> dict:
    return json.loads((PROJECT.schemas_dir / f"{name}.schema.json").read_text())


@pytest.mark.parametrize("name", NAMES)
def test_schema_is_published_at_its_id_path(name):
    """The raw file is copied to schemas/<name>.schema.json of the site: its $id path."""
    assert urlparse(_schema(name)["$id"]).path.lstrip("/") == pages.schema_file_path(name)


@pytest.mark.parametrize("name", NAMES)
def test_schema_page_shows_every_property_and_every_example(generated, name):
    page = generated[pages.schema_page_path(name)]
    schema = _schema(name)
    for prop, sub in schema["properties"].items():
        assert f'<tr id="{prop}">' in page
        assert sub["description"].split("`")[0][:40] in page
    examples = schema_examples.find(PROJECT, name)
    for path in examples.valid:
        assert f"`valid/{path.name}`" in page
    for path in examples.invalid:
        reason = examples.expected.get(path.name)
        assert f"`invalid/{path.name}`" + (f" — rejected by `{reason['keyword']}`"
                                           if reason else "") in page
    assert "Download: [`" in page and f"../../{pages.schema_file_path(name)}" in page


def test_nested_properties_types_constraints_and_citing_clauses(generated):
    page = generated[pages.schema_page_path("capture-record")]
    assert '<tr id="image.width_px"><td><code>image.<wbr>width_px</code></td><td>integer</td>' \
           "<td>yes</td><td>≥ 1; ≤ 65535</td><td>Image width in pixels.</td></tr>" in page
    assert "[FRS-DAT-002](../../annex-a-data-objects.md#FRS-DAT-002) (Capture record)" in page
    groups = generated[pages.schema_page_path("comparison-result")]
    assert '<td>map of string</td>' in groups and "values: minLength" in groups


def test_schemas_index_lists_every_schema(generated):
    index = generated[pages.SCHEMAS_INDEX]
    for name in NAMES:
        assert f"| [{name}]({name}.md) |" in index
        assert f"(../../schemas/{name}.schema.json)" in index
