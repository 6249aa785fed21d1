"""Every version a person typed stays in the record's history (docs/sync.md §8.4): the losing
side of a resolved conflict becomes an earlier version, and two computers' earlier versions
that took the same number are both kept."""

import json

from app.services.team.capture import current_image, decode_value
from app.services.team.merge import sets
from app.services.team.merge.schema import HistoryTable, schema
from app.services.team.merge.unique import Collision
from app.storage import records
from app.storage.capture import primary_key


def _of_table(conn, table: str) -> HistoryTable | None:
    return next((h for h in schema(conn).history.values() if h.table == table), None)


def renumber(conn, table: str, clash: Collision, theirs: dict) -> bool:
    """Their earlier version arrived with the number ours took (both edited the same record):
    ours moves to the next free number, so both are kept. False when `table` keeps no history."""
    hist = _of_table(conn, table)
    if hist is None or "version" not in clash.unique.columns:
        return False
    pk = primary_key(conn, table)
    where = " AND ".join(f"{c} = ?" for c in pk)
    parent = conn.execute(f"SELECT {hist.parent_column} FROM {table} WHERE {where}", clash.key).fetchone()[0]
    top = conn.execute(f"SELECT coalesce(max(version), 0) FROM {table} WHERE {hist.parent_column} = ?",
                       (parent,)).fetchone()[0]
    conn.execute(f"UPDATE {table} SET version = ? WHERE {where}",
                 [max(top, int(theirs.get("version") or 0)) + 1, *clash.key])
    return True


def values_of(hist: HistoryTable, image: dict, members: dict | None = None) -> dict:
    """A version as the history table keeps it: the copied columns, and each set field as JSON.
    `members`: the set fields' members (history column -> list)."""
    out = {c: decode_value(image.get(c)) for c in hist.copied}
    for column in hist.sets:
        out[column] = json.dumps(sorted((members or {}).get(column) or []))
    return out


def keep_versions(conn, parent: str, parent_id: str, versions: list[tuple[dict, str | None, str | None]],
                  final: dict) -> int:
    """Add to `parent`'s history each version (values_of form, author, time) that differs from
    the final one and from every version already kept. Returns how many were added. Written as
    ordinary captured rows: they travel like any edit."""
    hist = schema(conn).history.get(parent)
    if hist is None:
        return 0
    cols = list(hist.copied) + list(hist.sets)
    kept = [dict(zip(cols, row, strict=True)) for row in conn.execute(
        f"SELECT {', '.join(cols)} FROM {hist.table} WHERE {hist.parent_column} = ?", (parent_id,))]
    kept.append({c: final.get(c) for c in cols})
    added = 0
    for values, by, at in versions:
        shown = {c: values.get(c) for c in cols}
        if shown in kept:
            continue
        top = conn.execute(f"SELECT coalesce(max(version), 0) FROM {hist.table} WHERE {hist.parent_column} = ?",
                           (parent_id,)).fetchone()[0]
        row = {"id": records.new_id(), hist.parent_column: parent_id, "version": top + 1, **shown,
               "written_at": at or "", "written_by": by or ""}
        conn.execute(f"INSERT INTO {hist.table} ({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                     list(row.values()))
        kept.append(shown)
        added += 1
    return added


def keep_conflict_versions(conn, table: str, key: list, versions: list[tuple[dict | None, str | None, str | None]],
                           final: dict | None) -> int:
    """The sides of a conflict on `table` (a record with a history, or a set field of one) that
    are not its final state, kept as earlier versions of the record. Images are row images, or
    a set's one-field images (sets.image). Returns how many were added."""
    found = schema(conn)
    set_field = found.sets.get(table)
    parent = set_field.parent if set_field else table
    hist = found.history.get(parent)
    if hist is None or len(key) != 1:
        return 0
    record = current_image(conn, parent, key)
    if record is None:
        return 0
    now = {column: sets.listed(sets.members(conn, sf, key)) for column, sf in hist.sets.items()}

    def as_version(image: dict) -> dict:
        if set_field is None:
            return values_of(hist, image, now)
        chosen = {c: (image.get(sets.field_name(sf)) if sf.table == table else now[c])
                  for c, sf in hist.sets.items()}
        return values_of(hist, record, chosen)

    typed = [(as_version(img), by or (img.get("updated_by") if set_field is None else None),
              at or (img.get("updated_at") if set_field is None else None))
             for img, by, at in versions if img is not None]
    if final is None:
        return keep_versions(conn, parent, key[0], typed, {})
    return keep_versions(conn, parent, key[0], typed, as_version(final))
