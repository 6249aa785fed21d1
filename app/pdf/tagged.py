"""Tagged PDFs (PDF/UA-1) through Typst: the route for documents a family reads
(the consent record, the SAR pack, letters), so a screen reader meets headings, lists, tables with header rows, alternative text for images, the
language (en-GB) and the title, in reading order. reportlab writes no structure tree, so it
stays for the rest (reports, the blank form, the recovery sheet): one route per kind of
document (docs/accessibility.md).

A document is a template in resources/typst/ (importing common.typ) and a dict of plain data
handed to it as JSON (`sys.inputs.data`). Nothing a family wrote is ever spliced into markup:
the template prints it as text, so '#', '*' or '[' in a note stay characters. Returns bytes;
encryption and the atomic write stay the export service's job, as for every PDF.

    pdf = tagged.render("consent_record", data)
"""

import json
from datetime import UTC, datetime

import typst

from app import resources
from app.errors import ConfideError

__all__ = ["render", "TEMPLATES"]

TEMPLATES = ("consent_record", "letter", "sar_pack")


class PdfLayoutError(ConfideError):
    """A tagged document could not be laid out (a broken template: a bug, not the data)."""


def render(template: str, data: dict, *, when: datetime | None = None) -> bytes:
    """Lay out resources/typst/<template>.typ over `data`; PDF/UA-1, in memory.
    `when` fixes the file's creation date (the pack's own date, so a pack made again from its
    record of disclosure says the same). May raise: PdfLayoutError."""
    folder = resources.path("typst")
    try:
        return typst.compile(str(folder / f"{template}.typ"), root=str(folder),
                             font_paths=[str(resources.path("fonts"))], ignore_system_fonts=True,
                             sys_inputs={"data": json.dumps(data, ensure_ascii=False)},
                             pdf_standards="ua-1", timestamp=int((when or datetime(2000, 1, 1, tzinfo=UTC))
                                                                 .timestamp()))
    except Exception as exc:  # noqa: BLE001 - typst raises its own error types, all one failure here
        raise PdfLayoutError(f"The document could not be laid out ({template}): {exc}") from exc
