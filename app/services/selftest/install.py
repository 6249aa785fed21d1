"""`confide --self-test`: can Confide really work on this computer, as installed?

For the IT team that installs it on locked-down machines. In a temporary folder it creates a
vault (with the OS credential store, or the key file the administrator opted into), writes
and reads a record, proves plain SQLite cannot read the file, builds and encrypts a small PDF,
locks, unlocks, then removes everything. One Check per step, in order; a step whose
prerequisite failed is not tried. With `--hub` the hub checks of selftest_hub follow.
"""

import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from app import __version__, resources
from app.security import kdf
from app.security.device import NO_STORE_HELP, KeyFileStore, KeyringStore
from app.services.selftest.check import Check

USER = "selftest"
# Real Argon2id at the smallest setting Confide accepts: a throwaway vault need not take the
# calibrated 0.5-1 s per derivation, but must use the same code and checks as a real one.
PARAMS = kdf.KdfParams(memory_kib=kdf.MIN_MEMORY_KIB, lanes=kdf.MIN_LANES, passes=1)


class _Failed(Exception):
    """A check's own finding, in plain words (shown as it is, without an exception name)."""


class _Run:
    """The checks so far, and the state the later ones need."""

    def __init__(self, work: Path):
        self.work = work
        self.checks: list[Check] = []
        self.session = None
        self.store = None
        self.passphrase = f"self test {secrets.token_hex(8)} passphrase"
        # A made-up surname searched for in the files: found there, the file is not encrypted.
        self.canary = "Selftest" + "".join(secrets.choice("bcdfghjkmnpqrstvwxz") for _ in range(14)).title()
        self.person_id = None

    def step(self, name: str, fn: Callable[[], str]) -> bool:
        try:
            detail = fn()
        except Exception as exc:  # every failure becomes a line saying why, never a traceback
            message = (getattr(exc, "message", None) or (str(exc) if isinstance(exc, _Failed) else None)
                       or f"{type(exc).__name__}: {exc}")
            self.checks.append(Check(name, False, message))
            return False
        self.checks.append(Check(name, True, detail))
        return True

    @property
    def data_dir(self) -> Path:
        return self.work / "vault"


def run_self_test(device_key_file: str | Path | None = None, hub: str | None = None,
                  extra: Iterable[Callable[[], Check]] = ()) -> list[Check]:
    """Every check, in order. `device_key_file` is the administrator's opt-in: the test then
    uses a temporary key file of its own (it never writes to that path, which may be a real
    vault's). `extra` adds checks made outside app/ (the GUI's display check).

    May raise: nothing: every problem becomes a failed Check.
    """
    work = Path(tempfile.mkdtemp(prefix="confide-selftest-"))
    run = _Run(work)
    try:
        run.step("installation", _installation)
        _vault_checks(run, device_key_file)
    finally:
        if run.session is not None:
            run.session.lock("self-test")
        run.step("clean up", lambda: _clean_up(run))
    checks = run.checks
    for check in extra:
        checks.append(check())
    if hub:
        from app.services.selftest.hub import check_hub

        checks.extend(check_hub(hub))
    return checks


def _vault_checks(run: _Run, device_key_file) -> None:
    if not run.step("credential store", lambda: _credential_store(run, device_key_file)):
        # Go on with a temporary key file, so IT sees whether everything else works too.
        run.store = KeyFileStore(run.work / "device.key")
    (run.step("vault", lambda: _create(run))
     and run.step("write and read", lambda: _write_and_read(run))
     and run.step("encrypted on disk", lambda: _encrypted_on_disk(run))
     and run.step("encrypted PDF", lambda: _pdf(run))
     and run.step("lock", lambda: _lock(run))
     and run.step("unlock", lambda: _unlock(run)))


def _installation() -> str:
    from app.pdf import common
    from app.resources import wording

    version, _text = wording.current("confidentiality_statement")
    missing = resources.installation_problems()
    if missing:
        raise _Failed(f"the installation is incomplete: {'; '.join(missing)}")
    if common.FONT == "Helvetica":
        raise _Failed("no Unicode font for PDFs: the PDF fonts (resources/fonts) are missing from this "
                                "installation, so names such as Łucja would print wrongly")
    frozen = " (packaged)" if getattr(sys, "frozen", False) else ""
    home = (Path(sys.executable).parent if frozen
            else Path(resources.__file__).resolve().parents[2])   # the package's site-packages or checkout
    return (f"Confide {__version__}{frozen} in {home}, Python {sys.version.split()[0]}; wording {version}; "
            "every shipped file (help, wording, style sheet, icons, PDF fonts) present and as built")


