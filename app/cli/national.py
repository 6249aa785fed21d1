"""The national picture from the command line (docs/national.md): mapping the old levels of
support (a dry run unless --apply), the inactivity period and its sweep, and the national return."""

from pathlib import Path

from app.cli.common import Input, unlock
from app.domain import periods
from app.domain.intervention import level_label
from app.domain.text import parse_date
from app.errors import ValidationError
from app.services.national import levels, states
from app.services.reports import figures as reports
from app.services.reports import national_return


def add_parsers(sub, common) -> None:
    p = sub.add_parser("levels", help="map the old levels of support to the network's (a dry run unless --apply)")
    common(p)
    p.add_argument("--map", dest="pairs", action="append", default=[], metavar="OLD=LEVEL",
                   help="for example advice=level_2; repeat for each old level to map")
    p.add_argument("--apply", action="store_true", help="apply the mapping (after showing the dry run)")

    p = sub.add_parser("inactive", help="the period with no contact after which a case becomes inactive")
    common(p)
    p.add_argument("--days", type=int, default=None, help="set the period (manager)")
    p.add_argument("--sweep", action="store_true", help="make inactive every open case past the period")

    p = sub.add_parser("return", help="the national return for a period (PDF or CSV, small numbers suppressed)")
    common(p)
    p.add_argument("--from", dest="start", required=True, help="first day (dd/mm/yyyy or yyyy-mm-dd)")
    p.add_argument("--to", dest="end", required=True, help="last day, inclusive")
    p.add_argument("--out", type=Path, required=True, help="the file to write")
    p.add_argument("--format", choices=national_return.FORMATS, default=None,
                   help="default: from the file's name (.csv), else pdf")


def _pairs(raw: list[str]) -> dict[str, str]:
    pairs = {}
    for item in raw:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise ValidationError(f"Write each mapping as OLD=LEVEL (for example advice=level_2), not {item!r}.")
        pairs[old.strip()] = new.strip()
    return pairs


def cmd_levels(args) -> int:
    pairs = _pairs(args.pairs)
    if args.apply and not pairs:
        raise ValidationError("Give the mapping with --map OLD=LEVEL before --apply.")
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        plan = levels.plan_level_mapping(session, pairs)
        print("Dry run (nothing changed):" if not args.apply else "The mapping:")
        for old, count, new in plan.rows:
            print(f"  {old}: {count} case{'s' if count != 1 else ''} -> {level_label(new) if new else 'left as it is'}")
        if args.apply:
            levels.apply_level_mapping(session, pairs, confirmed=True)
            print(f"Applied: {plan.cases} case{'s' if plan.cases != 1 else ''} now at the network's levels.")
        else:
            print(f"{plan.cases} case{'s' if plan.cases != 1 else ''} would change. Run again with --apply to apply it.")
    finally:
        session.lock("cli")
    return 0


def cmd_inactive(args) -> int:
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        if args.days is not None:
            states.set_inactive_after_days(session, args.days)
        print(f"A case with no contact for {states.inactive_after_days(session)} days becomes inactive.")
        if args.sweep:
            changed = states.sweep_inactive(session)
            print(f"{len(changed)} case{'s' if len(changed) != 1 else ''} made inactive"
                  + (f": {', '.join(changed)}" if changed else "."))
    finally:
        session.lock("cli")
    return 0


def cmd_return(args) -> int:
    fmt = args.format or ("csv" if args.out.suffix.lower() == ".csv" else "pdf")
    period = periods.custom(parse_date(args.start, "from", "The --from date", required=True),
                            parse_date(args.end, "to", "The --to date", required=True))
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        written = national_return.export_return(session, reports.build_report(session, period), args.out, fmt)
    finally:
        session.lock("cli")
    print(f"National return for {period.label} written to {written.path}.")
    return 0


COMMANDS = {"levels": cmd_levels, "inactive": cmd_inactive, "return": cmd_return}
