"""The laptop work of a sync, between its pull and its push (docs/sync.md §14)."""

from app.services.team.laptop import office, replica


def after_pull(conn, by: str) -> list[str]:
    """An office computer answers check-out requests and says which laptops' entries it has
    applied; a laptop asks again for cases holding a row it could not write. Returns the plain
    lines this computer must say about rows it could not write (none on an office computer)."""
    office.answer_requests(conn, by)
    office.acknowledge(conn, by)
    replica.ask_again(conn, by)
    return replica.gap_lines(conn)
