"""Make a vault look as it did before staff key pairs: vault.json format 1 (data key wrapped
per slot under HKDF(Argon2id || device secret)) and a database from before the key-state schema step. The format-1 writer
here is a copy of the released one, so that the upgrade is tested against real old files."""

import json
import os

from app.security import crypto, kdf
from app.security.device import KeyringStore
from app.security.keyslots import VaultFile
from app.security.staff_slot import StaffSlot, open_slot, stretch
from app.security.vault_fields import b64
from app.storage import db


def _v1_slot(vault_id: str, user: str, passphrase: str, data_key: bytes, device_secret: bytes,
             params: kdf.KdfParams) -> dict:
    salt = os.urandom(16)
    slot = StaffSlot(user, salt, params)
    kek = crypto.hkdf(stretch(passphrase, salt, params) + device_secret,
                      info=f"confide-kek:v1:{vault_id}".encode())
    nonce, wrapped = crypto.seal(kek, data_key, slot.v1_aad(vault_id))
    return {"user": user, "salt": b64(salt), "kdf": params.to_json(), "nonce": b64(nonce),
            "wrapped": b64(wrapped), "must_change": False}


def downgrade_to_format_1(data_dir, passphrases: dict[str, str], recovery_key: str | None = None) -> bytes:
    """Returns the data key. `passphrases` must include every account to keep."""
    from app.security.recovery_slot import _kek, parse_recovery_key

    vault = VaultFile.load(data_dir / "vault.json")
    secret = KeyringStore().load(vault.vault_id)
    user, passphrase = next(iter(passphrases.items()))
    data_key = open_slot(vault.vault_id, vault.slots[user], passphrase, secret).data_keys[0]
    slots = [_v1_slot(vault.vault_id, u, p, data_key, secret, vault.slots[u].params)
             for u, p in passphrases.items()]
    raw = parse_recovery_key(recovery_key) if recovery_key else os.urandom(25)
    nonce, wrapped = crypto.seal(_kek(raw, vault.vault_id), data_key + secret, vault.vault_id.encode())
    old = {"format": 1, "vault_id": vault.vault_id, "service_name": vault.service_name,
           "created_at": vault.created_at,
           "device_secret": {"store": vault.device_store, "path": vault.device_key_file},
           "test_kdf": vault.test_kdf, "slots": slots,
           "recovery": {"nonce": b64(nonce), "wrapped": b64(wrapped)},
           "audit_head": vault.audit_head, "device_check": vault.device_check}
    (data_dir / "vault.json").write_text(json.dumps(old, indent=2))
    conn = db.open_database(data_dir / "confide.db", data_key)
    try:
        conn.execute("DROP TABLE key_state")
        conn.execute("DROP TABLE staff_key")
        # Tables of the steps after it (the team vault's sync tables) go too: they run again.
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                    "AND name LIKE 'sync\\_%' ESCAPE '\\'").fetchall():
            conn.execute(f"DROP TABLE {name}")
        # The later steps' tables run again too (laptop check-out, drafts, enquiry history).
        conn.execute("DROP VIEW IF EXISTS laptop_overdue")
        for name in ("case_checkout", "checkout_policy", "draft", "enquiry_revision", "person_read",
                     "volunteer_compartment", "case_level_change", "case_state_change", "service_evaluation",
                     "minimum_standard", "national_policy", "document_chunk", "document", "document_search",
                     "letter_template",
                     "consent_wording", "erasure", "erasure_done", "erasure_request", "import_reference",
                     "legal_hold", "retention_extension", "retention_rule"):
            conn.execute(f"DROP TABLE IF EXISTS {name}")
        # Indexes on the columns dropped below (schemas 21 and 26) go first; their steps run again.
        for name in ("casefile_closed", "casefile_closed_live", "enquiry_general"):
            conn.execute(f"DROP INDEX IF EXISTS {name}")
        for table in ("casefile", "enquiry"):
            if "anonymised_at" in {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}:
                conn.execute(f"ALTER TABLE {table} DROP COLUMN anonymised_at")
        if "evaluation" in {row[1] for row in conn.execute("PRAGMA table_info(casefile)")}:
            conn.execute("ALTER TABLE casefile DROP COLUMN evaluation")
        if "easy_read" in {r[1] for r in conn.execute("PRAGMA table_info(consent)")}:
            conn.execute("ALTER TABLE consent DROP COLUMN easy_read")
        # The schema just before the key-state step, so that unlocking runs that step again.
        conn.execute(f"PRAGMA user_version = {_before_key_state()}")
    finally:
        conn.close()
    return data_key


def _before_key_state() -> int:
    from app.storage.migrations import MIGRATIONS

    [version] = [v for v, step in MIGRATIONS if step.__name__.endswith("_key_state.sql")]
    return version - 1
