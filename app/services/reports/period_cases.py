"""The cases a report period touches, read through the casefile_closed index (status, closed_on)
so that a report reads the cases of its period rather than every case ever opened: a table scan
of casefile grew with the service's whole history (docs/national.md, "What a report reads").

A case is active in the period when it opened by the period's end and had not closed before its
start. Those are either the cases with no closing date or one on or after the start (two ranges of
casefile_closed under each status), or the cases opened by the end (a range of
casefile_status_opened under each status). The first is the smaller for a recent period, the second
for one early in the service's history: the report reads by whichever range covers fewer years
of the history (`early`), judged from the first opening and the last closing (a few seeks).
Both give the same rows; only what is read differs. The statuses are listed from the index first
(a handful of seeks) rather than named, so a case in any status, spelt however a sync brought
it, is counted as a table scan counted it.

Every statement here is used with the period's parameters :start and :end (ISO dates)."""

# Each distinct status in casefile, smallest first, one index seek each.
STATUSES = ("WITH RECURSIVE statuses(status_seen) AS (SELECT min(status) FROM casefile INDEXED BY casefile_closed "
            "UNION ALL SELECT (SELECT min(status) FROM casefile INDEXED BY casefile_closed WHERE status > status_seen) "
            "FROM statuses WHERE status_seen IS NOT NULL) ")
# Whether the period is nearer the start of the history than its end: from the first opening and
# the last closing under each status, two seeks a status.
EARLY = STATUSES + (
    "SELECT coalesce(julianday(:end) - julianday(min((SELECT min(opened_on) FROM casefile "
    "INDEXED BY casefile_status_opened WHERE status = status_seen))) < julianday(max((SELECT max(closed_on) "
    "FROM casefile INDEXED BY casefile_closed WHERE status = status_seen))) - julianday(:start), 0) FROM statuses")

_OPEN = ("SELECT {columns} FROM casefile c INDEXED BY casefile_closed WHERE c.status IN (SELECT status_seen FROM statuses) "
         "AND c.closed_on IS NULL AND c.deleted_at IS NULL AND c.opened_on <= :end")
_CLOSED_SINCE = ("SELECT {columns} FROM casefile c INDEXED BY casefile_closed WHERE c.status IN (SELECT status_seen FROM statuses) "
                 "AND c.closed_on >= :start AND c.deleted_at IS NULL AND {opened}")
# Opened in the period but closed before it began: only where a closing date was typed before the
# opening date, but the report has always counted such a case as opened in the period.
_CLOSED_BEFORE = ("SELECT {columns} FROM casefile c INDEXED BY casefile_status_opened "
                  "WHERE c.status IN (SELECT status_seen FROM statuses) AND c.opened_on BETWEEN :start AND :end "
                  "AND c.closed_on < :start AND c.deleted_at IS NULL")
# Read by opening: the cases opened by the end, then (touching only) any opened after the end
# but closed in the period (again only where the dates were typed the wrong way round).
_OPENED_BY_END = ("SELECT {columns} FROM casefile c INDEXED BY casefile_status_opened "
                  "WHERE c.status IN (SELECT status_seen FROM statuses) AND c.opened_on <= :end AND c.deleted_at IS NULL "
                  "AND {also}")
_OPENED_AFTER = ("SELECT {columns} FROM casefile c INDEXED BY casefile_closed WHERE c.status IN (SELECT status_seen FROM statuses) "
                 "AND c.closed_on BETWEEN :start AND :end AND c.opened_on > :end AND c.deleted_at IS NULL")
_STILL_OPEN = "(c.closed_on IS NULL OR c.closed_on >= :start)"


def early(conn, q: dict) -> bool:
    """Read the period's cases by opening (True) or by closing (False); either gives the same rows."""
    return bool(conn.execute(EARLY, q).fetchone()[0])


def active(columns: str, by_opening: bool) -> str:
    """The cases active in the period (opened by its end, not closed before its start)."""
    if by_opening:
        return STATUSES + _OPENED_BY_END.format(columns=columns, also=_STILL_OPEN)
    return STATUSES + (_OPEN.format(columns=columns) + " UNION ALL "
                       + _CLOSED_SINCE.format(columns=columns, opened="c.opened_on <= :end"))


def touching(columns: str, by_opening: bool) -> str:
    """The cases active in the period, opened in it or closed in it: by closing, three ranges
    that do not overlap (no closing date; closed on or after the start; closed before it); by
    opening, two (opened by the end; opened after it)."""
    if by_opening:
        parts = (_OPENED_BY_END.format(columns=columns, also=f"({_STILL_OPEN} OR c.opened_on >= :start "
                                                             "OR c.closed_on BETWEEN :start AND :end)"),
                 _OPENED_AFTER.format(columns=columns))
    else:
        parts = (_OPEN.format(columns=columns),
                 _CLOSED_SINCE.format(columns=columns, opened="(c.opened_on <= :end OR c.closed_on <= :end)"),
                 _CLOSED_BEFORE.format(columns=columns))
    return STATUSES + " UNION ALL ".join(parts)
