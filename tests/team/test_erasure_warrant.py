"""An erasure is the manager's own signed act (docs/sync.md §10, team/erasure_warrant.py).

The attacker holds a computer of the team: its keys, its data key and the ability to run a
modified Confide there (a caseworker at that computer, or a colleague who left with a copy of
it). They write an erasure of a family's case the way the manager's computer would, marks and
all, with no warrant, with a warrant signed by a caseworker's own staff key, or with a warrant
in the manager's name signed by the computer's key. Every other computer refuses the bundle
before applying anything of it: the case survives there, sync stops and says why, and the
refusal is published so the manager's computer lists who is stopped."""

import pytest

from app.errors import PermissionDenied
from app.security import staff_slot
from app.services.casework import cases
from app.services.lifecycle import erase, erase_set
from app.services.team import authority, blocks, device_keys, erasure_warrant, staff_keys, state
from app.services.team.sync import sync_now
from app.services.vault import staff
from app.storage.db import transaction
from tests.team.laptop_world import family_case

CARA_PASS = "cara keeps these words 8812"


def _private(session, username: str, passphrase: str) -> bytes:
    public, wrap, _ = staff_keys.team_records(session.conn)[username]
    slot = staff_keys.slot_from_record(username, public, wrap, session.data_key, session.device_secret,
                                       session.vault.vault_id)
    return staff_slot.open_slot(session.vault.vault_id, slot, passphrase, session.device_secret).private


def _forge_erasure(session, case_id: str, signer) -> None:
    """What a modified Confide on the attacker's computer writes: the rows deleted, their
    outbox marks, and (when `signer` is given) a warrant signed with that key."""
    conn = session.conn
    with transaction(conn):
        since = conn.execute("SELECT coalesce(max(seq), 0) FROM sync_outbox").fetchone()[0]
        taken = erase_set.rows_to_erase(conn, "case", [case_id])
        erase.delete_rows(conn, taken)
        warrant = erasure_warrant.sign(conn, taken, signer) if signer else None
        erase.purge_marks(conn, taken, since, warrant)


def _caseworker_key(office, annexe, hub_of):
    return ("cara", authority.signing_key(_private(annexe, "cara", CARA_PASS)))


def _computer_key_in_managers_name(office, annexe, hub_of):
    return ("manager", device_keys.sign_priv(annexe.conn))


def _no_warrant(office, annexe, hub_of):
    return None


@pytest.mark.parametrize("forger", [_no_warrant, _caseworker_key, _computer_key_in_managers_name])
def test_an_erasure_not_signed_by_a_manager_is_refused_on_every_computer_and_reported(make_team, forger):
    team = make_team(3)
    office, annexe, third = team.sessions
    hub_of = dict(zip(map(id, team.sessions), team.hubs, strict=True))
    staff.add_staff(office, "cara", "Cara Caseworker", "caseworker", CARA_PASS)
    case_id, ref = family_case(office, "Forgewell", canary="forged-erasure-canary")
    for s in (office, annexe, third):
        sync_now(s, hub_of[id(s)])

    _forge_erasure(annexe, case_id, forger(office, annexe, hub_of))
    sync_now(annexe, hub_of[id(annexe)])
    forged_at = state.last_applied(annexe.conn)

    for s in (office, third):
        result = sync_now(s, hub_of[id(s)])
        assert result.blocked is not None, "a forged erasure must stop sync, never pass silently"
        assert "without the warrant of one of the team's active managers" in result.blocked
        assert f"hub entry {forged_at}," in result.blocked
        assert state.last_applied(s.conn) == forged_at - 1
        assert s.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
        assert s.conn.execute("SELECT count(*) FROM note WHERE body LIKE '%forged-erasure-canary%'"
                              ).fetchone()[0] == 1
    # Published: each stopped computer said so on the hub, naming the attacker's computer.
    sync_now(annexe, hub_of[id(annexe)])
    stopped = blocks.published(annexe.conn)
    assert {d for d, b in stopped.items() if b.get("entry") == forged_at} == {
        state.get(office.conn, "device_id"), state.get(third.conn, "device_id")}


def test_the_managers_own_erasure_is_accepted_and_carries_a_rows_warrant(make_team):
    team = make_team(2)
    office, annexe = team.sessions
    case_id, _ = family_case(office, "Truewell")
    cases.close_case(office, case_id, "resolved", ["better_informed"])
    sync_now(office, team.hubs[0])
    sync_now(annexe, team.hubs[1])
    erase.erase(office, "case", [case_id], "Past the retention schedule")
    assert state.get(office.conn, erasure_warrant.PENDING)
    sync_now(office, team.hubs[0])
    erase.carry_out(office)
    assert not state.get(office.conn, erasure_warrant.PENDING), "a pushed warrant's list of ids is not kept"
    result = sync_now(annexe, team.hubs[1])
    assert result.blocked is None
    assert annexe.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 0


def test_a_manager_not_in_the_teams_signed_list_cannot_erase_on_a_team_computer(make_team):
    team = make_team(2)
    office, _ = team.sessions
    case_id, _ = family_case(office, "Rolewell")
    cases.close_case(office, case_id, "resolved", ["better_informed"])
    with transaction(office.conn):
        authority.set_member(office.conn, "manager", None, False)
    with pytest.raises(PermissionDenied, match="signature of one of the team's managers"):
        erase.erase(office, "case", [case_id], "Past the retention schedule")
    assert office.conn.execute("SELECT count(*) FROM casefile WHERE id = ?", (case_id,)).fetchone()[0] == 1
