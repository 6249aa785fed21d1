"""`confide demo`: synthetic data (Faker en_GB) for trying Confide and for benchmarks.

Deterministic for a seed. Today it adds staff; later issues add families and casework.
"""

import random

from faker import Faker

from app.domain.staff import Role
from app.security.session import Session
from app.services import staff as staff_service
from app.storage.staff_repo import StaffRepo

DEMO_PASSPHRASE = "demo passphrase for synthetic staff"


def populate(session: Session, staff: int = 6, cases: int = 0, seed: int = 1, today=None,
             progress=None) -> str:
    session.require(Role.MANAGER)
    # Synthetic bulk data: durability of the last few commits after a power cut matters less
    # than minutes saved; WAL keeps the file consistent either way. Restored below.
    session.conn.execute("PRAGMA synchronous = NORMAL")
    try:
        return _populate(session, staff, cases, seed, today, progress)
    finally:
        session.conn.execute("PRAGMA synchronous = FULL")


def _populate(session: Session, staff: int, cases: int, seed: int, today, progress) -> str:
    fake = Faker("en_GB")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    repo = StaffRepo(session.conn)
    added = 0
    roles = [Role.CASEWORKER, Role.CASEWORKER, Role.VOLUNTEER, Role.CASEWORKER, Role.MANAGER]
    attempts = 0
    while added < staff and attempts < staff * 5:
        attempts += 1
        first, last = fake.first_name(), fake.last_name()
        username = f"{first[0]}{last}".lower().replace("'", "").replace(" ", "")[:32]
        if repo.get_by_username(username) is not None:
            continue
        staff_service.add_staff(session, username, f"{first} {last}", rng.choice(roles), DEMO_PASSPHRASE)
        added += 1
    summary = f"Added {added} synthetic staff (temporary passphrase: '{DEMO_PASSPHRASE}')."
    if cases:
        from app.services.demo_casework import populate_casework

        counts = populate_casework(session, cases, seed, today=today, progress=progress)
        summary += "\nAdded " + ", ".join(f"{v:,} {k}" for k, v in counts.items()) + "."
        from app.services.demo_consent import populate_consent

        consents = populate_consent(session, seed, today=today, progress=progress)
        summary += "\nAdded " + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in consents.items()) + "."
        from app.services.demo_registers import populate_registers
        from app.services.demo_sar import populate_sars

        registers_added = populate_registers(session, seed, today=today)
        sars = populate_sars(session, max(7, cases // 250), seed, today=today)
        summary += (f"\nAdded {registers_added['paper_files']} paper files ({registers_added['files_out']} out), "
                    f"policy reviews, staff register entries, and {sum(sars.values())} subject access requests.")
    return summary
