"""The README's figures come from the last `make bench`, between two markers."""

from datetime import UTC, datetime

import pytest

from tests.perf import readme_figures as rf


def test_the_section_between_the_markers_is_replaced_and_the_rest_kept():
    readme = f"# Confide\nintro\n{rf.START}\nold figures\n{rf.END}\n## After\nkept\n"
    new = rf.section([("unlock", "| a | b |\n|---|---|\n| 1 | 2 |"), ("team", "join 25.8 s")],
                     datetime(2026, 12, 6, 23, 0, tzinfo=UTC))
    out = rf.replace_section(readme, new)
    assert out.startswith("# Confide\nintro\n") and out.endswith("\n## After\nkept\n")
    assert "old figures" not in out and "06/12/2026 23:00 UTC" in out
    assert "| 1 | 2 |" in out and "```\njoin 25.8 s\n```" in out
    assert out.count(rf.START) == 1 and out.count(rf.END) == 1


def test_a_readme_without_markers_is_refused_not_appended_to():
    with pytest.raises(ValueError, match="no bench markers"):
        rf.replace_section("# Confide\n", "x")


def test_the_real_readme_carries_the_markers():
    text = (rf.ROOT / "README.md").read_text(encoding="utf-8")
    assert text.index(rf.START) < text.index(rf.END)
