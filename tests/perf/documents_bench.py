"""Figures for documents (docs/documents.md, "Figures"): adding a large PDF (peak RSS rise
under 80 MB, under 3 s), opening its first page inside Confide (under 1 s), and syncing it to
another computer through a folder hub (under 10 s).

Usage: python -m tests.perf.documents_bench [--mb 50] [--profile DIR]
       python -m tests.perf.documents_bench --scale 50000 [--scale-documents 100000] [--runs 15]
Each figure is measured in a fresh process so that the peak resident size (VmHWM, reset
through /proc/self/clear_refs before the step) belongs to that step alone. CPU time is printed
beside the wall clock: on the shared machine the wall clock mostly measures the wait for a core."""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.perf import documents_scale

TARGETS = {"add": 3.0, "rss_mb": 80.0, "first_page": 1.0, "sync": 10.0}


def make_pdf(path: Path, megabytes: int) -> None:
    """A valid one-page PDF carrying `megabytes` of incompressible data in an image stream
    drawn small on the page (a scanned report is much like this), written a MB at a time."""
    size = megabytes * 1024 * 1024
    side = int((size / 3) ** 0.5)
    length = side * side * 3
    content = b"BT /F1 24 Tf 72 760 Td (Synthetic report for the benchmark) Tj ET q 200 0 0 200 72 500 cm /Im1 Do Q"
    with open(path, "wb") as out:
        offsets = []

        def obj(body: bytes) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + body + b"\nendobj\n")

        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        obj(b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
        obj(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 6 0 R >> /XObject << /Im1 5 0 R >> >> >>")
        obj(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
        offsets.append(out.tell())
        out.write(f"5 0 obj\n<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceRGB "
                  f"/BitsPerComponent 8 /Length {length} >>\nstream\n".encode())
        left = length
        while left:
            piece = min(left, 1024 * 1024)
            out.write(os.urandom(piece))
            left -= piece
        out.write(b"\nendstream\nendobj\n")
        obj(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())


DOCUMENT_TITLES = ("Educational psychology report", "Speech and language therapy report", "Annual review minutes",
                   "School exclusion letter", "Draft EHC plan", "Paediatrician's letter", "Provision map",
                   "Attendance record")


def small_pdf(text: str) -> bytes:
    """A one-page PDF of a line of text (a few hundred bytes): the many small documents of
    the --scale run."""
    content = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _hwm_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _reset_peak() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def child(step: str, root: Path, pdf: Path) -> dict:
    """One step in this process; prints its figures as JSON."""
    import keyring

    from app.security import kdf
    from tests.conftest import MemoryKeyring

    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    from app.services.documents import documents as docs
    from app.services.documents.documents import DocumentInput
    from app.services.team import team as team_service
    from app.services.team.sync import sync_now
    from app.services.vault.unlock import unlock
    from app.storage.hub.folder import FolderHub
    from tests.conftest import PASSPHRASE
    from tests.team.conftest import new_vault
    from tests.unit.casework_helpers import family

    secrets = json.loads((root / "secrets.json").read_text()) if (root / "secrets.json").exists() else {}
    for vault_id, secret in secrets.items():
        from app.security.device import KeyringStore
        KeyringStore().save(vault_id, bytes.fromhex(secret))
    if step == "setup":
        from app.services.casework import cases
        team_id = "0193a000-0000-7000-8000-00000000be0c"
        hub = FolderHub(str(root / "hub"), team_id, create=True)
        a = new_vault(root / "template", root / "office")
        team_service.create_team(a, hub, "Northshire SENDIASS", team_id=team_id)
        b = new_vault(root / "template", root / "other")
        team_service.join_team(b, hub, team_service.invite_device(a, hub, "other"))
        parent, kid = family(a)
        case = cases.open_case(a, parent.id, kid.id)
        # A computer on its own has no capture triggers (docs/sync.md §7).
        from app.security.device import KeyringStore
        from app.services.vault.unlock import create_vault
        solo, _ = create_vault(root / "solo", "Northshire SENDIASS", "manager", "Test Manager", PASSPHRASE,
                               KeyringStore())
        solo_parent, solo_kid = family(solo)
        solo_case = cases.open_case(solo, solo_parent.id, solo_kid.id)
        sync_now(a, hub)
        sync_now(b, hub)
        from app.security.device import KeyringStore
        store = KeyringStore()
        saved = {s.vault.vault_id: store.load(s.vault.vault_id).hex() for s in (a, b)}
        (root / "secrets.json").write_text(json.dumps(saved))
        saved[solo.vault.vault_id] = store.load(solo.vault.vault_id).hex()
        (root / "secrets.json").write_text(json.dumps(saved))
        return {"case": case.id, "team": team_id, "solo_case": solo_case.id}
    meta = json.loads((root / "meta.json").read_text())
    if step in ("add", "add_solo"):
        a = unlock(root / ("office" if step == "add" else "solo"), "manager", PASSPHRASE)
        case_id = meta["case"] if step == "add" else meta["solo_case"]
        base = _rss_kb()
        _reset_peak()

        def add():
            with open(pdf, "rb") as stream:
                return docs.add_document(a, DocumentInput("EP report (scanned)", "report", "2026-11-20", "EP service",
                                                          "ep-report.pdf", case_id=case_id), stream)
        added, wall, cpu = _timed(add)
        return {"document": added.id, "add_s": wall, "add_cpu_s": cpu, "rss_rise_mb": (_hwm_kb() - base) / 1024,
                "size_mb": added.size / (1024 * 1024)}
    if step == "first_page":
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtPdf import QPdfDocument

        QGuiApplication([])
        a = unlock(root / "office", "manager", PASSPHRASE)

        parts = {}

        def first_page():
            start = time.perf_counter()
            _document, data = docs.read_for_viewing(a, meta["document"])
            parts["read_s"] = time.perf_counter() - start
            array = QByteArray(data)        # as ui/dialogs/document_viewer.py does
            del data
            buffer = QBuffer(array)
            buffer.open(QIODevice.OpenModeFlag.ReadOnly)
            pdf = QPdfDocument()
            pdf.load(buffer)
            image = pdf.render(0, QSize(600, 850))
            assert not image.isNull() and pdf.pageCount() == 1
            parts["render_s"] = time.perf_counter() - start - parts["read_s"]
            return pdf.pageCount()
        _, wall, cpu = _timed(first_page)
        return {"first_page_s": wall, "first_page_cpu_s": cpu, **parts}
    if step == "sync":
        a = unlock(root / "office", "manager", PASSPHRASE)
        b = unlock(root / "other", "manager", PASSPHRASE)
        hub_a = FolderHub(str(root / "hub"), meta["team"])
        hub_b = FolderHub(str(root / "hub"), meta["team"])
        head = hub_a.head()
        pushed, push_wall, push_cpu = _timed(lambda: sync_now(a, hub_a))
        entries = [len(e.payload) for e in hub_a.read_after(head)]
        pulled, pull_wall, pull_cpu = _timed(lambda: sync_now(b, hub_b))
        got = docs.get_document(b, meta["document"])
        assert bytes(docs.read_for_viewing(b, got.id)[1])[:8] == b"%PDF-1.4"
        return {"push_s": push_wall, "push_cpu_s": push_cpu, "pull_s": pull_wall, "pull_cpu_s": pull_cpu,
                "sync_s": push_wall + pull_wall, "hub_entries": len(entries),
                "largest_entry_mb": max(entries) / (1024 * 1024), "hub_mb": sum(entries) / (1024 * 1024)}
    raise SystemExit(f"unknown step {step}")


def _run(step: str, root: Path, pdf: Path, profile: str | None = None) -> dict:
    # --profile DIR: each step runs under cProfile, its stats saved as DIR/<step>.prof.
    runner = ["-m", "cProfile", "-o", str(Path(profile) / f"{step}.prof")] if profile else []
    done = subprocess.run([sys.executable, *runner, "-m", "tests.perf.documents_bench", "--child", step,
                           "--root", str(root), "--pdf", str(pdf)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--child")
    parser.add_argument("--root")
    parser.add_argument("--pdf")
    parser.add_argument("--profile", help="a folder: save each step's cProfile stats there")
    parser.add_argument("--scale", type=int, metavar="CASES",
                        help="instead: the round-2 figures (search, report, SAR pack, backup) on a demo of CASES "
                             "cases holding --scale-documents small PDFs (built once, cached in .bench/), "
                             "beside the same figures without them (tests/perf/documents_scale.py)")
    parser.add_argument("--scale-documents", type=int, help="default: two per case")
    parser.add_argument("--runs", type=int, default=15, help="with --scale: runs of each operation")
    args = parser.parse_args()
    if args.scale:
        count = args.scale_documents if args.scale_documents is not None else 2 * args.scale
        raise SystemExit(documents_scale.main(["--cases", str(args.scale), "--documents", str(count),
                                               "--runs", str(args.runs)]))
    if args.child:
        print(json.dumps(child(args.child, Path(args.root), Path(args.pdf))))
        return
    load = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "unknown"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pdf = root / "ep-report.pdf"
        make_pdf(pdf, args.mb)
        meta = _run("setup", root, pdf, args.profile)
        (root / "meta.json").write_text(json.dumps(meta))
        added = _run("add", root, pdf, args.profile)
        meta["document"] = added["document"]
        (root / "meta.json").write_text(json.dumps(meta))
        solo = _run("add_solo", root, pdf, args.profile)
        first = _run("first_page", root, pdf, args.profile)
        synced = _run("sync", root, pdf, args.profile)
    print(table(added, solo, first, synced, load))


def _mark(value: float, target: float) -> str:
    return "met" if value < target else "MISSED"


def table(added: dict, solo: dict, first: dict, synced: dict, load: str) -> str:
    """The figures as a Markdown table, each beside its target (README.md takes it as it is:
    tests/perf/readme_figures.py)."""
    lines = [f"| documents: one {added['size_mb']:.1f} MB PDF (a scanned report) | wall | CPU | peak RSS rise "
             "| target | |", "|---|---|---|---|---|---|"]
    for label, got in (("add to a case, computer on its own", solo), ("add to a case, computer in a team", added)):
        ok = got["add_s"] < TARGETS["add"] and got["rss_rise_mb"] < TARGETS["rss_mb"]
        lines.append(f"| {label} | {got['add_s']:.2f} s | {got['add_cpu_s']:.2f} s | {got['rss_rise_mb']:.1f} MB "
                     f"| < {TARGETS['add']:.0f} s, < {TARGETS['rss_mb']:.0f} MB | {'met' if ok else 'MISSED'} |")
    lines.append(f"| open the first page (read {first['read_s']:.2f} s, render {first['render_s']:.2f} s) "
                 f"| {first['first_page_s']:.2f} s | {first['first_page_cpu_s']:.2f} s | | "
                 f"< {TARGETS['first_page']:.0f} s | {_mark(first['first_page_s'], TARGETS['first_page'])} |")
    lines.append(f"| sync to another computer, folder hub (push {synced['push_s']:.2f} s, pull {synced['pull_s']:.2f} s; "
                 f"{synced['hub_entries']} entries, largest {synced['largest_entry_mb']:.1f} MB, "
                 f"{synced['hub_mb']:.1f} MB in all) | {synced['sync_s']:.2f} s "
                 f"| {synced['push_cpu_s'] + synced['pull_cpu_s']:.2f} s | | < {TARGETS['sync']:.0f} s "
                 f"| {_mark(synced['sync_s'], TARGETS['sync'])} |")
    if "text_s" in added:
        lines.append(f"| of the add in a team: its text for search (pypdf) | {added['text_s']:.2f} s "
                     f"| {added['text_cpu_s']:.2f} s | | | |")
    lines += ["", f"Load average before the run: {load}. The machine may be shared: CPU time is printed "
              "beside the wall clock, which then mostly measures the wait for a core."]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
