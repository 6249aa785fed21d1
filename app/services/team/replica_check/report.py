"""Plain sentences about how this replica compares with the others (docs/sync.md §17), for
`confide verify` and the manager's dashboard. Reads local state only."""

import json
from dataclasses import dataclass

from app.services.team import state
from app.services.team.replica_check.receive import RESULTS

ROWS_SHOWN = 5


@dataclass(frozen=True)
class Mismatch:
    device_id: str
    name: str
    upto: int
    tables: list[str]
    rows: dict[str, list]

    def sentence(self) -> str:
        parts = []
        for table in self.tables:
            named = self.rows.get(table) or []
            if not named:
                parts.append(f"{table} (rows not yet named: the two computers exchange row hashes at "
                             "their next syncs)")
                continue
            shown = "; ".join(f"row {_row_id(k)} {why}" for k, why in named[:ROWS_SHOWN])
            more = f"; and {len(named) - ROWS_SHOWN} more" if len(named) > ROWS_SHOWN else ""
            parts.append(f"{table}: {shown}{more}")
        return (f"This computer's records differ from {self.name}'s as of hub entry {self.upto}, in "
                + ", ".join(parts) + ".")


def _row_id(key_json: str) -> str:
    key = json.loads(key_json)
    return "/".join(str(k) for k in key)


def _in_team(conn) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sync_state'").fetchone() is not None \
        and state.in_team(conn)


def mismatches(conn) -> list[Mismatch]:
    if not _in_team(conn):
        return []
    out = []
    for device_id, r in sorted((state.get(conn, RESULTS) or {}).items()):
        if r.get("tables"):
            out.append(Mismatch(device_id, r["name"], int(r["upto"]), list(r["tables"]), dict(r.get("rows") or {})))
    return out


def agreeing(conn) -> list[tuple[str, int]]:
    """(name, hub entry) of every computer whose latest digest matched this replica."""
    if not _in_team(conn):
        return []
    return [(r["name"], int(r["upto"])) for _, r in sorted((state.get(conn, RESULTS) or {}).items())
            if not r.get("tables")]


def verify_lines(conn) -> tuple[bool, list[str]]:
    """What `confide verify` prints about the team's replicas, and whether all agree."""
    if not _in_team(conn):
        return True, []
    bad = mismatches(conn)
    lines = [f"Replicas differ: {m.sentence()}" for m in bad]
    good = agreeing(conn)
    if good:
        lines.append("Replicas agree: " + ", ".join(f"{name} (entry {upto})" for name, upto in good))
    elif not bad:
        lines.append("Replicas: no other computer's digest compared yet (they are published as computers sync)")
    return not bad, lines
