"""Which row a remote row collides with on a unique key, found from the schema's unique
indexes (docs/sync.md §11), never from the wording of SQLite's error message."""

from dataclasses import dataclass

from app.services.team.capture import decode_value
from app.services.team.merge.schema import UniqueKey, schema
from app.storage.capture import columns, primary_key


@dataclass(frozen=True)
class Collision:
    unique: UniqueKey
    key: list           # primary key of the row here that holds the same unique values


def collisions(conn, table: str, image: dict) -> list[Collision]:
    """Rows here, other than the image's own, that hold its values on one of the table's
    unique keys (a partial index counts only when both rows are inside its condition)."""
    pk = primary_key(conn, table)
    found = []
    for uk in schema(conn).unique.get(table, []):
        if any(c not in image for c in uk.columns):
            continue
        values = [decode_value(image[c]) for c in uk.columns]
        if any(v is None for v in values):
            continue            # NULLs never collide in a unique index
        if uk.where and not _inside(conn, table, uk.where, image):
            continue
        where = " AND ".join(f"{c} = ?" for c in uk.columns)
        if uk.where:
            where += f" AND ({uk.where})"        # the schema's own text, not ours
        mine = " AND ".join(f"{c} IS ?" for c in pk)
        sql = f"SELECT {', '.join(pk)} FROM {table} WHERE {where} AND NOT ({mine})"
        for row in conn.execute(sql, values + [decode_value(image.get(c)) for c in pk]):
            found.append(Collision(uk, list(row)))
    return found


def _inside(conn, table: str, condition: str, image: dict) -> bool:
    """Is a row with these values inside a partial index's condition? Asked of SQLite itself,
    with the image as a one-row table of the same column names."""
    cols = [c for c in columns(conn, table) if c in image]     # names from the schema only
    marks = ", ".join("?" for _ in cols)
    sql = (f"WITH {table}({', '.join(cols)}) AS (VALUES ({marks})) "
           f"SELECT 1 FROM {table} WHERE {condition}")
    return conn.execute(sql, [decode_value(image[c]) for c in cols]).fetchone() is not None
