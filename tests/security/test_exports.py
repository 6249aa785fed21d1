"""Attack: read every file Confide exports without its password.

One walk per kind in exports.POLICY (a new kind without a walk fails the suite): canaries must
not be in the raw bytes nor in any inflated PDF stream; encrypted kinds must really be AES-256
(PDF revision 6, or ZIP members in WinZip AES-256) and must hold the canary once opened with
the password (else the walk proved nothing); plain kinds must hold no personal data at all."""

import ast
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from app.services import exports
from app.services.exports import POLICY, ExportKind
from tests.security import export_walk
from tests.security.export_walk import (
    CANARIES,
    TOKEN,
    files_of,
    inflated_streams,
    zip_members_aes256,
    zip_text,
)
from tests.security.support import ROOT, SQLITE_MAGIC, run_cli, scan, stderr_lines, subprocess_env


@pytest.fixture
def seeded(data_dir, tmp_path):
    session, consent_id, sar_id = export_walk.seeded_vault(data_dir)
    out = tmp_path / "exports"
    out.mkdir()
    yield session, out, consent_id, sar_id
    session.lock("test")


def test_every_kind_in_the_policy_has_a_walk_and_a_reason():
    walked = {k for k in ExportKind if _walkable(k)}
    assert walked == set(ExportKind)
    assert set(POLICY) == set(ExportKind)
    assert all(POLICY[k].why for k in ExportKind)
    # What the design promises: only the published report and the blank form leave in clear,
    # and a document's own bytes when a person saves a copy after the warning (docs/documents.md).
    assert {k for k in ExportKind if not exports.must_encrypt(k)} == {ExportKind.REPORT_PUBLISHED,
                                                                       ExportKind.BLANK_FORM,
                                                                       ExportKind.DOCUMENT_COPY}


def _walkable(kind) -> bool:
    import inspect

    return f"ExportKind.{kind.name}" in inspect.getsource(export_walk.walk)


def _pdf_text(path: Path, password: str | None = None) -> str:
    reader = PdfReader(path)
    if password is not None:
        assert reader.decrypt(password) != 0
    return "\n".join(page.extract_text() or "" for page in reader.pages)


@pytest.mark.parametrize("kind", list(ExportKind), ids=lambda k: k.value)
def test_no_export_path_leaves_a_canary_in_clear(seeded, kind):
    session, out, consent_id, sar_id = seeded
    written = export_walk.walk(kind, session, out, consent_id, sar_id)
    assert written
    for item in written:
        for path in files_of(item):
            raw = path.read_bytes()
            assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by other accounts"
            assert scan([path], export_walk.needles()) == []
            assert TOKEN.encode() not in inflated_streams(raw), f"{path}: a canary in an uncompressed stream"
            if kind == ExportKind.BACKUP:
                with zipfile.ZipFile(path) as archive:
                    inner = archive.read("database.sqlcipher")
                assert inner[:16] != SQLITE_MAGIC and TOKEN.encode() not in inner
                continue
            if path.suffix == ".pdf":
                reader = PdfReader(io.BytesIO(raw))
                if exports.must_encrypt(kind):
                    encrypt = reader.trailer["/Encrypt"]
                    assert reader.is_encrypted and encrypt["/V"] == 5 and encrypt["/R"] == 6
                    assert reader.decrypt("not the password at all") == 0
                    inside = _pdf_text(path, item.password)
                    assert TOKEN in inside, f"{kind}: the walk exported no canary, so it proves nothing"
                else:
                    assert not reader.is_encrypted
                    assert TOKEN not in _pdf_text(path), f"{kind} is plain but holds personal data"
            elif path.suffix == ".zip":
                assert exports.must_encrypt(kind)
                assert zip_members_aes256(path) == []
                assert TOKEN in zip_text(path, item.password)
            else:
                assert not exports.must_encrypt(kind), f"{kind} wrote {path.name} in clear"
                assert TOKEN not in path.read_text(encoding="utf-8")
    events = session.conn.execute("SELECT detail FROM audit_event WHERE action = 'export_written'").fetchall()
    if kind != ExportKind.BACKUP:
        assert len(events) >= len(written) and all(f'"kind": "{kind.value}"' in e[0] for e in events)
        assert not any(TOKEN in e[0] for e in events)


