"""The pull-request workflow files: CI, templates, issue form, CODEOWNERS."""

from __future__ import annotations

import fnmatch
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
GITHUB = ROOT / ".github"


def test_ci_runs_make_test_and_posts_the_normative_diff():
    workflow = yaml.safe_load((GITHUB / "workflows" / "test.yml").read_text())
    steps = workflow["jobs"]["test"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "make test" in runs
    assert "frs diff" in runs and "--format markdown" in runs
    assert any(s.get("with", {}).get("fetch-depth") == 0 for s in steps)
    comment = workflow["jobs"]["comment"]
    assert comment["permissions"] == {"pull-requests": "write"}
    script = comment["steps"][-1]["with"]["script"]
    assert "normative-diff.md" in script and "updateComment" in script
    # `on:` parses as True in YAML 1.1
    triggers = workflow.get("on", workflow.get(True))
    assert "pull_request" in triggers


def test_pull_request_template_has_the_clause_checklist():
    text = (GITHUB / "pull_request_template.md").read_text()
    for item in ("frs new-id", "frs lock", "frs retire", "NOTE — Source", "suspect",
                 "pytest.mark.requirement", "make test"):
        assert item in text
    assert text.count("- [ ]") >= 8


def test_comment_on_a_clause_is_the_iso_comment_form():
    form = yaml.safe_load((GITHUB / "ISSUE_TEMPLATE" / "comment-on-a-clause.yml").read_text())
    fields = {f["id"]: f for f in form["body"] if "id" in f}
    for required in ("clause", "type", "comment", "proposed-change"):
        assert fields[required]["validations"]["required"] is True
    assert [o.split(" ")[0] for o in fields["type"]["attributes"]["options"]] == [
        "ge", "te", "ed"]


def codeowners() -> list[tuple[str, list[str]]]:
    rules = []
    for line in (GITHUB / "CODEOWNERS").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            pattern, *owners = line.split()
            rules.append((pattern, owners))
    return rules


def owners_of(path: str, rules) -> list[str]:
    found = []
    for pattern, owners in rules:  # the last match wins
        if pattern == "*":
            found = owners
        elif pattern.endswith("/") and ("/" + path).startswith(pattern):
            found = owners
        elif fnmatch.fnmatch("/" + path, pattern):
            found = owners
    return found


def test_every_chapter_has_its_own_owner():
    rules = codeowners()
    default = owners_of("no/such/file", rules)
    for page in sorted((ROOT / "spec").glob("*.md")):
        path = page.relative_to(ROOT).as_posix()
        assert owners_of(path, rules), f"{path} has no owner"
        assert any(p == "/" + path for p, _ in rules), f"{path}: no CODEOWNERS line of its own"
    assert owners_of("spec/06-accuracy.md", rules) == ["@frs-standard/accuracy"]
    assert owners_of("schemas/x.schema.json", rules) == ["@frs-standard/data-objects"]
    assert owners_of("ids.lock", rules) == ["@frs-standard/editors"] == default
