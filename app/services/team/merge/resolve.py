"""A person's resolution of a held conflict, as a pure function (docs/sync.md §8.4).

Resolving writes the fields in conflict, as chosen, and this computer's own edits that nobody
contested (fields only I changed, still as the log left them). Every other field stays as the
row is now: a colleague's edit that arrived while the conflict waited, or an edit made here
meanwhile, is never overwritten by the resolution.
"""

from dataclasses import dataclass

from app.services.team.merge.decide import PLAIN, Conflict, Rules, changed, decide

CHOICES = ("mine", "theirs")


class NotInConflict(ValueError):
    """A choice named a field that is not in conflict (it merges by itself)."""


class BadChoice(ValueError):
    """A choice that is not mine, theirs or ('edit', value)."""


@dataclass(frozen=True)
class Plan:
    image: dict | None      # the row after the resolution (None: no row)
    fields: tuple           # the fields the resolution sets


def in_conflict(kind: str, held: list, base: dict | None, mine: dict | None, theirs: dict | None,
                rules: Rules = PLAIN) -> tuple:
    """The fields a person must choose: those held, and any that came into conflict while the
    conflict waited (theirs moved on with the log)."""
    fields = set(held)
    if kind == "edit" and mine is not None and theirs is not None and base is not None:
        decision = decide(base, mine, theirs, rules=rules)
        if isinstance(decision, Conflict):
            fields |= set(decision.fields)
    return tuple(sorted(fields))


def resolve(kind: str, base: dict | None, mine: dict | None, theirs: dict | None, current: dict | None,
            fields: tuple, choices: dict, default: str = "mine", rules: Rules = PLAIN,
            keep: frozenset = frozenset()) -> Plan:
    """The row after resolving. `choices`: field -> 'mine' | 'theirs' | ('edit', value), and '*'
    for the whole row (a delete against an edit, a duplicate); fields not named take `default`.
    `keep`: columns a duplicate never copies (its key, who made it and when).

    May raise: NotInConflict, BadChoice."""
    choices = dict(choices)
    whole = choices.pop("*", default)
    if whole not in CHOICES or default not in CHOICES:
        raise BadChoice("*")
    if kind == "duplicate":
        target = dict(current or theirs or {})
        written = []
        if whole == "mine" and mine is not None:
            for f, value in mine.items():
                if f in keep | rules.meta or value == (theirs or {}).get(f):
                    continue
                if current is not None and current.get(f) != (theirs or {}).get(f):
                    continue        # changed here since: that edit stands
                target[f] = value
                written.append(f)
        return Plan(target, tuple(written))
    if mine is None or theirs is None:
        return Plan(mine if whole == "mine" else theirs, ("*",))
    stray = sorted(f for f in choices if f not in fields)
    if stray:
        raise NotInConflict(stray[0])
    target = dict(current if current is not None else theirs)
    for f in fields:
        choice = choices.get(f, whole)
        if isinstance(choice, tuple | list) and len(choice) == 2 and choice[0] == "edit":
            target[f] = choice[1]
        elif choice == "mine":
            target[f] = mine.get(f)
        elif choice == "theirs":
            target[f] = theirs.get(f)
        else:
            raise BadChoice(f)
    uncontested = set()
    if base is not None:
        uncontested = changed(base, mine, rules) - changed(base, theirs, rules) - set(fields)
    for f in sorted(uncontested):
        if current is None or current.get(f) == theirs.get(f):
            target[f] = mine.get(f)
    return Plan(target, tuple(sorted(set(fields) | uncontested)))
