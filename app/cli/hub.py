"""`confide hub compact|check|repair|void|set-location|setup-sql` (docs/hub.md, docs/sync.md §10
and §15; README "Setting up a PostgreSQL hub").

compact needs no vault (it reads the team from the hub). check, repair and void run on a
computer of the team, with its vault: they compare the hub with this computer's own copies
of the entries it wrote and applied. Exit 0 when the hub is whole (check) or was made
whole (repair); EXIT_PROBLEMS with one line per problem otherwise.
"""

import sys
from collections.abc import Callable
from pathlib import Path

from app.cli.common import Input, hub_password, unlock
from app.errors import ValidationError
from app.resources import hub_setup_sql
from app.services.team import compaction
from app.services.team.hub_care import on_team_hub

EXIT_PROBLEMS = 4


def add_parser(sub, common) -> None:
    p = sub.add_parser("hub", help="the team's hub: compact (IT), check, repair, void an entry (manager), "
                                   "set-location (it moved, or its password changed), setup-sql (IT)")
    p.add_argument("action", choices=["compact", "check", "repair", "void", "set-location", "setup-sql"])
    p.add_argument("location", nargs="?", default=None, metavar="DIR_OR_OWNER_URL",
                   help="compact: the hub folder, or the PostgreSQL URL of the hub's owner role; "
                        "check/repair: another way to the same hub (repair of an entry before the end of "
                        "a PostgreSQL hub needs the owner's URL)")
    p.add_argument("--force", action="store_true",
                   help="compact even if a computer has not synced past the snapshot (it starts again from it)")
    p.add_argument("--entry", type=int, default=None, help="void: the hub entry's number")
    p.add_argument("--reason", default=None, help="void: why (every computer records it)")
    common(p, user=False)
    p.add_argument("--user", default=None, help="check/repair/void/set-location: your Confide user name")
    p.add_argument("--hub", default=None, metavar="DIR_OR_URL",
                   help="set-location: the hub's new folder or postgresql:// URL (checked before it is stored)")
    p.add_argument("--hub-password-stdin", action="store_true",
                   help="set-location: read the hub login's password from standard input (after the passphrase) "
                        "when the URL does not carry it; otherwise it is asked for")
    p.add_argument("--out", type=Path, default=None,
                   help="setup-sql: the file to write the PostgreSQL set-up script to (default: standard output)")


def cmd_hub(args, open_session: Callable) -> int:
    if args.action == "compact":
        return _compact(args)
    if args.action == "setup-sql":
        return _setup_sql(args)
    if args.action == "set-location":
        if not args.user or not args.hub:
            raise ValidationError("hub set-location needs --user and --hub (the new folder or postgresql:// URL).")
        return _set_location(args)
    if not args.user:
        raise ValidationError(f"hub {args.action} needs --user (it runs on a computer of the team).")
    if args.action == "void" and (args.entry is None or not args.reason):
        raise ValidationError("hub void needs --entry N and --reason \"why\".")
    session = open_session()
    try:
        if args.action == "check":
            return _print_check(on_team_hub.check_hub(session, args.location))
        if args.action == "repair":
            return _print_repair(on_team_hub.repair_hub(session, args.location))
        at = on_team_hub.void_entry(session, args.entry, args.reason)
        print(f"Entry {args.entry} is voided (decision at entry {at}); every computer passes over it at "
              "its next sync.")
        return 0
    finally:
        session.lock("cli")


def _compact(args) -> int:
    if not args.location:
        raise ValidationError("hub compact needs the hub folder or the owner's PostgreSQL URL.")
    hub = compaction.open_admin_hub(args.location)
    try:
        done = compaction.compact(hub, force=args.force)
    finally:
        hub.close()
    behind = f"; starting again from the snapshot: {', '.join(done.behind)}" if done.behind else ""
    print(f"compacted up to entry {done.upto}: {done.dropped} bundle entries dropped{behind}")
    return 0


def _print_check(report) -> int:
    print(f"hub check: {report.checked} entries read (the hub's last is {report.hub_end}; this computer "
          f"applied up to {report.applied} and holds {report.copies_held} copies)")
    for f in report.findings:
        print(f"problem: {f.words}", file=sys.stderr)
    if report.ok:
        print("The hub is whole: every entry and snapshot this computer knows of is there, unaltered.")
        return 0
    return EXIT_PROBLEMS


def _print_repair(result) -> int:
    put = ", ".join(str(s) for s in result.restored) or "none"
    print(f"hub repair: entries put back from this computer's copies: {put}"
          + (f"; new snapshot at entry {result.snapshot_written}" if result.snapshot_written else ""))
    for f in result.left:
        print(f"not repaired: {f.words}", file=sys.stderr)
    if result.left:
        return EXIT_PROBLEMS
    print("The hub is whole again; every computer carries on at its next sync.")
    return 0


def _set_location(args) -> int:
    from app.services.team import membership

    inp = Input(args.passphrase_stdin or args.hub_password_stdin)
    session = unlock(args, inp)
    try:
        where = membership.change_location(session, args.hub, hub_password(args, inp))
    finally:
        session.lock("cli")
    print(f"This computer now finds its team's hub at {where} (checked: it is this team's hub).")
    return 0


def _setup_sql(args) -> int:
    text = hub_setup_sql()
    if args.out is None:
        sys.stdout.write(text)
        return 0
    args.out.write_text(text, "utf-8")
    print(f"Wrote {args.out}. On the server, as the postgres account: "
          f"psql -v dbname=confide_<team> -f {args.out}")
    return 0
