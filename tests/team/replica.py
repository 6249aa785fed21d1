"""Helpers to compare replicas and make records through the real services."""

import json

from app.services.casework import cases, people
from app.services.casework.people import PersonInput
from app.storage.capture import columns, image_sql, replicated_tables


def rows_of(session) -> dict[str, list]:
    """Every replicated row, as JSON images, sorted: equal across converged replicas."""
    conn = session.conn
    out = {}
    for table in replicated_tables(conn):
        images = [r[0] for r in conn.execute(f"SELECT {image_sql(columns(conn, table), table)} FROM {table}")]
        out[table] = sorted(json.loads(i) and i for i in images)
    return out


def seed_case(session) -> str:
    parent = people.create_person(session, PersonInput(kind="parent_carer", first_name="Mabel",
                                                       last_name="Hartley"))
    child = people.create_person(session, PersonInput(kind="child", first_name="Owen", last_name="Hartley",
                                                      date_of_birth="2015-03-02"))
    people.link_relationship(session, parent.id, child.id, "mother", parental_responsibility=True)
    return cases.open_case(session, parent.id, child.id).id
