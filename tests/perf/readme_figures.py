"""Write the latest benchmark figures into README.md, between its two bench markers, so the
README's figures are always the ones `make bench` last printed (never typed by hand).

`make bench` saves each benchmark's output in .bench/out/<name>.txt; this script puts them in
the README in the order given, under one heading line with the date and the machine."""

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START = "<!-- bench:start (written by make bench: tests/perf/readme_figures.py) -->"
END = "<!-- bench:end -->"


def machine() -> str:
    cores = os.cpu_count() or 0
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        mem = 0
    return f"{platform.system()} {platform.machine()}, {cores} cores, {mem:.0f} GiB, Python {platform.python_version()}"


def section(outputs: list[tuple[str, str]], when: datetime) -> str:
    parts = [START, f"Latest `make bench`: {when:%d/%m/%Y %H:%M} UTC on {machine()}.", ""]
    for name, text in outputs:
        body = text.strip()
        parts += [f"**{name}**", ""]
        parts += [body if body.startswith(("|", "#")) else "```\n" + body + "\n```", ""]
    parts.append(END)
    return "\n".join(parts)


def replace_section(readme: str, new: str) -> str:
    """May raise: ValueError when the README has no markers (they must be added by hand once)."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise ValueError("README.md has no bench markers; add the two marker lines where the figures go.")
    return readme[:start] + new + readme[end + len(END):]


def main(argv: list[str]) -> int:
    folder = ROOT / ".bench" / "out"
    outputs = [(name, (folder / f"{name}.txt").read_text(encoding="utf-8"))
               for name in argv if (folder / f"{name}.txt").exists()]
    if not outputs:
        print("readme_figures: no benchmark output in .bench/out; run make bench", file=sys.stderr)
        return 1
    readme = ROOT / "README.md"
    text = replace_section(readme.read_text(encoding="utf-8"), section(outputs, datetime.now(UTC)))
    readme.write_text(text, encoding="utf-8")
    print(f"README.md: figures from {', '.join(n for n, _ in outputs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
