"""docs/performance.md explains every figure the README's last `make bench` missed (issue 29's
"each missed figure comes with its profile and the next step"): a run that misses a new figure
fails here until its section is written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def missed_figures(readme: str) -> list[str]:
    """The names of the rows marked NO in the README's figures table (before the cost curve)."""
    table = readme[readme.index("<!-- bench:start"):readme.index("**Cost curve**")]
    return [row.split(" | ")[0][2:] for row in table.splitlines()
            if row.startswith("| ") and re.search(r"\| NO( \(projected\))? \|$", row)]


def _headings(section: str) -> list[str]:
    return [line[4:] for line in section.splitlines() if line.startswith("### ")]


def _named(figure: str, headings: list[str]) -> bool:
    # A heading may name two figures ("... folder hub / PostgreSQL ...") and leaves out what
    # varies by run in a row's name, such as the size in brackets of the GUI day.
    base = re.sub(r"\s*\((GUI day|folder|postgres)[^)]*\)$", "", figure)
    base = base.split(", folder hub")[0].split(", PostgreSQL")[0]
    return any(base.lower() in heading.lower() or heading.lower() in figure.lower() for heading in headings)


def test_every_figure_the_readme_missed_has_its_profile_and_next_step():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = _section((ROOT / "docs" / "performance.md").read_text(encoding="utf-8"), "Missed figures")
    headings = _headings(section)
    missing = [figure for figure in missed_figures(readme) if not _named(figure, headings)]
    assert not missing, f"docs/performance.md, 'Missed figures', has no section for: {missing}"
    for part in section.split("\n### ")[1:]:
        assert "**Next**" in part, f"no next step under: {part.splitlines()[0]}"


def test_the_check_reads_the_rows_marked_missed():
    readme = ("<!-- bench:start -->\n| figure | target | measured | plain | met? |\n|---|---|---|---|---|\n"
              "| save a note (p95), 200,000 cases | ≤ ×1.2 plain | 3.3 ms | ×1.39 | NO |\n"
              "| sync with nothing to do (folder, 200,000 cases) | < 100 ms | 95.7 ms | – | yes |\n"
              "| search, p95 of 20 queries, 50,000 cases | < 25 ms | 54.9 ms | – | NO (projected) |\n\n**Cost curve**")
    assert missed_figures(readme) == ["save a note (p95), 200,000 cases", "search, p95 of 20 queries, 50,000 cases"]
    assert not _named("a figure nobody wrote about", ["save a note (p95), 200,000 cases"])