def test_exact_figures_are_encrypted_in_every_format(seeded):
    session, out, consent_id, sar_id = seeded
    written = export_walk.walk(ExportKind.REPORT_EXACT, session, out, consent_id, sar_id)
    assert sorted(i.path.name for i in written) == ["csv.zip", "r.json.zip", "r.pdf"]
    assert all(i.password for i in written)
    # CSV of the exact report: one ZIP, never a folder of clear files.
    assert not (out / "csv").exists()
    csv_zip = next(i for i in written if i.path.name == "csv.zip")
    assert CANARIES["staff name"] in zip_text(csv_zip.path, csv_zip.password)


@pytest.mark.skipif(shutil.which("7z") is None, reason="7z (Debian p7zip-full) is not installed")
def test_a_standard_tool_opens_the_encrypted_zip_with_the_password_only(seeded, tmp_path):
    session, out, consent_id, sar_id = seeded
    item = next(i for i in export_walk.walk(ExportKind.REPORT_EXACT, session, out, consent_id, sar_id)
                if i.path.suffix == ".zip" and "r.json" in i.path.name)
    wrong = subprocess.run(["7z", "x", "-y", "-pnot-the-password", f"-o{tmp_path / 'wrong'}", str(item.path)],
                           capture_output=True, text=True)
    assert wrong.returncode != 0
    listing = subprocess.run(["7z", "l", "-slt", str(item.path)], capture_output=True, text=True)
    assert "AES-256" in listing.stdout
    good = subprocess.run(["7z", "x", "-y", f"-p{item.password}", f"-o{tmp_path / 'opened'}", str(item.path)],
                          capture_output=True, text=True)
    assert good.returncode == 0, good.stdout + good.stderr
    assert CANARIES["staff name"] in (tmp_path / "opened" / "report.json").read_text(encoding="utf-8")


def test_a_typed_password_is_used_and_a_weak_one_writes_nothing(seeded):
    from app.errors import ValidationError

    session, out, *_ = seeded
    pdf = b"%PDF-1.4\n"
    with pytest.raises(ValidationError, match="at least 12"):
        exports.export_tables(session, ExportKind.REPORT_EXACT, out / "x.json", {"x.json": b"{}"}, "short-pw")
    assert list(out.iterdir()) == []
    written = exports.export_tables(session, ExportKind.REPORT_EXACT, out / "x.json", {"x.json": b"{}"},
                                    "three unrelated words")
    assert written.path.name == "x.json.zip" and written.password is None
    assert zip_text(written.path, "three unrelated words") == "{}"
    with pytest.raises(ValidationError):
        exports.export_pdf(session, ExportKind.BLANK_FORM, out / "b.pdf", pdf, "a password for nothing")


# Modules allowed to write files: the gate itself, and the vault's own files and backups.
WRITERS_ALLOWED = {"app/fsutil.py", "app/services/exports.py", "app/services/vault/backup.py", "app/services/vault/backup_file.py", "app/security/keyslots.py",
                   "app/security/throttle.py", "app/security/device.py", "app/security/filelock.py",
                   "app/storage/migrations/__init__.py", "app/pdf/secure.py", "app/security/crypto.py",
                   "app/services/selftest/hub.py",  # scratch files in a hub folder, no records
                   # key material, not records: AES-256-GCM under Argon2id of a one-time code
                   "app/services/team/invitation.py",
                   # a snapshot attached for a moment: SQLCipher-encrypted under a random key, then removed
                   "app/services/team/snapshot_file.py",
                   # a removed computer's unpushed changes, sealed like a hub bundle (AES-256-GCM
                   # under the team key, signed): docs/sync.md §14
                   "app/services/team/pending.py",
                   # a volunteer's key slot (wrapped under their passphrase, MACed): key material, not records
                   "app/services/vault/compartment.py",
                   # the appearance chosen in Settings (theme, text size): no records
                   "app/config.py",
                   # the hub's set-up SQL (`confide hub setup-sql --out`) and the build's resource
                   # manifest: the program's own files, no records
                   "app/cli/hub.py", "app/resources/manifest.py",
                   # the self-test's window check keeps Qt's own messages in a temp file: no records
                   "ui/selftest_display.py"}
