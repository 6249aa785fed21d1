"""The same person's staff key changed on two computers before they synced (docs/sync.md §12,
"The same person's key changed on two computers"): settled by rule (merge/key_record.py), never
offered to a person to choose between, and said in plain words on the computer whose choice
gave way, naming the person whose account it is.

Conflicts of this kind held by an earlier version of Confide are settled by the same rule at
the next sync (`settle_held`), so none waits on the Conflicts page.
"""

import json

from app import clock
from app.security import audit
from app.services.team import state
from app.services.team.merge import key_record
from app.services.team.merge.decide import Conflict, Decision, KeepMine

NOTICES = "key_notices"     # words for the person, kept until a sync hands them on (take_notices)
SETTLED = "staff_key_settled"


def settle(conn, table: str, decision: Decision, base, mine, theirs, their_base, origin: dict) -> Decision:
    """The decision for a remote change to a staff key record that this computer changed too;
    any other table's is returned as it is."""
    if table not in key_record.TABLES:
        return decision
    outcome = key_record.settle(decision, base, mine, theirs, their_base)
    if outcome.decision is not decision:
        _record(conn, (mine or theirs or {}).get("id"), outcome, origin.get("device"))
    return outcome.decision


def _name(conn, staff_id) -> str:
    row = conn.execute("SELECT full_name FROM staff WHERE id = ?", (staff_id,)).fetchone()
    return row[0] if row else "A member of staff"


def _computer(conn, device_id) -> str:
    found = state.device(conn, device_id) if device_id else None
    return f"“{found.name}”" if found is not None else "another computer"


def words(conn, staff_id, outcome: key_record.Outcome, device_id) -> str | None:
    """What the person is told, or None when nothing chosen on either computer was dropped."""
    name, there = _name(conn, staff_id), _computer(conn, device_id)
    if outcome.mine_dropped and outcome.reset_won:
        return (f"{name}'s passphrase was reset by a manager on {there} before this computer synced: the "
                "passphrase chosen here no longer opens their account. They sign in with the temporary "
                "passphrase the manager gave them, then choose their own again.")
    if outcome.mine_dropped:
        return (f"{name} chose a new passphrase here and on {there} before the two computers synced: the "
                f"later one, chosen on {there}, now opens their account on every computer, this one included.")
    if outcome.theirs_dropped and not outcome.reset_won:
        return (f"{name} chose a new passphrase here and on {there} before the two computers synced: the "
                f"later one, chosen here, now opens their account on every computer, {there} included.")
    return None


def _record(conn, staff_id, outcome: key_record.Outcome, device_id) -> None:
    """Tell the person, and keep it in the audit trail: a passphrase that stopped opening an
    account is a security event a manager may need to trace, not only a notice on one screen."""
    text = words(conn, staff_id, outcome, device_id)
    if text is None:
        return
    state.put(conn, NOTICES, (state.get(conn, NOTICES) or []) + [{"at": clock.stamp(), "text": text}])
    audit.append(conn, "sync", SETTLED, "staff", staff_id,
                 {"kept": "other computer" if outcome.mine_dropped else "this computer",
                  "manager_reset": bool(outcome.reset_won), "other_computer": device_id})


def take_notices(conn) -> list[str]:
    """The words kept since the last sync handed them on; they are then forgotten here."""
    kept = state.get(conn, NOTICES) or []
    if kept:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (NOTICES,))
    return [k["text"] for k in kept]


def describe(conn, image: dict | None, where: str = "", stands: bool | None = None) -> str:
    """One side of a staff key record in words: a passphrase chosen by whom, where and when
    (to the second: two choices are often minutes apart), and whether the rule keeps it."""
    if not image:
        return "No key"
    try:
        wrap = json.loads(image.get(key_record.WRAP) or "{}")
    except (TypeError, ValueError):
        wrap = {}
    by = conn.execute("SELECT full_name FROM staff WHERE username = ?", (image.get("updated_by"),)).fetchone()
    who = by[0] if by else str(image.get("updated_by") or "someone")
    when = str(wrap.get("set_at") or image.get("updated_at") or "")
    at = f" on {when[8:10]}/{when[5:7]}/{when[0:4]} at {when[11:19]}" if len(when) >= 19 else ""
    kind = "A temporary passphrase set" if wrap.get("must_change") else "A passphrase chosen"
    verdict = "" if stands is None else (": it stands" if stands else ": it gives way")
    return f"{kind} by {who}{where}{at}{verdict}"


def detail(conn, row) -> tuple[str, str, str]:
    """Before, mine and theirs of a held staff key conflict, in words, saying which the rule keeps."""
    base, mine, theirs = (json.loads(row[c]) if row[c] else None for c in ("base_img", "mine_img", "theirs_img"))
    outcome = key_record.settle(Conflict("edit"), base, mine, theirs, base)
    keeps_mine = isinstance(outcome.decision, KeepMine)
    known = not isinstance(outcome.decision, Conflict)
    return (describe(conn, base),
            describe(conn, mine, " here", keeps_mine if known else None),
            describe(conn, theirs, f" on {_computer(conn, row['theirs_device'])}", not keeps_mine if known else None))


def settle_held(conn, by: str, conflict_id: str | None = None) -> int:
    """Settle, by the same rule, staff key conflicts an earlier version held for a person to
    resolve (the row holds theirs; mine waits in the conflict); only `conflict_id` if given.
    Call inside a transaction. Returns how many were settled."""
    settled = 0
    for row in conn.execute("SELECT * FROM sync_conflict WHERE resolved_at IS NULL AND kind = 'edit' AND tbl IN "
                            f"({', '.join('?' for _ in key_record.TABLES)}) AND (? IS NULL OR id = ?)",
                            [*sorted(key_record.TABLES), conflict_id, conflict_id]).fetchall():
        base, mine, theirs = (json.loads(row[c]) if row[c] else None for c in ("base_img", "mine_img", "theirs_img"))
        outcome = key_record.settle(Conflict("edit"), base, mine, theirs, base)
        if isinstance(outcome.decision, Conflict):
            continue
        if isinstance(outcome.decision, KeepMine):
            image = outcome.decision.image
            # An ordinary captured edit: it reaches the team at this sync's push.
            conn.execute(f"UPDATE {row['tbl']} SET public_key = ?, private_wrap = ?, updated_at = ?, updated_by = ?, "
                         "version = version + 1 WHERE id = ?",
                         (image[key_record.PUBLIC], image[key_record.WRAP], clock.stamp(), by,
                          json.loads(row["pk"])[0]))
        conn.execute("UPDATE sync_conflict SET resolved_at = ?, resolved_by = ?, resolution = ? WHERE id = ?",
                     (clock.stamp(), by, json.dumps({"rule": "staff key"}), row["id"]))
        _record(conn, json.loads(row["pk"])[0], outcome, row["theirs_device"])
        settled += 1
    return settled
