"""Where Confide keeps its files, and the settings that are not confidential."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

from app.fsutil import atomic_write

APP_NAME = "Confide"
DB_NAME = "confide.db"
VAULT_NAME = "vault.json"
ATTEMPTS_NAME = "unlock-attempts.json"
APPEARANCE_NAME = "appearance.json"


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


@dataclass(frozen=True)
class Appearance:
    """How Confide looks for this computer's account: a theme ('system', 'standard',
    'high_contrast') and a text size in per cent. Not confidential; kept in the account's
    configuration folder, so the unlock screen and the set-up wizard use it too."""

    theme: str = "system"
    text_size: int = 100


def appearance_file() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / APPEARANCE_NAME


def load_appearance() -> Appearance:
    """The saved choice, or the defaults when there is none or it cannot be read (a damaged
    file must not stop the start)."""
    try:
        raw = json.loads(appearance_file().read_text(encoding="utf-8"))
        return Appearance(theme=str(raw.get("theme", "system")), text_size=int(raw.get("text_size", 100)))
    except (OSError, ValueError, TypeError, AttributeError):
        return Appearance()


def save_appearance(appearance: Appearance) -> None:
    """May raise: OSError."""
    appearance_file().parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(appearance_file(), json.dumps(asdict(appearance)).encode())
