"""The laptop commands: checkout, checkout list, checkout release, checkin.
Same conventions as the rest of the CLI: one plain line on stderr and exit 1 on failure;
exit 4 when a check-out is still waiting for an office computer to answer."""

from app.cli.common import Input, unlock

EXIT_WAITING = 4


def add_parsers(sub, common) -> None:
    p = sub.add_parser("checkout", help="take cases out on this laptop; list what is out; release a lost laptop's")
    p.add_argument("action", nargs="?", choices=["list", "release"], default=None,
                   help="list: what is out (all laptops); release: a lost laptop's cases (manager)")
    common(p)
    p.add_argument("--cases", default=None, help="case references, comma-separated (CAS-2026-00012,...), or 'mine': all your open cases")
    p.add_argument("--days", type=int, default=None, help="days until due back (default: the team's setting)")
    p.add_argument("--wait", type=float, default=60.0,
                   help="seconds to wait for an office computer to send the cases (default 60)")
    p.add_argument("--device", default=None, help="release: the lost laptop's name or id")

    p = sub.add_parser("checkin", help="bring this laptop's cases back and erase them from it")
    common(p)
    p.add_argument("--cases", default=None, help="only these references (default: every case out here)")
    p.add_argument("--wait", type=float, default=60.0,
                   help="seconds to wait for every office computer to apply this laptop's changes (default 60)")


def _session(args):
    return unlock(args, Input(args.passphrase_stdin))


def cmd_checkout(args) -> int:
    from app.errors import ValidationError
    from app.services.team.laptop import checkout, lost

    if args.action is None and not args.cases:
        raise ValidationError("checkout needs --cases (case references, comma-separated).")
    if args.action == "release" and not args.device:
        raise ValidationError("checkout release needs --device (the lost laptop's name or id).")
    refs = [] if args.action is not None else (
        [checkout.MINE] if args.cases.strip().lower() == "mine" else checkout.parse_refs(args.cases))
    session = _session(args)
    try:
        if args.action == "list":
            rows = checkout.list_checkouts(session)
            for c in rows:
                flag = "\tOVERDUE" if c.overdue else ""
                print(f"{c.case_ref}\t{c.state}\t{c.where() if c.state == 'out' else 'requested by ' + c.staff}{flag}")
            if not rows:
                print("No cases are out on laptops.")
            return 0
        if args.action == "release":
            for case in lost.release_lost(session, args.device):
                print(case.line())
            print(f"{args.device} was removed from the team and its cases released.")
            return 0
        result = checkout.check_out(session, refs, args.days, wait=args.wait)
    finally:
        session.lock("cli")
    for ref in result.out:
        print(f"{ref} is on this laptop.")
    for line in result.refused:
        print(f"refused: {line}")
    if result.waiting:
        print(f"Still waiting for an office computer to send {', '.join(result.waiting)}: run "
              "`confide checkout` again (or `confide sync`) when one has synced.")
        return EXIT_WAITING
    return 0


def cmd_checkin(args) -> int:
    from app.services.team.laptop import checkout

    session = _session(args)
    try:
        ids = None
        if args.cases:
            refs = checkout.parse_refs(args.cases)
            mine = {c.case_ref: c.case_id for c in checkout.list_checkouts(session, device_only=True)}
            ids = [mine[r] for r in refs if r in mine]
            if not ids:
                from app.errors import ValidationError

                raise ValidationError("None of those cases is out on this laptop.")
        result = checkout.check_in(session, ids, wait=args.wait)
    finally:
        session.lock("cli")
    print(f"Checked in: {', '.join(result.returned) or 'nothing was out'}; "
          f"{result.erased_rows} records erased from this laptop and its file compacted.")
    return 0


COMMANDS = {"checkout": cmd_checkout, "checkin": cmd_checkin}
