"""Every test starts clean: offscreen Qt, an in-memory credential store, the cheap Argon2
profile, and config/data folders inside tmp_path."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from app.security import kdf  # noqa: E402

# A real PostgreSQL server for the hub tests (session-scoped, started only when asked for).
pytest_plugins = ("tests.pgserver",)

PASSPHRASE = "correct horse battery staple"
OTHER_PASSPHRASE = "purple elephants dance at noon"


class MemoryKeyring(KeyringBackend):
    """A credential store that lives only as long as the test."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.values: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.values.get((service, username))

    def set_password(self, service, username, password):
        self.values[(service, username)] = password

    def delete_password(self, service, username):
        self.values.pop((service, username), None)


@pytest.fixture(autouse=True)
def clean_environment(tmp_path, monkeypatch):
    kdf.use_cheap_profile_for_tests(True)
    store = MemoryKeyring()
    keyring.set_keyring(store)
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(tmp_path / "xdg" / var.lower()))
    monkeypatch.delenv("CONFIDE_DATA_DIR", raising=False)
    yield store
    kdf.use_cheap_profile_for_tests(False)


@pytest.fixture
def memory_keyring(clean_environment):
    return clean_environment


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "vault"


@pytest.fixture
def vault(data_dir):
    """A new vault with one manager ('manager'); yields (session, recovery_key)."""
    from app.security.device import KeyringStore
    from app.services.vault import create_vault

    session, recovery = create_vault(data_dir, "Northshire SENDIASS", "manager", "Test Manager",
                                     PASSPHRASE, KeyringStore())
    yield session, recovery
    session.lock("test")


@pytest.fixture
def session(vault):
    return vault[0]
