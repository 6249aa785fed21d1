"""The team commands of the command line: team create|invite|join, sync,
conflicts, device. Registered into app/cli/commands.py's parser; same conventions (one plain line on
stderr, exit 1; exit 3 from sync when conflicts wait for a person)."""

import sys
from pathlib import Path

from app.cli import checkout as cli_checkout
from app.cli import hub as cli_hub
from app.cli import pending as cli_pending
from app.cli.common import Input, hub_password, unlock, weaker_notice

EXIT_CONFLICTS = 3
EXIT_BLOCKED = 4


def add_parsers(sub, common) -> None:
    p = sub.add_parser("team", help="create a team, invite a computer, or join one")
    p.add_argument("action", choices=["create", "invite", "join", "give-manager", "take-manager"])
    common(p, user=False)
    p.add_argument("--user", default=None, help="your Confide user name")
    p.add_argument("--hub", default=None, metavar="DIR_OR_URL",
                   help="create: the empty hub folder or postgresql:// URL; join: a different path "
                        "to the same hub than the invitation gives")
    p.add_argument("--name", default=None, help="create: the team's name (default: the service's name)")
    p.add_argument("--device", default=None, help="invite: the new computer's name; create: this one's")
    p.add_argument("--manager-computer", action="store_true",
                   help="invite: the new computer may change the team's computers too")
    p.add_argument("--laptop", action="store_true",
                   help="invite: a laptop, which holds only the cases checked out to it")
    p.add_argument("--out", type=Path, default=None, help="invite: where to write the invitation file")
    p.add_argument("--from", dest="source", type=Path, default=None, help="join: the invitation file")
    p.add_argument("--code-stdin", action="store_true",
                   help="join: read the one-time code from standard input (after the passphrase)")
    p.add_argument("--colleague", default=None,
                   help="give-manager/take-manager: the colleague's user name (their right to change the team)")
    p.add_argument("--hub-password-stdin", action="store_true",
                   help="create: read the hub login's password from standard input (after the passphrase) "
                        "when the postgresql:// URL does not carry it; otherwise it is asked for")

    p = sub.add_parser("sync", help="pull, rebase and push with the team's hub")
    common(p)

    p = sub.add_parser("conflicts", help="list or resolve changes that clashed with a colleague's")
    p.add_argument("action", choices=["list", "resolve"])
    common(p)
    p.add_argument("--id", dest="conflict_id", default=None)
    p.add_argument("--take", choices=["mine", "theirs"], default=None)

    cli_hub.add_parser(sub, common)

    p = sub.add_parser("device", help="list the team's computers, or remove one")
    p.add_argument("action", choices=["list", "revoke"])
    common(p)
    p.add_argument("--device", default=None, help="the computer's name or id")

    cli_checkout.add_parsers(sub, common)
    cli_pending.add_parsers(sub, common)


def _session(args, inp):
    return unlock(args, inp)


def cmd_team(args) -> int:
    from app.errors import ValidationError
    from app.services.team import membership

    if args.action == "join":
        return _join(args)
    if not args.user:
        raise ValidationError(f"team {args.action} needs --user.")
    if args.action == "create" and not args.hub:
        raise ValidationError("team create needs --hub (an empty folder, or a postgresql:// URL).")
    if args.action == "invite" and (not args.device or not args.out):
        raise ValidationError("team invite needs --device (the new computer's name) and --out (the file).")
    if args.action in ("give-manager", "take-manager") and not args.colleague:
        raise ValidationError(f"team {args.action} needs --colleague (their user name).")
    inp = Input(args.passphrase_stdin or args.hub_password_stdin)
    session = _session(args, inp)
    try:
        if args.action in ("give-manager", "take-manager"):
            give = args.action == "give-manager"
            membership.set_manager_rights(session, args.colleague, give)
            print(f"{args.colleague} {'may now' if give else 'may no longer'} change the team "
                  "(signed by you; every computer follows at its next sync).")
            return 0
        if args.action == "create":
            from app.storage.hub.location import describe_location

            team_id = membership.create(session, args.hub, args.name, args.device or "Office computer 1",
                                        hub_password(args, inp))
            print(f"Team created (id {team_id}); its hub is {describe_location(args.hub)}.")
            return 0
        code = membership.invite(session, args.device, args.out, manager=args.manager_computer,
                                 laptop=args.laptop)
        expires = next((d.invitation_expires for d in membership.device_list(session)
                        if d.name == args.device.strip() and not d.revoked), None)
    finally:
        session.lock("cli")
    print(f"Invitation for {args.device} written to {args.out}.")
    if expires:
        print(f"It works once, until {expires[:10]} {expires[11:16]} UTC.")
    print("ONE-TIME CODE (shown once; give it to the person joining separately from the file):")
    print(code)
    return 0


