"""One new vault made per test worker, copied for each test that asks for a fresh vault.

Making a vault runs all the migrations, builds the change-capture triggers and fsyncs each
step: about 0.3 s of CPU under SQLCipher, paid by some 300 tests. Copying its two files and
opening the copy costs a tenth of that. The template is copied the moment create_vault
returns (after a WAL checkpoint), before anything else touches it, not even a lock, so each
copy holds exactly what create_vault left: the same rows, audit chain and vault.json.
`tests/unit/test_vault_template.py` compares a copy with a vault made by create_vault.

Every copy shares the template's ids, keys and recovery key. That is fine inside one test:
each test has its own folder and its own in-memory credential store, into which the copy's
device secret is put. A test that needs two different vaults still calls create_vault.
"""

import shutil
from dataclasses import dataclass
from pathlib import Path

from app.config import DB_NAME, VAULT_NAME, Paths
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.security.session import Session
from app.services.vault import compartment
from app.services.vault.unlock import create_vault, follow_as_staff
from app.storage import db, migrations
from app.storage.staff_repo import StaffRepo

SERVICE_NAME = "Northshire SENDIASS"
MANAGER = "manager"
MANAGER_NAME = "Test Manager"


@dataclass(frozen=True)
class Template:
    folder: Path
    vault_id: str
    device_secret: bytes
    data_key: bytes
    private_key: bytes | None
    recovery_key: str


def make_template(root: Path, passphrase: str) -> Template:
    """Create the vault once (needs a credential store and the cheap KDF profile active)."""
    made = root / "made"
    session, recovery = create_vault(made, SERVICE_NAME, MANAGER, MANAGER_NAME, passphrase,
                                     KeyringStore())
    try:
        # Everything into the main file, so the copy needs no -wal beside it.
        session.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        pristine = root / "pristine"
        pristine.mkdir(mode=0o700)
        for name in (DB_NAME, VAULT_NAME):
            shutil.copy2(made / name, pristine / name)
        template = Template(pristine, session.vault.vault_id, session.device_secret,
                            session.data_key, session.private_key, recovery)
    finally:
        session.lock("template")
    return template


def open_copy(template: Template, data_dir: Path) -> Session:
    """Copy the template into `data_dir` (which must not exist) and open it as create_vault
    would have: the manager signed in, the device secret in the current credential store.

    May raise: FileExistsError (data_dir exists), DatabaseDamaged.
    """
    shutil.copytree(template.folder, data_dir)
    store = KeyringStore()
    store.save(template.vault_id, template.device_secret)
    paths = Paths(Path(data_dir))
    conn = db.open_database(paths.db, template.data_key)
    try:
        db.check_cipher_version(conn)
        migrations.migrate(conn, paths.db)
        member = StaffRepo(conn).get_by_username(MANAGER)
    except BaseException:
        conn.close()
        raise
    session = Session(paths, VaultFile.load(paths.vault), conn, member, template.data_key, store,
                      template.device_secret, private_key=template.private_key,
                      key_follower=follow_as_staff,
                      write_follower=compartment.sync_after_write)
    compartment.keep_in_step_at_lock(session)
    return session
