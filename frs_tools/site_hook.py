"""MkDocs hook: what MkDocs needs beyond the Markdown extension, from frs_tools/site.py.

Named in mkdocs.yml under `hooks:` (MkDocs 1.6 and ProperDocs run it alike).  The
requirement blocks are rendered by the Markdown extension frs_tools/site_markdown.py; this
hook fails the build on any malformed clause (with file:line), adds the generated pages and
the published files (schemas, KaTeX), gives the theme the edition (version, status, date)
and writes the redirects.  A generator without hooks gets the same pages and files from
`python -m frs_tools.site write FOLDER` (PUBLISHING.md says what else it lacks).
It also fills in the generated tables a page asks for (frs_tools/generated.py) and
boosts in search the page that defines a requirement.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

from frs_tools import redirects, site
from frs_tools.site import SiteError
from reference_impl.errors import InputError


@contextmanager
def _as_build_error():
    """A problem of the user's making ends the build with its message, not a traceback."""
    try:
        yield
    except SiteError as exc:
        raise PluginError(str(exc)) from None


def _model(config, refresh: bool = False) -> site.SiteModel:
    with _as_build_error():
        return site.model(Path(config.config_file_path).parent, refresh)


def on_config(config):
    # Every build (each rebuild of `mkdocs serve`) reads the spec, lock and results anew.
    config.extra["frs"] = _model(config, refresh=True).edition  # overrides/ show it
    return config


def on_files(files: Files, config) -> Files:
    model = _model(config)
    for path, text in model.generated_pages(config.site_url or "").items():
        files.append(File.generated(config, path, content=text))
    with _as_build_error():
        published = model.static_files(math="pymdownx.arithmatex" in config.markdown_extensions)
    for path, source in published.items():
        files.append(File.generated(config, path, abs_src_path=str(source)))
    faults = redirects.problems(redirects.REDIRECTS,
                                {f.src_uri for f in files.documentation_pages()})
    if faults:
        raise PluginError("\n".join(faults))
    return files


def on_post_build(config) -> None:
    redirects.write(Path(config.site_dir), redirects.REDIRECTS, config.use_directory_urls)


def on_page_markdown(markdown: str, page, config, files) -> str:
    model = _model(config)
    if page.file.src_uri in model.defining_pages:
        # Material's search reads `search.boost`: a requirement ID's own page outranks
        # the schema and reference pages that merely list it.
        page.meta.setdefault("search", {}).setdefault("boost", 2)
    try:
        return model.page_markdown(markdown, page.file.src_uri)
    except InputError as exc:
        raise PluginError(str(exc)) from None
