"""The repository is the product: nothing in it points to a file a clone does not have.

Fails when a tracked file names the team's background documents (the shared
folder beside the repository, its DESIGN, FACTS or STYLE files) or an absolute
path of the machine it was written on; and when a link between the docs pages
or from the README leads nowhere.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = re.compile("|".join([
    r"\.\./" + "shared",                   # the folder beside the repository
    r"\bshared[/]",                        # the team folder's DESIGN.md and friends
    r"\b(?:DESIGN|FACTS|STYLE)" + r"\.md\b",
    r"\b" + "FACTS" + r"\b",               # "(FACTS: ...)" in comments
    r"(?<![\w.])/" + "work/",              # this machine's work folders
    r"(?<![\w.])/" + r"(?:home|root|Users)/\w",
]))


def _tracked() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    return [ROOT / name for name in listed if name and (ROOT / name).is_file()]


def test_no_tracked_file_points_outside_the_repository() -> None:
    found = []
    for path in _tracked():
        if path == Path(__file__).resolve():
            continue  # the patterns themselves
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary files
        for number, line in enumerate(text.splitlines(), start=1):
            if OUTSIDE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert found == []


@pytest.mark.parametrize("line", [
    "See " + "/".join(["..", "shared", "DESIGN.md"]) + " for the architecture.",
    "calibration against " + "/".join(["shared", "FACTS.md"]),
    "# " + "FACTS" + ": network average",
    "cat " + "/".join(["", "work", "shared", "STYLE.md"]),
])
def test_the_check_catches_what_it_is_for(line: str) -> None:
    assert OUTSIDE.search(line)


LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_links_in_the_docs_lead_somewhere() -> None:
    """Relative links in README.md and docs/*.md name files that exist."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        for target in LINK.findall(page.read_text(encoding="utf-8")):
            if "://" in target or target.startswith("mailto:"):
                continue
            if not (page.parent / target).exists():
                broken.append(f"{page.relative_to(ROOT)} -> {target}")
    assert broken == []