def _join(args) -> int:
    from app.errors import ValidationError
    from app.security.device import store_for
    from app.services.team import membership

    if not args.source or not args.user:
        raise ValidationError("team join needs --from (the invitation file) and --user (your user name).")
    if not args.source.is_file():
        raise ValidationError(f"There is no invitation file at {args.source}.")
    inp = Input(args.passphrase_stdin or args.code_stdin)
    passphrase = inp.secret("Your passphrase: ")
    code = inp.secret("Invitation code: ")
    weaker_notice(args)
    session = membership.join(args.data_dir, args.source, code, args.user, passphrase,
                              store_for(args.device_key_file), args.hub)
    try:
        from app.services.team import search_build, state

        name = state.get(session.conn, "team_name")
        seq = state.last_applied(session.conn)
        print(f"This computer joined {name} and is up to date with the hub (entry {seq}).", flush=True)
        if session.must_change_passphrase:
            # Joined all the same: the window asks for their own passphrase at the first sign-in
            # and builds the search index then.
            print("You signed in with the temporary passphrase a manager gave you: Confide asks you to "
                  "choose your own when you first open it on this computer.")
        elif search_build.status(session) is not None:
            # Ready to use now; the search index is built before the command ends (the window
            # would build it in the background).
            print("Building the search index...", flush=True)
            search_build.build_rest(session)
            print("The search index is complete.")
    finally:
        session.lock("cli")
    return 0


def cmd_sync(args) -> int:
    from app.services.team import membership, search_build

    session = _session(args, Input(args.passphrase_stdin))
    try:
        result = membership.sync(session)
        # After a restart from a snapshot (a forced compaction) the search index is rebuilt.
        search_build.build_rest(session)
    finally:
        session.lock("cli")
    print(f"pulled {result.pulled}, pushed {result.pushed}, conflicts {result.conflicts}")
    for reason in result.refused:
        # A manager's void, or a row a laptop could not write (laptop/sync_step.py).
        voided = " was voided by " in reason
        print(f"passed over (voided by a manager): {reason}" if voided else f"refused: {reason}")
    for words in result.others_stopped:
        print(f"confide: {words}", file=sys.stderr)
    for words in result.notices:
        print(f"note: {words}")     # said, nothing to decide (docs/sync.md §12)
    for problem in result.audit_breaks:
        print(f"confide: audit trail broken: {problem}", file=sys.stderr)
    if result.blocked:
        print(f"confide: {result.blocked}", file=sys.stderr)
        return EXIT_BLOCKED
    if result.others_stopped:
        return EXIT_BLOCKED
    if result.audit_breaks:
        return 1
    return EXIT_CONFLICTS if result.conflicts else 0


def cmd_conflicts(args) -> int:
    from app.errors import ValidationError
    from app.services.team import conflicts

    if args.action == "resolve" and (not args.conflict_id or not args.take):
        raise ValidationError("conflicts resolve needs --id and --take mine|theirs.")
    session = _session(args, Input(args.passphrase_stdin))
    try:
        if args.action == "resolve":
            conflicts.resolve_conflict(session, args.conflict_id, take=args.take)
            print(f"Conflict {args.conflict_id} resolved ({args.take}); sync to share the result.")
            return 0
        for c in conflicts.list_conflicts(session):
            print(f"{c.id}\t{c.kind}\t{c.table}\t{c.record_id}\t{','.join(c.fields)}\t"
                  f"mine: {c.mine_by} {c.mine_at}\ttheirs: {c.theirs_by} {c.theirs_at}")
    finally:
        session.lock("cli")
    return 0


def cmd_device(args) -> int:
    from app.errors import ValidationError
    from app.services.team import membership

    if args.action == "revoke" and not args.device:
        raise ValidationError("device revoke needs --device (the computer's name or id).")
    session = _session(args, Input(args.passphrase_stdin))
    try:
        if args.action == "revoke":
            epoch = membership.revoke(session, args.device)
            print(f"{args.device} was removed from the team; the team's data is now under key {epoch}.")
            return 0
        for d in membership.device_list(session):
            status = ("removed" if d.revoked else "this computer" if d.this_computer
                      else f"invitation not used yet (expires {d.invitation_expires[:16]} UTC)" if not d.joined
                      else "up to date with the key" if d.on_current_key else "not yet re-keyed for the new key")
            if d.invitation_reused:
                again = "once" if d.invitation_reused == 1 else f"{d.invitation_reused} times"
                status += f"; its invitation was used again {again}: refused, already joined"
            if d.blocked and not d.revoked:
                status = f"SYNC STOPPED: {d.blocked}"
            print(f"{d.index}\t{d.name}\t{'manager' if d.manager else 'staff'}\t{status}\t{d.device_id}")
    finally:
        session.lock("cli")
    return 0


def cmd_hub(args) -> int:
    return cli_hub.cmd_hub(args, lambda: _session(args, Input(args.passphrase_stdin)))


COMMANDS = {"hub": cmd_hub, "team": cmd_team, "sync": cmd_sync, "conflicts": cmd_conflicts, "device": cmd_device}


def _laptop_commands() -> None:
    COMMANDS.update(cli_checkout.COMMANDS)
    COMMANDS.update(cli_pending.COMMANDS)


_laptop_commands()