WRITER_CALLS = {"atomic_write", "write_bytes", "write_text", "encrypt", "encrypted_zip", "copyfile", "copy2",
                "fdopen", "mkstemp", "NamedTemporaryFile", "setOutputFileName"}


def test_no_module_writes_an_export_around_the_gate():
    """Every file leaving the database goes through exports.py: a new path that writes with
    atomic_write, pathlib or open(..., 'w') elsewhere in app/ or ui/ fails here."""
    found = []
    for root in ("app", "ui"):
        for path in sorted((ROOT / root).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel in WRITERS_ALLOWED:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
                mode = node.args[1].value if (name == "open" and len(node.args) > 1
                                              and isinstance(node.args[1], ast.Constant)) else ""
                if name in WRITER_CALLS or any(c in str(mode) for c in "wax+"):
                    found.append(f"{rel}:{node.lineno} {name}")
    assert found == []


# --- the command line -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cli_vault(tmp_path_factory):
    base = tmp_path_factory.mktemp("exports-cli")
    env = subprocess_env(base)
    common = ["--data-dir", base / "d", "--user", "mgr", "--passphrase-stdin", "--device-key-file", base / "dev.key"]
    result = run_cli(["init", *common, "--full-name", f"Canary {TOKEN} Cli", "--demo"], env, "correct horse battery staple\n")
    assert result.returncode == 0, result.stderr
    result = run_cli(["demo", *common, "--cases", "12", "--seed", "3", "--staff", "2"], env,
                     "correct horse battery staple\n", timeout=180)
    assert result.returncode == 0, result.stderr
    return base, env, common


def _report(cli_vault, *args, stdin="correct horse battery staple\n"):
    base, env, common = cli_vault
    return run_cli(["report", *common, "--from", "2000-01-01", "--to", "2100-01-01", *args], env, stdin, timeout=120)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_cli_exact_json_and_csv_are_encrypted_zips(cli_vault, fmt):
    base = cli_vault[0]
    out = base / f"exact-{fmt}"
    result = _report(cli_vault, "--exact", "--format", fmt, "--out", out)
    assert result.returncode == 0, result.stderr
    target = out.with_name(out.name + ".zip")
    assert target.exists() and not out.exists()
    assert TOKEN.encode() not in target.read_bytes()
    password = result.stdout.split("Password (send it separately): ")[1].split()[0]
    assert zip_members_aes256(target) == []
    assert f"Canary {TOKEN} Cli" in zip_text(target, password)


def test_cli_exact_report_never_goes_to_standard_output(cli_vault):
    result = _report(cli_vault, "--exact", "--format", "json")
    assert result.returncode == 1 and TOKEN not in result.stdout
    assert stderr_lines(result) == ["confide: Exact figures and personal data are written only to an "
                                    "encrypted file; give --out FILE instead of standard output."]


def test_cli_exact_with_a_typed_password(cli_vault):
    base = cli_vault[0]
    result = _report(cli_vault, "--exact", "--format", "json", "--out", base / "typed.json", "--pdf-password-stdin",
                     stdin="correct horse battery staple\nshort\n")
    assert result.returncode == 1 and "at least 12 characters" in result.stderr
    assert not (base / "typed.json.zip").exists()
    result = _report(cli_vault, "--exact", "--format", "json", "--out", base / "typed.json", "--pdf-password-stdin",
                     stdin="correct horse battery staple\nfour unrelated typed words\n")
    assert result.returncode == 0, result.stderr
    assert "Password" not in result.stdout
    assert f"Canary {TOKEN} Cli" in zip_text(base / "typed.json.zip", "four unrelated typed words")
