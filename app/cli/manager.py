"""The manager's commands: the period report and subject access requests."""

import sys
from pathlib import Path

from app.cli.common import Input, unlock
from app.errors import ValidationError


def cmd_report(args) -> int:
    from app.domain import periods
    from app.domain.text import parse_date
    from app.pdf import secure
    from app.services import exports
    from app.services.reports import export as report_export
    from app.services.reports import figures as reports

    fmt = args.format or ("json" if args.out == "-" or str(args.out).endswith(".json") else "pdf")
    kind = report_export.kind_for(args.exact)
    if args.out == "-":
        if fmt != "json":
            raise ValidationError(f"Give --out FILE for a {fmt.upper()} report.")
        exports.refuse_clear_stream(kind)
    period = periods.custom(parse_date(args.start, "from", "The --from date", required=True),
                            parse_date(args.end, "to", "The --to date", required=True))
    inp = Input(args.passphrase_stdin or args.pdf_password_stdin)
    session = unlock(args, inp)
    try:
        password = inp.secret("PDF password: ") if args.pdf_password_stdin else None
        if password and not exports.must_encrypt(kind):
            raise ValidationError("The published report holds no personal data and is saved without a "
                                  "password; leave out --pdf-password-stdin, or add --exact.")
        if password:
            secure.check_password(password)  # before the slow part, not after it
        report = reports.build_report(session, period)
        written = []
        if args.csv:
            written.append(report_export.write_csv_dir(session, report, args.csv, exact=args.exact))
            password = password or written[-1].password
        if args.out == "-":
            sys.stdout.write(report_export.to_json_bytes(report).decode("utf-8") + "\n")
        else:
            written.append(report_export.export_report(session, report, Path(args.out), fmt, args.exact, password))
    finally:
        session.lock("cli")
    for item in written:
        what = "encrypted" if item.encrypted else "written"
        print(f"Report for {period.label} {what} to {item.path}.")
    made_up = next((w.password for w in written if w.password), None)
    if made_up:
        print(f"Password (send it separately): {made_up}")
    return 0


def cmd_sar(args) -> int:
    from datetime import date

    from app.services.sar import pack as sar_pack
    from app.services.sar import register as sar

    inp = Input(args.passphrase_stdin or args.pdf_password_stdin)
    if args.action == "export" and (not args.sar_id or not args.out):
        raise ValidationError("sar export needs --id and --out.")
    session = unlock(args, inp)
    try:
        if args.action == "list":
            today = date.today()
            for item in sar.list_sars(session):
                due = item.due_on or "-"
                print(f"{item.reference}\t{item.status}\t{item.received_on}\t{due}\t{item.timeliness(today)}")
            return 0
        password = inp.secret("PDF password: ") if args.pdf_password_stdin else None
        result = sar_pack.generate_pack(session, args.sar_id, args.out, password=password)
    finally:
        session.lock("cli")
    print(f"Response pack written to {result.path} ({result.items} records, {result.redactions} redactions).")
    print(f"SHA-256 {result.sha256}")
    if not args.pdf_password_stdin:
        print(f"PDF password (send it separately): {result.password}")
    return 0


COMMANDS = {"report": cmd_report, "sar": cmd_sar}
