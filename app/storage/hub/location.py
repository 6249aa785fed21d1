"""From a hub location (a folder path or a postgresql:// URL) to a Hub."""

from urllib.parse import parse_qsl, quote, unquote, urlsplit, urlunsplit

from app.storage.hub.base import Hub

_PG_SCHEMES = ("postgresql://", "postgres://")


def is_postgres_location(location: str) -> bool:
    return location.strip().lower().startswith(_PG_SCHEMES)


def describe_location(location: str) -> str:
    """A location fit to show or log: a folder path as is, a connection string without its
    password."""
    if is_postgres_location(location):
        from app.storage.hub.postgres import describe_conninfo

        return describe_conninfo(location.strip())
    return f"the hub folder {location}"


def open_hub(location: str, team_id: str, *, create: bool = False) -> Hub:
    """A PostgresHub for a postgresql:// or postgres:// URL, else a FolderHub. `create=True`
    binds a new hub to the team (team create); otherwise the hub must already be this team's.

    May raise: HubUnavailable, HubError.
    """
    if is_postgres_location(location):
        from app.storage.hub.postgres import PostgresHub

        return PostgresHub(location.strip(), team_id, create=create)
    from app.storage.hub.folder import FolderHub

    return FolderHub(location, team_id, create=create)


def team_row(location: str) -> list | None:
    """The team a PostgreSQL hub serves, from its own team row (None: not a Confide hub).
    psycopg is imported only here and in open_hub, so the first window never waits for it.

    May raise: HubUnavailable, HubError."""
    from app.storage.hub.postgres import read_team_row

    return read_team_row(location)


def postgres_user(location: str) -> str | None:
    """The login a postgresql:// URL names (None for a folder, or a URL naming none)."""
    if not is_postgres_location(location):
        return None
    parts = urlsplit(location.strip())
    query = dict(parse_qsl(parts.query))
    return query.get("user") or (unquote(parts.username) if parts.username else None)


def lacks_password(location: str) -> bool:
    """A postgresql:// URL with no password in it. Such a location works only while
    PGPASSWORD or a .pgpass file happens to supply one, which the program started from the
    desktop never has: so it is completed before it is stored (README, "Setting up a
    PostgreSQL hub")."""
    if not is_postgres_location(location):
        return False
    parts = urlsplit(location.strip())
    return parts.password is None and "password" not in dict(parse_qsl(parts.query))


def with_password(location: str, password: str) -> str:
    """The postgresql:// URL with `password` for the login it names (netloc form)."""
    parts = urlsplit(location.strip())
    user = postgres_user(location) or ""
    host = parts.netloc.rsplit("@", 1)[-1]
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='/')}" for k, v in parse_qsl(parts.query, keep_blank_values=True)
                     if k not in ("user", "password"))
    netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
