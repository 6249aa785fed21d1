"""Where a computer keeps its hub's location: the OS credential store, under the team id.

A PostgreSQL connection string carries the device role's password, so it never goes into a
plain file (vault.json, settings, logs). Folder locations are stored the same way so there
is one place to look. With no usable credential store this fails closed, as the device
secret does (docs/security.md).
"""

import keyring
import keyring.errors

from app.errors import CredentialStoreUnavailable
from app.security.device import NO_STORE_HELP, KeyringStore

KEYRING_SERVICE = "Confide hub location"


def save_hub_location(team_id: str, location: str) -> None:
    """May raise: CredentialStoreUnavailable."""
    KeyringStore().check_available()
    try:
        keyring.set_password(KEYRING_SERVICE, team_id, location)
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreUnavailable(NO_STORE_HELP) from exc


def load_hub_location(team_id: str) -> str | None:
    """The saved location, or None when this computer has none for the team.

    May raise: CredentialStoreUnavailable.
    """
    KeyringStore().check_available()
    try:
        return keyring.get_password(KEYRING_SERVICE, team_id) or None
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreUnavailable(NO_STORE_HELP) from exc


def forget_hub_location(team_id: str) -> None:
    """May raise: CredentialStoreUnavailable."""
    KeyringStore().check_available()
    try:
        keyring.delete_password(KEYRING_SERVICE, team_id)
    except keyring.errors.PasswordDeleteError:
        pass
    except keyring.errors.KeyringError as exc:
        raise CredentialStoreUnavailable(NO_STORE_HELP) from exc
