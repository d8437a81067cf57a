"""MkDocs hook: a thin adapter from MkDocs events to frs_tools/site.py.

Named in mkdocs.yml under `hooks:`.  It registers the requirement block, fails the
build on any malformed clause (with file:line), adds the generated pages and the
downloadable schemas, fills in the generated tables a page asks for
(frs_tools/generated.py), and tells the block which page it is rendering.
"""

from __future__ import annotations

from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from frs_tools import generated, redirects
from frs_tools.clauses import without_options
from frs_tools.project import Project
from frs_tools.requirement_block import make_extension
from frs_tools.site import SiteError, SiteModel
from reference_impl.errors import InputError

_model: SiteModel | None = None


def on_config(config):
    global _model
    try:
        _model = SiteModel(Project.load(Path(config.config_file_path).parent))
    except SiteError as exc:
        raise PluginError(str(exc)) from None
    config.markdown_extensions.append(make_extension(_model.render))
    return config


def on_files(files: Files, config) -> Files:
    for path, text in _model.generated_pages().items():
        files.append(File.generated(config, path, content=text))
    for source in _model.schema_files().values():
        files.append(File.generated(config, f"schemas/{source.name}",
                                    abs_src_path=str(source)))
    faults = redirects.problems(redirects.REDIRECTS,
                                {f.src_uri for f in files.documentation_pages()})
    if faults:
        raise PluginError("\n".join(faults))
    return files


def on_post_build(config) -> None:
    redirects.write(Path(config.site_dir), redirects.REDIRECTS, config.use_directory_urls)


def on_page_markdown(markdown: str, page, config, files) -> str:
    _model.page = page.file.src_uri
    if page.file.src_uri in _model.defining_pages:
        # Material's search reads `search.boost`: a requirement ID's own page outranks
        # the schema and reference pages that merely list it.
        page.meta.setdefault("search", {}).setdefault("boost", 2)
    try:
        return generated.expand(without_options(markdown), page.file.src_uri, _model.link)
    except InputError as exc:
        raise PluginError(str(exc)) from None
