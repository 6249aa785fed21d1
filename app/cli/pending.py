"""`confide pending`: changes stranded on a computer removed from the team (docs/sync.md §14).

    confide pending                      say whether this computer was removed, and what is stranded
    confide pending export --out FILE    write them, encrypted and signed (on the removed computer)
    confide pending review --from FILE   list what importing would do (a manager's office computer)
    confide pending import --from FILE   list, then import what still fits as this computer's edits

Exit 1 with a line on stderr when something was left out or cannot be done."""

import sys
from pathlib import Path

from app.cli.common import Input, unlock
from app.errors import ValidationError
from app.services.team import pending


def add_parsers(sub, common) -> None:
    p = sub.add_parser("pending", help="changes stranded on a computer removed from the team: status, export, "
                                       "review, import")
    p.add_argument("action", nargs="?", choices=["status", "export", "review", "import"], default="status")
    common(p)
    p.add_argument("--out", type=Path, default=None, help="export: the file to write")
    p.add_argument("--from", dest="source", type=Path, default=None, help="review, import: the exported file")


def _session(args):
    return unlock(args, Input(args.passphrase_stdin))


def cmd_pending(args) -> int:
    if args.action == "export" and args.out is None:
        raise ValidationError("pending export needs --out FILE.")
    if args.action in ("review", "import") and args.source is None:
        raise ValidationError(f"pending {args.action} needs --from FILE.")
    session = _session(args)
    try:
        if args.action == "status":
            told = pending.stranded(session)
            print(told.banner() or "This computer is in the team: its changes reach the hub when it syncs.")
            return 0
        if args.action == "export":
            rows = pending.export_pending(session, args.out)
            print(f"{rows} change{'s' if rows != 1 else ''} written to {args.out}, encrypted and signed. Give the "
                  "file to your manager to import on an office computer.")
            return 0
        review = (pending.import_pending if args.action == "import" else pending.review_pending)(session, args.source)
    finally:
        session.lock("cli")
    print(f"From {review.device}, written {review.written_at} by {review.written_by}:")
    for item in review.items:
        print(f"  {item.line()}")
    done = "imported" if args.action == "import" else "would be imported"
    print(f"{review.importable} {done}; {len(review.left_out)} left out.")
    if review.left_out:
        print(f"{len(review.left_out)} change{'s' if len(review.left_out) != 1 else ''} could not be imported "
              "(listed above): re-record them by hand.", file=sys.stderr)
        return 1
    return 0


COMMANDS = {"pending": cmd_pending}