def _credential_store(run: _Run, device_key_file) -> str:
    if device_key_file:
        chosen = KeyFileStore(Path(device_key_file))
        chosen.check_available()   # its folder exists
        chosen.check_private()     # if it already exists, only this OS account can read it
        run.store = KeyFileStore(run.work / "device.key")
        return (f"not used: --device-key-file was given (weaker protection); {chosen.path.parent} "
                "is usable; the test used a temporary key file of its own")
    store = KeyringStore()
    try:
        store.check_available()
    except Exception:
        raise _Failed(f"{NO_STORE_HELP} (The checks below used a temporary key file instead.)") from None
    import keyring

    run.store = store
    return f"{keyring.get_keyring().name} is available"


def _create(run: _Run) -> str:
    from app.services.vault import unlock as vault

    start = time.perf_counter()
    run.session, _recovery = vault.create_vault(run.data_dir, "Self-test service", USER, "Self Test",
                                                run.passphrase, run.store, params=PARAMS)
    took = time.perf_counter() - start
    (cipher,) = run.session.conn.execute("PRAGMA cipher_version").fetchone()
    where = "a key file" if isinstance(run.store, KeyFileStore) else "the OS credential store"
    run.store.load(run.session.vault.vault_id)  # the device secret really is there to read back
    return f"created in {took:.1f} s with SQLCipher {cipher}; device secret saved to and read from {where}"


def _write_and_read(run: _Run) -> str:
    from app.services.casework import people

    person = people.create_person(run.session, people.PersonInput(kind="parent_carer", first_name="Sam",
                                                                  last_name=run.canary))
    run.person_id = person.id
    back = people.get_person(run.session, person.id)
    if back.last_name != run.canary:
        raise _Failed("a record was written but read back different")
    return "a record was written and read back"


def _encrypted_on_disk(run: _Run) -> str:
    run.session.conn.execute("PRAGMA wal_checkpoint(FULL)")
    db_file = run.session.paths.db
    plain = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        plain.execute("SELECT count(*) FROM sqlite_master").fetchone()
        raise _Failed(f"plain SQLite opened {db_file}: the database is NOT encrypted")
    except sqlite3.DatabaseError:
        pass  # "file is not a database": what an encrypted file looks like to SQLite
    finally:
        plain.close()
    for path in run.data_dir.rglob("*"):
        if path.is_file() and run.canary.encode() in path.read_bytes():
            raise _Failed(f"a test name was found in clear in {path.name}")
    return "plain SQLite cannot read the database, and no written name is in clear in any file"


def _pdf(run: _Run) -> str:
    import io

    from pypdf import PdfReader

    from app.pdf import common
    from app.services import exports

    pdf = common.build([common.Paragraph(f"Self-test record for Sam {run.canary}", common.STYLES["body"])],
                       title="Confide self-test", footer="Confide self-test")
    out = run.work / "selftest.pdf"
    written = exports.export_pdf(run.session, exports.ExportKind.CONSENT_RECORD, out, pdf)
    data = out.read_bytes()
    if run.canary.encode() in data:
        raise _Failed("the PDF holds the test name in clear")
    reader = PdfReader(io.BytesIO(data))
    if "/Encrypt" not in reader.trailer:
        raise _Failed("the PDF was written in clear, without encryption")
    encrypt = reader.trailer["/Encrypt"]
    if (encrypt.get("/V"), encrypt.get("/R")) != (5, 6):
        raise _Failed(f"the PDF is not AES-256 (V={encrypt.get('/V')}, R={encrypt.get('/R')})")
    if reader.decrypt(written.password) == 0:
        raise _Failed("the PDF does not open with its own password")
    if run.canary not in reader.pages[0].extract_text():
        raise _Failed("the PDF opened, but its text is not what was written")
    return f"built, encrypted with AES-256 ({len(data) // 1024} KiB) and opened again with its password"


def _lock(run: _Run) -> str:
    run.session.lock("self-test")
    if not run.session.locked:
        raise _Failed("the vault did not lock")
    run.session = None
    return "locked: the database is closed and the key is forgotten"


def _unlock(run: _Run) -> str:
    from app.services.casework import people
    from app.services.vault import unlock as vault

    start = time.perf_counter()
    run.session = vault.unlock(run.data_dir, USER, run.passphrase,
                               run.store.path if isinstance(run.store, KeyFileStore) else None)
    took = time.perf_counter() - start
    if people.get_person(run.session, run.person_id).last_name != run.canary:
        raise _Failed("unlocked, but the record read back different")
    return f"unlocked again in {took:.1f} s and the record read back"


def _clean_up(run: _Run) -> str:
    vault_id = _vault_id(run)
    if vault_id and run.store is not None:
        run.store.forget(vault_id)  # leave nothing behind in Credential Manager or the Keychain
    shutil.rmtree(run.work, ignore_errors=False)
    if run.work.exists():
        raise _Failed(f"{run.work} could not be removed")
    return "the temporary vault and its device secret were removed"


def _vault_id(run: _Run) -> str | None:
    import json

    try:
        return json.loads((run.data_dir / "vault.json").read_text("utf-8"))["vault_id"]
    except (OSError, ValueError, KeyError):
        return None
