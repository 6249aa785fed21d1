"""The case's Documents tab: adding by file chooser and by dropping files, the R6 refusal and
override in the form, reading a PDF and a picture inside Confide from memory, "Save a copy…"
only after the warning; and a canary scan proving viewing writes no file anywhere."""

import os
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QSize, Qt, QUrl
from PySide6.QtGui import QDropEvent

from app.services.documents import documents as docs
from tests.security.support import scan, text_needles
from tests.ui.casework_support import make_workspace, wait_idle
from tests.unit.consent_helpers import family_case
from tests.unit.document_helpers import pdf_with_plain_text, png_with_text
from ui.dialogs import files, messages

TOKEN = "Qxvbzplm"


def _case_tab(qtbot, session, ops, data_dir):
    fam = family_case(session)
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("case", fam.case.id)
    wait_idle(qtbot, ops)   # the case's tabs are read on the worker
    return fam, view.show_tab("documents")


def _save(qtbot, ops, dialog):
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    wait_idle(qtbot, ops)


def test_add_by_chooser_then_read_it_inside_confide(qtbot, session, ops, data_dir, tmp_path):
    _fam, tab = _case_tab(qtbot, session, ops, data_dir)
    assert tab.empty.isVisible()
    source = tmp_path / "EP-report.pdf"
    source.write_bytes(pdf_with_plain_text("Educational psychology report", pages=3))
    files.set_next_path(source)
    dialog = tab.choose_file()
    qtbot.waitExposed(dialog)
    assert dialog.title.text() == "EP report" and dialog.kind.currentData() == "report"
    dialog.title.setText("EP report, autumn")
    dialog.source.setText("Northshire EP service")
    _save(qtbot, ops, dialog)
    assert tab.tree.topLevelItemCount() == 1
    assert tab.tree.topLevelItem(0).text(1) == "EP report, autumn"
    tab.open_selected()
    qtbot.waitUntil(lambda: tab.viewer is not None and tab.viewer.isVisible(), timeout=5000)
    assert tab.viewer.page_count() == 3
    page = tab.viewer.pdf.render(0, QSize(300, 420))
    assert not page.isNull()
    tab.viewer.close()


def test_a_professionals_document_needs_consent_or_an_override(qtbot, session, ops, data_dir, tmp_path):
    fam, tab = _case_tab(qtbot, session, ops, data_dir)
    source = tmp_path / "exclusion-letter.pdf"
    source.write_bytes(pdf_with_plain_text("Exclusion letter"))
    dialog = tab.add_files([source])
    qtbot.waitExposed(dialog)
    dialog.source.setText("Hillside Primary School")
    dialog.professional.setChecked(True)
    assert dialog.party.isVisible()
    dialog.party.setCurrentIndex(next(i for i in range(dialog.party.count())
                                      if getattr(dialog.party.itemData(i), "person_id", None) == fam.senco.id))
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.refusal.isVisible(), timeout=5000)
    assert "No live consent covers asking Priya Okafor" in dialog.refusal.text()
    assert tab.tree.topLevelItemCount() == 0
    dialog.reason.setCurrentIndex(dialog.reason.findData("safeguarding"))
    dialog.justification.setPlainText("Sent by the school during a safeguarding referral.")
    _save(qtbot, ops, dialog)
    assert tab.tree.topLevelItemCount() == 1
    assert "without consent" in tab.basis.text()


def test_dropping_files_offers_each_in_turn(qtbot, session, ops, data_dir, tmp_path):
    _fam, tab = _case_tab(qtbot, session, ops, data_dir)
    first, second = tmp_path / "photo.png", tmp_path / "plan.pdf"
    first.write_bytes(png_with_text("picture"))
    second.write_bytes(pdf_with_plain_text("Draft plan"))
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    tab.dropEvent(drop)
    dialog = tab.dialog
    qtbot.waitExposed(dialog)
    assert dialog.path == first
    dialog.source.setText("Parent")
    _save(qtbot, ops, dialog)
    qtbot.waitUntil(lambda: tab.dialog is not dialog and tab.dialog.isVisible(), timeout=5000)
    assert tab.dialog.path == second
    tab.dialog.source.setText("Local authority")
    _save(qtbot, ops, tab.dialog)
    assert tab.tree.topLevelItemCount() == 2


