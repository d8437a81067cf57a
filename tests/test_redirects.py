"""frs_tools/redirects.py: the pages left at old addresses, and the map's own checks."""

from __future__ import annotations

from frs_tools import redirects


def test_page_urls_follow_mkdocs():
    assert redirects.page_url("06-accuracy.md") == "06-accuracy/"
    assert redirects.page_url("reference/classes/v-l.md") == "reference/classes/v-l/"
    assert redirects.page_url("index.md") == ""
    assert redirects.page_url("reference/index.md") == "reference/"
    assert redirects.page_url("06-accuracy.md", directory_urls=False) == "06-accuracy.html"
    assert redirects.output_file("a/b.md") == "a/b/index.html"
    assert redirects.output_file("index.md") == "index.html"


def test_redirect_page_points_relative_and_keeps_the_fragment():
    text = redirects.redirect_html("old/accuracy.md", "06-accuracy.md")
    assert 'content="0; url=../../06-accuracy/"' in text
    assert "location.replace('../../06-accuracy/' + location.hash)" in text
    assert 'rel="canonical" href="../../06-accuracy/"' in text
    flat = redirects.redirect_html("accuracy.md", "06-accuracy.md", directory_urls=False)
    assert "url=06-accuracy.html" in flat


def test_write_and_problems(tmp_path):
    written = redirects.write(tmp_path, {"old.md": "new/page.md"})
    assert written == [tmp_path / "old" / "index.html"]
    assert "../new/page/" in written[0].read_text()
    pages = {"new/page.md", "kept.md"}
    assert redirects.problems({"old.md": "new/page.md"}, pages) == []
    assert redirects.problems({"kept.md": "new/page.md"}, pages) == [
        "frs_tools/redirects.py: 'kept.md' still exists; remove its redirect"]
    assert "which is not a page" in redirects.problems({"old.md": "gone.md"}, pages)[0]
    assert redirects.problems(redirects.REDIRECTS, set(redirects.REDIRECTS.values())) == []
