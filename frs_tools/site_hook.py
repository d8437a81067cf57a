"""MkDocs hook: what MkDocs needs beyond the Markdown extension, from frs_tools/site.py.

Named in mkdocs.yml under `hooks:` (MkDocs 1.6 and ProperDocs run it alike).  The
requirement blocks are rendered by the Markdown extension frs_tools/site_markdown.py; this
hook fails the build on any malformed clause (with file:line), adds the generated pages and
the published files (schemas, KaTeX), gives the theme the edition (version, status, date)
and writes the redirects.  A generator without hooks gets the same pages and files from
`python -m frs_tools.site write FOLDER` (PUBLISHING.md says what else it lacks).
It also fills in the generated tables a page asks for (frs_tools/generated.py) and
boosts in search the page that defines a requirement.

Two languages: the English build (mkdocs.yml, `spec/`) ends by building the Chinese edition
(mkdocs.zh.yml, `spec/zh/`, theme language zh) into its site's `zh/` folder, so `mkdocs
build` and `mkdocs serve` give both (`FRS_SITE_LANGUAGES=en` builds English alone).  The
Chinese build gets the same generated pages in Chinese, the English text of a page not yet
translated, and on every heading the English heading's anchor (frs_tools/languages.py).
"""

from __future__ import annotations

import importlib
import logging
import os
from contextlib import contextmanager
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

from frs_tools import languages, redirects, site
from frs_tools.languages import EN, FOLDER, ZH
from frs_tools.site import ZH_CONFIG, SiteError
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


def _language(config) -> str:
    return ZH if config.theme.get("language") == ZH else EN


@event_priority(100)  # before print-site makes its page from the title set here
def on_config(config):
    language = _language(config)
    # Every English build (each rebuild of `mkdocs serve`) reads the spec, lock and results
    # anew; the Chinese build that follows it uses the same model.
    config.extra["frs"] = _model(config, refresh=language == EN).edition  # overrides/ show it
    logging.getLogger("jieba").setLevel(logging.WARNING)  # Material's search segmenter
    if language == ZH:
        config.mdx_configs.setdefault("frs_tools.site_markdown", {})["language"] = ZH
        config.mdx_configs.setdefault("toc", {})["permalink_title"] = languages.word(
            "Permanent link", ZH)
        config.nav = _translated_nav(config.nav or [])
        if "print-site" in config.plugins:
            config.plugins["print-site"].config.update(
                print_page_title=languages.word("Print (whole standard)", ZH),
                toc_title=languages.word("Table of Contents", ZH))
    return config


def _translated_nav(nav: list) -> list:
    """The English navigation for the Chinese build: sections by their Chinese labels, pages
    by their own (translated) titles, but the home page by its label (its title is the
    site's name, which the navigation already shows above it)."""
    found = []
    for item in nav:
        if isinstance(item, dict):
            (title, value), = item.items()
            if isinstance(value, list):
                found.append({languages.word(title, ZH): _translated_nav(value)})
            else:
                found.append({languages.word(title, ZH): value} if title == "Home" else value)
        else:
            found.append(item)
    return found


def on_files(files: Files, config) -> Files:
    model = _model(config)
    language = _language(config)
    for path, text in model.generated_pages(config.site_url or "", language).items():
        files.append(File.generated(config, path, content=text))
    if language == ZH:  # what the Chinese build takes from the English one
        for path, source in model.assets().items():
            files.append(File.generated(config, path, abs_src_path=str(source)))
        for path, text in model.untranslated_pages().items():
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
    chinese = Path(config.config_file_path).parent / ZH_CONFIG  # a project may have none
    if _language(config) == EN and chinese.is_file() and \
            os.environ.get("FRS_SITE_LANGUAGES", "en zh") != EN:
        _build_chinese(config, chinese)


def _build_chinese(config, chinese_config: Path) -> None:
    """The Chinese edition into the English site's zh/ folder, with the same strictness
    (its warnings count against the English build too), by the generator running this
    hook (MkDocs or ProperDocs)."""
    generator = type(config).__module__.split(".")[0]
    build = importlib.import_module(f"{generator}.commands.build").build
    load_config = importlib.import_module(f"{generator}.config").load_config
    address = f"{config.site_url.rstrip('/')}/{FOLDER}/" if config.site_url else None
    chinese = load_config(str(chinese_config), site_dir=str(Path(config.site_dir) / FOLDER),
                          strict=config.strict, site_url=address)
    chinese.plugins.on_startup(command="build", dirty=False)
    try:
        build(chinese)
    finally:
        chinese.plugins.on_shutdown()


def on_page_markdown(markdown: str, page, config, files) -> str:
    model = _model(config)
    language = _language(config)
    if page.file.src_uri in model.defining_pages:
        # Material's search reads `search.boost`: a requirement ID's own page outranks
        # the schema and reference pages that merely list it.
        page.meta.setdefault("search", {}).setdefault("boost", 2)
    try:
        return model.page_markdown(markdown, page.file.src_uri, language,
                                   translation=language == ZH and not page.file.generated_by)
    except InputError as exc:
        raise PluginError(str(exc)) from None
