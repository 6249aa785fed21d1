"""The merge rule as a pure decision (docs/sync.md §8.2): no database, no clock.

`decide(base, mine, theirs)` looks at three images of one row (a dict of column values, or None
for a row that does not exist) and says what the row becomes:

- base: the row before this computer's pending change (None: made here);
- mine: the row now, with the pending change (None: deleted here);
- theirs: the row after the remote change (None: deleted there), whose own starting point is
  `their_base` (by default the same as base; the log gives it as the change's before image).

Anything that reads or writes a database applies the answer (apply.py, sets.py).
"""

from dataclasses import dataclass, field

# The version of these rules. It travels in every bundle header (docs/sync.md §3): a computer
# meeting a bundle written under newer rules stops and says to update, since the two could
# decide the same change differently and the replicas would part.
#   1: field-level merge, delete against edit is a conflict.
#   2: a set-valued field stored as child rows (an enquiry's topics) conflicts as one field.
#   3: a staff key record changed on both computers is settled by rule (merge/key_record.py).
RULES_VERSION = 3

SAME = object()     # their_base not given: theirs started from base


@dataclass(frozen=True)
class Rules:
    """What the schema says about a table's columns."""

    meta: frozenset = frozenset()          # bookkeeping, changed by every write: never compared
    latest_wins: frozenset = frozenset()   # activity stamps: both moved, the later one stands
    made: frozenset = frozenset({"created_at", "created_by"})   # differ when made twice


PLAIN = Rules()         # a table with no record stamps


@dataclass(frozen=True)
class TakeTheirs:
    """The row becomes theirs; nothing of mine is lost (I changed no data, we both deleted it,
    or we made the same row). The pending change is dropped."""

    image: dict | None


@dataclass(frozen=True)
class KeepMine:
    """Theirs adds nothing to mine: the row keeps my data (its version moved past theirs) and
    my pending change is now relative to theirs."""

    image: dict


@dataclass(frozen=True)
class Merged:
    """Disjoint fields: mine with theirs' `fields`; my pending change is now relative to theirs."""

    image: dict
    fields: tuple


@dataclass(frozen=True)
class Conflict:
    """A person decides. The row takes theirs (what every other computer has); mine waits.
    `kind`: edit, delete_theirs (they deleted it), delete_mine (I deleted it)."""

    kind: str
    fields: tuple = field(default=())


Decision = TakeTheirs | KeepMine | Merged | Conflict


def changed(before: dict | None, after: dict | None, rules: Rules = PLAIN) -> frozenset:
    """Data columns that differ; an insert or a delete changes every column."""
    if before is None or after is None:
        image = before or after or {}
        return frozenset(image) - rules.meta
    return frozenset(k for k in set(before) | set(after)
                     if k not in rules.meta and before.get(k) != after.get(k))


def is_delete(before: dict | None, after: dict | None) -> bool:
    """A hard delete (the row gone), or a soft delete (deleted_at set)."""
    if after is None:
        return before is not None
    return bool(after.get("deleted_at")) and not (before or {}).get("deleted_at")


def decide(base: dict | None, mine: dict | None, theirs: dict | None, their_base=SAME,
           rules: Rules = PLAIN) -> Decision:
    """What a row with a pending change here becomes when a remote change to it arrives."""
    if their_base is SAME:
        their_base = base
    theirs_changed = changed(their_base, theirs, rules)
    mine_changed = changed(base, mine, rules)
    if base is not None and mine is not None and not mine_changed:
        return TakeTheirs(theirs)              # only bookkeeping moved here
    if theirs is None and mine is None:
        return TakeTheirs(None)                # both deleted it
    if theirs is None or mine is None:
        return Conflict("delete_theirs" if theirs is None else "delete_mine",
                        tuple(sorted(theirs_changed | mine_changed)))
    if their_base is None and base is None:
        # The same row made on both computers: equal apart from who made it and when, it is
        # one fact; otherwise every differing field is for a person.
        differ = {f for f in set(mine) | set(theirs)
                  if f not in rules.meta | rules.made and mine.get(f) != theirs.get(f)}
        return Conflict("edit", tuple(sorted(differ))) if differ else TakeTheirs(theirs)
    if theirs_changed and mine_changed and (is_delete(their_base, theirs) or is_delete(base, mine)):
        return Conflict("edit", tuple(sorted(theirs_changed | mine_changed)))
    overlap = {f for f in theirs_changed & mine_changed
               if mine.get(f) != theirs.get(f) and f not in rules.latest_wins}
    if overlap or base is None or their_base is None:
        return Conflict("edit", tuple(sorted(overlap)))
    merged = _rebased_version(dict(mine), mine, theirs, base, rules)
    for f in theirs_changed:
        merged[f] = theirs.get(f)
        if f in rules.latest_wins and f in mine_changed:
            # Both cleared it: None (found by tests/perf/merge_property.py; max() of nothing raised).
            merged[f] = max((v for v in (mine.get(f), theirs.get(f)) if v is not None), default=None)
    taken = tuple(sorted(f for f in theirs_changed if merged.get(f) != mine.get(f)))
    return Merged(merged, taken) if taken else KeepMine(merged)


def _rebased_version(merged: dict, mine: dict, theirs: dict, base: dict, rules: Rules) -> dict:
    # My edits counted on top of theirs, so the row's version keeps rising on every computer.
    if "version" in rules.meta and all(isinstance(d.get("version"), int) for d in (theirs, mine, base)):
        merged["version"] = theirs["version"] + (mine["version"] - base["version"])
    return merged
