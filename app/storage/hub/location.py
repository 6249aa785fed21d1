"""From a hub location (a folder path or a postgresql:// URL) to a Hub."""

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
