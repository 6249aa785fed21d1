"""Where Confide keeps its files, and the settings that are not confidential."""

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Confide"
DB_NAME = "confide.db"
VAULT_NAME = "vault.json"
ATTEMPTS_NAME = "unlock-attempts.json"


def default_data_dir() -> Path:
    env = os.environ.get("CONFIDE_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class Paths:
    data_dir: Path

    @property
    def db(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def vault(self) -> Path:
        return self.data_dir / VAULT_NAME

    @property
    def attempts(self) -> Path:
        return self.data_dir / ATTEMPTS_NAME

    def ensure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
