"""A team on a folder hub, founded by one computer and joined by a second: the set-up many team
tests share."""

from pathlib import Path

from app.security.device import KeyringStore
from app.security.session import Session
from app.services.team import membership
from tests.conftest import PASSPHRASE


def found_and_join(founder: Session, root: Path, name: str = "Annexe") -> Session:
    """`founder` founds a team on a folder hub in `root`/hub; a computer called `name`, its data
    in `root`/<name in lower case>, joins it as the manager. Returns the joiner's session."""
    hub = root / "hub"
    hub.mkdir()
    membership.create(founder, str(hub), "Northshire SENDIASS")
    invite = root / f"{name.lower()}.invite"
    code = membership.invite(founder, name, invite)
    return membership.join(root / name.lower(), invite, code, "manager", PASSPHRASE, KeyringStore())