def test_save_a_copy_warns_first_and_cancel_writes_nothing(qtbot, session, ops, data_dir, tmp_path):
    fam, tab = _case_tab(qtbot, session, ops, data_dir)
    source = tmp_path / "draft.docx"
    source.write_bytes(b"PK\x03\x04 word file")
    with open(source, "rb") as stream:
        docs.add_document(session, docs.DocumentInput("Draft plan", "ehc_plan", "2026-11-01", "LA", "draft.docx",
                                                      case_id=fam.case.id), stream)
    tab.reload()
    assert not tab.open_button.isEnabled() and tab.copy_button.isEnabled()
    messages.set_next_answer(False)
    tab.save_copy()
    assert list((tmp_path).glob("copy*")) == []
    out = tmp_path / "copy.docx"
    messages.set_next_answer(True)
    files.set_next_path(out)
    messages.set_next_answer(True)     # "Copy saved"
    tab.save_copy()
    qtbot.waitUntil(out.exists, timeout=5000)
    wait_idle(qtbot, ops)
    assert out.read_bytes() == b"PK\x03\x04 word file"


def test_viewing_a_pdf_and_a_picture_writes_no_file_anywhere(qtbot, session, ops, data_dir, tmp_path, monkeypatch):
    """Canaries in a PDF's text and a picture's bytes: after both were added, shown and
    rendered, no file in the temp folders, the XDG folders or beside the vault holds them."""
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    started = time.time() - 1
    fam, tab = _case_tab(qtbot, session, ops, data_dir)
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, data in (("report.pdf", pdf_with_plain_text(f"Report {TOKEN}")),
                       ("photo.png", png_with_text(f"Photo {TOKEN}"))):
        (sources / name).write_bytes(data)
        with open(sources / name, "rb") as stream:
            docs.add_document(session, docs.DocumentInput(f"Title {TOKEN}", "evidence", "2026-11-01", "Parent",
                                                          name, case_id=fam.case.id), stream)
    needles = text_needles("token", TOKEN)
    assert scan([sources], needles), "the scan must see the canary where it is in clear"
    tab.reload()
    for row in range(tab.tree.topLevelItemCount()):
        tab.tree.setCurrentItem(tab.tree.topLevelItem(row))
        tab.open_selected()
        qtbot.waitUntil(lambda: tab.viewer is not None and tab.viewer.isVisible(), timeout=5000)
        tab.viewer.grab()       # paint it: the pages are rendered now
        if tab.viewer.pdf is not None:
            assert not tab.viewer.pdf.render(0, QSize(300, 420)).isNull()
        tab.viewer.close()
        tab.viewer = None
    session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    roots = [private_tmp, tmp_path / "xdg", data_dir]
    assert scan(roots, needles) == []
    # The shared temp folder: any file made there during the test, but the sources we wrote.
    recent = _files_made_since(Path(tempfile.gettempdir()), started) + _files_made_since(Path("/tmp"), started)
    leaks = [p for p in recent if sources not in p.parents and any(n in _read(p) for n in needles.values())]
    assert leaks == []


def _files_made_since(root: Path, started: float) -> list[Path]:
    found = []
    for folder, _dirs, names in os.walk(root, onerror=lambda _e: None):
        for name in names:
            path = Path(folder) / name
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= started:
                    found.append(path)
            except OSError:
                continue
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_a_persons_page_lists_their_own_documents(qtbot, session, ops, data_dir, tmp_path):
    fam = family_case(session)
    docs.add_document(session, docs.DocumentInput("Photo of the letter", "evidence", "2026-11-01", "Parent",
                                                  "photo.png", person_id=fam.parent.id),
                      __import__("io").BytesIO(png_with_text("picture")))
    workspace = make_workspace(qtbot, session, ops, data_dir)
    view = workspace.open_record("person", fam.parent.id)
    assert view.documents.tree.topLevelItemCount() == 1
    assert view.documents.tree.topLevelItem(0).text(1) == "Photo of the letter"
    assert not view.documents.letter_button.isVisible()
