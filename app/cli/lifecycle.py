"""The data lifecycle commands (docs/lifecycle.md): the retention schedule and review,
erasure, and importing a previous system's CSV export. Same conventions as the other
commands: one plain line on stderr and a non-zero exit when something is refused."""

import sys
from pathlib import Path

from app.cli.common import Input, unlock
from app.domain.text import parse_date
from app.errors import ValidationError
from app.services.lifecycle import erase as eraser
from app.services.lifecycle import review, schedule
from app.services.lifecycle.importer import run as importer
from app.services.lifecycle.importer.fields import KINDS

EXIT_REJECTED = 1


def add_parsers(sub, common) -> None:
    p = sub.add_parser("retention", help="the retention schedule (show, set) and the review list (manager)")
    p.add_argument("action", choices=["show", "set", "review"])
    common(p)
    p.add_argument("--kind", choices=["closed_case", "enquiry", "mailing_list"], help="set: which kind of record")
    p.add_argument("--years", default=None, help="set: years kept")
    p.add_argument("--until-age", default=None, help="set (closed cases): kept at least until this age")
    p.add_argument("--on", default=None, help="review: as on this date (default today)")

    p = sub.add_parser("erase", help="erase records everywhere (manager): cases, enquiries or mailing entries")
    common(p)
    p.add_argument("--kind", required=True, choices=["case", "enquiry"])
    p.add_argument("--ref", action="append", required=True, help="a case or enquiry reference (repeat for more)")
    p.add_argument("--reason", required=True, help="why (kept in the audit trail; never name the family)")

    p = sub.add_parser("import", help="import a previous system's CSV files (manager); --dry-run checks only")
    common(p)
    p.add_argument("--folder", type=Path, default=None,
                   help="a folder holding people.csv, enquiries.csv, cases.csv, notes.csv, consents.csv")
    for kind in KINDS:
        p.add_argument(f"--{kind}", type=Path, default=None, help=f"the {kind} CSV file")
    p.add_argument("--dry-run", action="store_true", help="check every row and name each one rejected; write nothing")


def _files(args) -> dict[str, Path]:
    files = {}
    for kind in KINDS:
        given = getattr(args, kind)
        if given is None and args.folder is not None and (args.folder / f"{kind}.csv").exists():
            given = args.folder / f"{kind}.csv"
        if given is not None:
            files[kind] = given
    if not files:
        raise ValidationError("Give --folder with the CSV files, or --people, --cases ... for each file.")
    return files


def cmd_import(args) -> int:
    files = _files(args)
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        mappings = importer.mapping_for(session, files)
        plan = importer.dry_run(session, files, mappings)
        for r in plan.rejections:
            print(f"rejected: {r.sentence()}")
        counts = ", ".join(f"{n:,} {k}" for k, n in plan.counts().items() if k in files)
        if args.dry_run:
            print(f"Dry run: {counts} would be imported; {len(plan.rejections):,} rows rejected. Nothing was written.")
            return EXIT_REJECTED if plan.rejections else 0
        if plan.rejections:
            print(f"confide: Nothing was imported: {len(plan.rejections):,} rows would be rejected (listed above).",
                  file=sys.stderr)
            return EXIT_REJECTED
        done = importer.import_files(session, files, mappings)
        importer.save_mapping(session, mappings)
        print("Imported " + ", ".join(f"{n:,} {k}" for k, n in done.items() if k in files) + ".")
        return 0
    finally:
        session.lock("cli")


def cmd_retention(args) -> int:
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        if args.action == "set":
            if not args.kind:
                raise ValidationError("Give --kind closed_case, enquiry or mailing_list.")
            schedule.set_rule(session, args.kind, args.years, args.until_age)
        if args.action in ("show", "set"):
            for line in schedule.describe_schedule(session):
                print(line)
            return 0
        on = parse_date(args.on, "on", "The --on date") if args.on else None
        due = review.list_due(session, on)
        for d in due:
            blocked = f"  [cannot be erased: {' and '.join(d.blocked_by)}]" if d.blocked_by else ""
            print(f"{d.reference}\t{d.kind}\tdue {d.due_on:%d/%m/%Y}\t{d.basis}{blocked}")
        print(f"{len(due):,} records past their retention date.")
        return 0
    finally:
        session.lock("cli")


def cmd_erase(args) -> int:
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        table = "casefile" if args.kind == "case" else "enquiry"
        ids = []
        for ref in args.ref:
            row = session.conn.execute(f"SELECT id FROM {table} WHERE reference = ?", (ref,)).fetchone()
            if row is None:
                raise ValidationError(f"There is no {args.kind} with the reference {ref}.")
            ids.append(row[0])
        done = eraser.erase(session, args.kind, ids, args.reason)
        print(f"Erased {done.records} {args.kind}{'s' if done.records != 1 else ''} ({done.rows:,} rows) on this "
              "computer. The others carry it out at their next sync; then write a snapshot and run "
              "'confide hub compact --force' so the hub's history loses it too.")
        return 0
    finally:
        session.lock("cli")


COMMANDS = {"import": cmd_import, "retention": cmd_retention, "erase": cmd_erase}
