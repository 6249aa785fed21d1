"""A staff key record changed on two computers at once, settled by rule (docs/sync.md §12,
"The same person's key changed on two computers"): pure, no database, no clock.

A staff key record is one person's key pair: the public key and the private key wrapped under
their passphrase (with, beside it, the public half of their signing key). A person choosing
their passphrase on two computers before they sync makes two wraps of the same key pair, both
theirs; nothing there is for anyone to choose between, and the choice must never be offered,
since choosing an old key pair would bring back what a manager's reset replaced. So:

1. A new key pair (a manager's reset, or a key pair made at join) beats a new wrap of the key
   pair it replaced, whichever was later: a reset exists to shut out the old passphrase.
2. Two wraps of the same key pair: a side that only added its signing key's public half keeps
   the other side's passphrase (and the half is kept); otherwise the later wrap stands (the
   wrap's `set_at`, when the passphrase was set; equal times: the greater wrap text, so every
   computer agrees).
3. Two new key pairs: the later stands (then the greater public key).
"""

import json
from dataclasses import dataclass

from app.services.team.merge.decide import Conflict, Decision, KeepMine, TakeTheirs

PUBLIC, WRAP = "public_key", "private_wrap"
TABLES = frozenset({"staff_key"})
PASSPHRASE_PARTS = ("salt", "kdf", "private", "must_change", "set_at")     # what a passphrase change rewrites


@dataclass(frozen=True)
class Outcome:
    """How the rule settled it, for the words said to the person (key_conflicts.py)."""

    decision: Decision
    mine_dropped: bool          # this computer's own passphrase choice no longer opens the account
    reset_won: bool             # the standing record is a new key pair (a manager's reset)
    theirs_dropped: bool = False    # the other computer's passphrase choice gave way to this one's


def _wrap(image: dict | None) -> dict:
    try:
        found = json.loads((image or {}).get(WRAP) or "{}")
    except (TypeError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _passphrase(image: dict | None) -> dict:
    wrap = _wrap(image)
    return {k: wrap.get(k) for k in PASSPHRASE_PARTS}


def _new_pair(image: dict, start: dict | None) -> bool:
    return start is None or image.get(PUBLIC) != start.get(PUBLIC)


def _set_at(image: dict) -> str:
    """When the passphrase of this wrap was set (the wrap's own `set_at`; a record from before
    it: the record's time, which a later signing-key note also moves)."""
    return str(_wrap(image).get("set_at") or image.get("updated_at") or "")


def _later(a: dict, b: dict, tie: str) -> bool:
    """a stands over b: its passphrase was set later, or at the same time the greater `tie` column."""
    return (_set_at(a), str(a.get(tie) or "")) > (_set_at(b), str(b.get(tie) or ""))


def settle(decision: Decision, base: dict | None, mine: dict | None, theirs: dict | None,
           their_base: dict | None) -> Outcome:
    """Turn the general rule's edit conflict on a staff key record into one outcome; anything
    else (a delete against an edit) is left as it is: a person decides."""
    if not isinstance(decision, Conflict) or decision.kind != "edit" or mine is None or theirs is None:
        return Outcome(decision, False, False)
    new_mine, new_theirs = _new_pair(mine, base), _new_pair(theirs, their_base)
    if new_mine != new_theirs:
        winner = mine if new_mine else theirs
    elif new_mine:
        winner = mine if _later(mine, theirs, PUBLIC) else theirs
    elif mine.get(PUBLIC) != theirs.get(PUBLIC):
        # Neither made a new pair, yet they differ: not a case this rule knows; a person decides.
        return Outcome(decision, False, False)
    else:
        return _same_pair(base, mine, theirs, their_base)
    if winner is theirs:
        return Outcome(TakeTheirs(theirs), mine_dropped=_passphrase(mine) != _passphrase(base),
                       reset_won=new_theirs)
    return Outcome(KeepMine(_over(mine, theirs, base)), False, new_mine,
                   theirs_dropped=_passphrase(theirs) != _passphrase(their_base))


def _same_pair(base, mine, theirs, their_base) -> Outcome:
    mine_moved = _passphrase(mine) != _passphrase(base)
    theirs_moved = _passphrase(theirs) != _passphrase(their_base)
    if mine_moved and theirs_moved:
        take_mine = _later(mine, theirs, WRAP)
    else:
        take_mine = mine_moved
    source = _wrap(mine if take_mine else theirs)
    # The signing key's public half comes from the same key pair: kept from whichever has it.
    wrap = {k: v for k, v in {**_wrap(theirs), **_wrap(mine)}.items() if k not in PASSPHRASE_PARTS}
    wrap.update((k, source[k]) for k in PASSPHRASE_PARTS if k in source)
    text = json.dumps(wrap, sort_keys=True)
    dropped = mine_moved and not take_mine
    if text == theirs.get(WRAP):
        return Outcome(TakeTheirs(theirs), mine_dropped=dropped, reset_won=False)
    image = _over(mine, theirs, base)
    image[WRAP] = text
    return Outcome(KeepMine(image), mine_dropped=dropped, reset_won=False,
                   theirs_dropped=take_mine and theirs_moved)


def _over(mine: dict, theirs: dict, base: dict | None) -> dict:
    """Mine, as a change on top of theirs: its version counted from theirs."""
    image = dict(mine)
    if isinstance(theirs.get("version"), int):
        steps = 1
        if base is not None and isinstance(base.get("version"), int) and isinstance(mine.get("version"), int):
            steps = max(1, mine["version"] - base["version"])
        image["version"] = theirs["version"] + steps
    return image
