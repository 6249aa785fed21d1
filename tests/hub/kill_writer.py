"""A computer appending to a folder hub as fast as it can, to be killed with SIGKILL.

Usage: python -m tests.hub.kill_writer ROOT TEAM DEVICE USE_LINKS(0|1)
"""

import sys

from app.storage.hub.base import SequenceTaken
from app.storage.hub.folder import FolderHub


def payload(device: str, seq: int) -> bytes:
    return (f"{device}:{seq}:".encode() * 250_000)[:2_500_000]


def main() -> None:
    root, team, device, links = sys.argv[1:5]
    hub = FolderHub(root, team, use_links=links == "1")
    while True:
        seq = hub.head() + 1
        try:
            hub.append(seq, device, "bundle", payload(device, seq))
        except SequenceTaken:
            return  # a torn claim from an earlier kill: the test clears it


if __name__ == "__main__":
    main()
