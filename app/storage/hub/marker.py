"""The team marker: a file that binds a hub folder to one team, so that a computer pointed at
another team's folder (or at an empty local folder where a network drive should be) is
refused plainly instead of mixing two teams' logs."""

import json
import stat
from pathlib import Path

from app import clock
from app.storage.hub import claim
from app.storage.hub.base import HubError, HubUnavailable

MARKER = "confide-hub.json"
MARKER_FORMAT = "confide-hub"


def create_marker(root: Path, team_id: str) -> None:
    """Make the hub folder (not its parents: a missing drive must not become a local folder)
    and claim its marker; if two computers create at once, the first one's team wins and
    check_marker refuses the other.

    May raise: OSError.
    """
    if not root.is_dir():
        claim.make_dir(root)
    path = root / MARKER
    if path.exists():
        return
    data = json.dumps({"format": MARKER_FORMAT, "version": 1, "team_id": team_id,
                       "created_at": clock.stamp()}, indent=1).encode("utf-8")
    claim.make_dir(root / "tmp")
    try:
        claim.claim_by_link(path, root / "tmp", data)
    except claim.LinksUnsupported:
        try:
            claim.claim_by_exclusive_open(path, data)
        except FileExistsError:
            pass
    except FileExistsError:
        pass


def check_marker(root: Path, team_id: str) -> None:
    """May raise: HubUnavailable (no folder, no marker), HubError (damaged, another team's)."""
    if not root.is_dir():
        raise HubUnavailable(f"The hub folder {root} cannot be found. If it is on a network "
                             "drive or USB stick, connect it and try again.")
    try:
        marker = json.loads((root / MARKER).read_text("utf-8"))
    except FileNotFoundError:
        raise HubUnavailable(f"{root} is not a Confide hub folder (it has no {MARKER}). "
                             "Check the path, and that the network drive is connected.") from None
    except (ValueError, UnicodeDecodeError):
        raise HubError(f"The team marker {MARKER} in {root} is damaged.") from None
    if not isinstance(marker, dict) or marker.get("format") != MARKER_FORMAT:
        raise HubError(f"The team marker {MARKER} in {root} is damaged.")
    if marker.get("team_id") != team_id:
        raise HubError(f"The hub folder {root} belongs to another team. "
                       "Check the path: each team needs its own hub folder.")


def share_if_private(root: Path) -> None:
    """A hub made before hub files were shared with the group has a marker only its maker
    can read: its maker's computer gives what it owns the shared modes, once (claim.py)."""
    try:
        private = not (root / MARKER).stat().st_mode & stat.S_IRGRP
    except OSError:
        return
    if private:
        claim.share_own_files(root)
