"""The contents page of reports, laid out in one pass: every h1
heading is listed with the page it landed on, also when the list runs over a page."""

import io
import re

from pypdf import PdfReader
from reportlab.platypus import KeepTogether, PageBreak, Paragraph
from reportlab.platypus.tableofcontents import TableOfContents

from app.pdf.common import STYLES, build


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text(extraction_mode="layout") for page in PdfReader(io.BytesIO(pdf)).pages]


def _story(sections: int) -> list:
    toc = TableOfContents()
    toc.levelStyles = [STYLES["body"]]
    story = [Paragraph("Front", STYLES["title"]), PageBreak(), toc, PageBreak()]
    for n in range(sections):
        heading = Paragraph(f"Section {n:03d}", STYLES["h1"])
        body = [Paragraph(f"Line {n}-{i} of synthetic text.", STYLES["body"]) for i in range(3 + n % 40)]
        story += [KeepTogether([heading, body[0]]), *body[1:]] if n % 2 else [heading, *body]
    return story


def _listed(pages: list[str]) -> dict[str, int]:
    listed = {}
    for page in pages:
        for title, number in re.findall(r"(Section \d{3})[ .]*?(\d+)\s*$", page, flags=re.M):
            listed.setdefault(title, int(number))
    return listed


def test_each_heading_is_listed_with_the_page_it_is_on():
    pages = _pages(build(_story(12), title="t", footer="f", contents=True))
    listed = _listed(pages[1:2])
    assert sorted(listed) == [f"Section {n:03d}" for n in range(12)]
    for title, number in listed.items():
        assert re.search(rf"^\s*{title}\s*$", pages[number - 1], flags=re.M), (title, number)


def test_a_contents_list_longer_than_a_page_goes_on_to_the_next():
    pages = _pages(build(_story(90), title="t", footer="f", contents=True))
    listed = _listed(pages[1:4])
    assert len(listed) == 90
    assert "Section 089" not in pages[1]  # it did run over
    for title, number in listed.items():
        assert re.search(rf"^\s*{title}\s*$", pages[number - 1], flags=re.M), (title, number)
