"""Old URLs keep working: a redirect page for every renamed or moved spec page.

Add a line to REDIRECTS when a page is renamed (old path -> new path, both relative to the
spec folder).  The site hook writes, after the build, a small HTML page at the old
address that sends the browser to the new one, keeping the `#FRS-…` fragment, so a
permalink to a requirement survives the move.  (mkdocs-redirects does the same, but
drops the fragment unless told; this keeps the project to its pinned packages.)
"""

from __future__ import annotations

import html
import posixpath
from pathlib import Path

# old page -> new page, relative to the spec folder (docs_dir).
# No page has been renamed since the first build; an entry looks like
#     "accuracy.md": "06-accuracy.md",
REDIRECTS: dict[str, str] = {}


def page_url(page: str, directory_urls: bool = True) -> str:
    """Where MkDocs publishes a page: `a/b.md` -> `a/b/` (or `a/b.html`)."""
    stem = page.removesuffix(".md")
    if posixpath.basename(stem) in ("index", "README"):
        return posixpath.dirname(stem) + "/" if posixpath.dirname(stem) else ""
    return stem + "/" if directory_urls else stem + ".html"


def output_file(page: str, directory_urls: bool = True) -> str:
    url = page_url(page, directory_urls)
    return url + "index.html" if url.endswith("/") or url == "" else url


def redirect_html(old: str, new: str, directory_urls: bool = True) -> str:
    """The page left at the old address."""
    here = posixpath.dirname(output_file(old, directory_urls))
    target = posixpath.relpath(page_url(new, directory_urls) or ".", here or ".")
    if page_url(new, directory_urls).endswith("/") or not page_url(new, directory_urls):
        target = target.rstrip("/") + "/"
    quoted = html.escape(target, quote=True)
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>Moved to {quoted}</title>\n"
            f"<link rel=\"canonical\" href=\"{quoted}\">\n"
            f"<meta http-equiv=\"refresh\" content=\"0; url={quoted}\">\n"
            f"<script>location.replace({target!r} + location.hash)</script>\n"
            "</head>\n<body>\n"
            f"<p>This page has moved to <a href=\"{quoted}\">{quoted}</a>.</p>\n"
            "</body>\n</html>\n")


def problems(mapping: dict[str, str], pages: set[str]) -> list[str]:
    """A redirect from a page that still exists, or to one that does not, is a mistake."""
    found = []
    for old, new in sorted(mapping.items()):
        if old in pages:
            found.append(f"frs_tools/redirects.py: '{old}' still exists; remove its redirect")
        if new not in pages:
            found.append(f"frs_tools/redirects.py: '{old}' redirects to '{new}', which is not a "
                         "page of the site")
    return found


def write(site_dir: Path, mapping: dict[str, str], directory_urls: bool = True) -> list[Path]:
    written = []
    for old, new in sorted(mapping.items()):
        path = site_dir / output_file(old, directory_urls)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(redirect_html(old, new, directory_urls), encoding="utf-8")
        written.append(path)
    return written
