"""`confide demo`: synthetic data (Faker en_GB) for trying Confide and for benchmarks.

Deterministic for a seed (the data; not the staff passphrases, which are random and shown
once). Only for a vault made with `init --demo` or one that holds no records yet: synthetic
families mixed into a real service's records would end up in its reports, SARs and letters.
"""

import json
import random
import secrets

from faker import Faker

from app.domain.role_matrix import Scope, grants
from app.domain.staff import Role
from app.errors import ValidationError
from app.security.session import Session
from app.services.demo.casework import populate_casework
from app.services.demo.consent import populate_consent
from app.services.demo.documents import populate_documents
from app.services.demo.registers import populate_registers
from app.services.demo.sar import populate_sars
from app.services.vault import staff as staff_service
from app.services.vault.unlock import utc_now
from app.storage.db import transaction
from app.storage.staff_repo import StaffRepo

DEMO_SETTING = "demo_vault"
# Tables that hold a service's real work. One row in any of them (deleted or not), or a
# second member of staff, and the vault is no longer "empty".
REAL_RECORD_TABLES = ("person", "organisation", "enquiry", "casefile", "note", "consent", "disclosure",
                      "safeguarding_concern", "incident", "paper_file", "subject_access_request",
                      "mailing_list_member", "action_item", "relationship", "staff_record", "policy_review",
                      "document")
_WORDS = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford base32: nothing misread when typed


@grants(Scope.HELPER, "reads one setting")
def is_demo_vault(session: Session) -> bool:
    row = session.conn.execute("SELECT value FROM setting WHERE key = ?", (DEMO_SETTING,)).fetchone()
    return bool(row) and json.loads(row[0]) is True


@grants(Scope.HELPER, "counts rows, returns a reason")
def demo_refusal(session: Session) -> str | None:
    """Why synthetic data may not go into this vault, or None (a demo vault, or an empty one)."""
    if is_demo_vault(session):
        return None
    conn = session.conn
    if conn.execute("SELECT count(*) FROM staff").fetchone()[0] > 1:
        return "it already has staff accounts besides the first manager"
    for table in REAL_RECORD_TABLES:
        if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]:  # names from the tuple above
            return "it already holds records"
    return None


@grants(Scope.MANAGER)
def mark_demo_vault(session: Session) -> None:
    """Label this vault as a demo vault (init --demo, or the first demo run on an empty one)."""
    with transaction(session.conn):
        session.conn.execute(
            "INSERT INTO setting (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, "
            "updated_by = excluded.updated_by", (DEMO_SETTING, json.dumps(True), utc_now(), session.user.username))
        session.audit("setting_changed", "setting", DEMO_SETTING, {"value": True})


def random_passphrase() -> str:
    """Five groups of four (100 random bits); never a published, shared demo passphrase."""
    chars = "".join(secrets.choice(_WORDS) for _ in range(20))
    return "-".join(chars[i:i + 4] for i in range(0, 20, 4))


@grants(Scope.MANAGER)
def populate(session: Session, staff: int = 6, cases: int = 0, seed: int = 1, today=None,
             progress=None) -> str:
    """May raise: PermissionDenied, ValidationError (a vault with real records)."""
    why = demo_refusal(session)
    if why:
        raise ValidationError(f"Synthetic data is only added to a demo vault (made with 'confide init --demo') "
                              f"or an empty one; this vault is neither: {why}.")
    if not is_demo_vault(session):
        mark_demo_vault(session)
    # Synthetic bulk data: durability of the last few commits after a power cut matters less
    # than minutes saved; WAL keeps the file consistent either way. Restored below.
    # Likewise, checkpoint the WAL every 64 MB instead of every 4 MB: the b-tree and search
    # index pages that every chunk rewrites are copied into the database once, not each time.
    session.conn.execute("PRAGMA synchronous = NORMAL")
    session.conn.execute("PRAGMA wal_autocheckpoint = 16384").fetchone()
    try:
        return _populate(session, staff, cases, seed, today, progress)
    finally:
        session.conn.execute("PRAGMA wal_autocheckpoint = 1000").fetchone()
        session.conn.execute("PRAGMA synchronous = FULL")


def _populate(session: Session, staff: int, cases: int, seed: int, today, progress) -> str:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    repo = StaffRepo(session.conn)
    added = 0
    roles = [Role.CASEWORKER, Role.CASEWORKER, Role.VOLUNTEER, Role.CASEWORKER, Role.MANAGER]
    attempts = 0
    accounts = []
    while added < staff and attempts < staff * 5:
        attempts += 1
        first, last = fake.first_name(), fake.last_name()
        username = f"{first[0]}{last}".lower().replace("'", "").replace(" ", "")[:32]
        if repo.get_by_username(username) is not None:
            continue
        passphrase = random_passphrase()
        staff_service.add_staff(session, username, f"{first} {last}", rng.choice(roles), passphrase)
        accounts.append(f"  {username}\t{passphrase}")
        added += 1
    summary = f"Added {added} synthetic staff."
    if accounts:
        summary += (" Their temporary passphrases (shown once; each is changed at first unlock):\n"
                    + "\n".join(accounts))
    if cases:
        counts = populate_casework(session, cases, seed, today=today, progress=progress)
        summary += "\nAdded " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + "."
        consents = populate_consent(session, seed, today=today, progress=progress)
        summary += "\nAdded " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in consents.items()) + "."
        registers_added = populate_registers(session, seed, today=today)
        sars = populate_sars(session, max(7, cases // 250), seed, today=today)
        summary += (f"\nAdded {registers_added['paper_files']} paper files ({registers_added['files_out']} out), "
                    f"policy reviews, staff register entries, and {sum(sars.values())} subject access requests.")
        added_documents = populate_documents(session, seed, today=today)
        summary += "\nAdded " + ", ".join(f"{v:,} {k}" for k, v in added_documents.items()) + "."
    return summary
