"""Every test starts clean: offscreen Qt, an in-memory credential store, the cheap Argon2
profile, and config/data folders inside tmp_path."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402

from app.security import kdf  # noqa: E402

# A real PostgreSQL server for the hub tests (session-scoped, started only when asked for);
# the longest test files first, so that xdist's workers finish together.
pytest_plugins = ("tests.pgserver", "tests.schedule")

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
    # A test that runs the CLI in-process gets its harden_process() umask (077); without this,
    # every later test on that worker made private files and one run differed from the next.
    umask = os.umask(0o077)
    os.umask(umask)
    yield store
    os.umask(umask)
    kdf.use_cheap_profile_for_tests(False)


@pytest.fixture
def memory_keyring(clean_environment):
    return clean_environment


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "vault"


@pytest.fixture(scope="session")
def vault_template(tmp_path_factory):
    """The vault every `vault` fixture copies: made once per worker, under its own credential
    store and settings folders, so no test's store or folders see it being made."""
    from tests.vault_template import make_template

    root = tmp_path_factory.mktemp("vault-template")
    previous, was_cheap = keyring.get_keyring(), kdf.test_profile_active()
    kdf.use_cheap_profile_for_tests(True)
    keyring.set_keyring(MemoryKeyring())
    try:
        with pytest.MonkeyPatch.context() as mp:
            for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
                mp.setenv(var, str(root / "xdg" / var.lower()))
            mp.delenv("CONFIDE_DATA_DIR", raising=False)
            return make_template(root, PASSPHRASE)
    finally:
        keyring.set_keyring(previous)
        kdf.use_cheap_profile_for_tests(was_cheap)


@pytest.fixture
def vault(data_dir, vault_template):
    """A new vault with one manager ('manager'); yields (session, recovery_key). A copy of the
    worker's template vault, identical to what create_vault makes (tests/vault_template.py)."""
    from tests.vault_template import open_copy

    session = open_copy(vault_template, data_dir)
    yield session, vault_template.recovery_key
    session.lock("test")


@pytest.fixture
def session(vault):
    return vault[0]
