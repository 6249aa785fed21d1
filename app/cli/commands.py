"""The command line (DESIGN §5). The GUI is the product; this serves administrators, scripts
and tests, over the same services. Exit code 0 on success; otherwise one plain line on stderr.
"""

import argparse
import getpass
import sys
import warnings
from pathlib import Path

from app import __version__
from app.config import default_data_dir
from app.domain.counting import plural
from app.errors import ConfideError, ValidationError
from app.security.hygiene import harden_process
from app.storage.db import DatabaseError

EXIT_ERROR = 1
EXIT_USAGE = 2


class _Input:
    """Secrets come from stdin (one per line, in the order asked) or a prompt with no echo."""

    def __init__(self, use_stdin: bool):
        self.use_stdin = use_stdin
        self._lines = None

    def secret(self, prompt: str) -> str:
        if self.use_stdin:
            if self._lines is None:
                self._lines = iter(sys.stdin.read().splitlines())
            try:
                return next(self._lines)
            except StopIteration:
                raise ValidationError(f"Standard input ended before the {_what(prompt)} was given.") from None
        with warnings.catch_warnings():
            # With no terminal, getpass warns and then reads standard input with echo: a
            # passphrase must never be echoed, so that fallback is refused instead.
            warnings.simplefilter("error", getpass.GetPassWarning)
            try:
                return getpass.getpass(prompt)
            except (EOFError, getpass.GetPassWarning):
                raise ValidationError(f"No {_what(prompt)} was typed: there is no terminal to type it in, "
                                      "or input ended. Give it on standard input with --passphrase-stdin "
                                      "(or the command's other -stdin option).") from None


def _what(prompt: str) -> str:
    return prompt.strip().rstrip(":").strip().lower()


def _common(p: argparse.ArgumentParser, user: bool = True) -> None:
    p.add_argument("--data-dir", type=Path, default=None, help="vault folder (default: CONFIDE_DATA_DIR or the user data folder)")
    if user:
        p.add_argument("--user", required=True, help="your Confide user name")
    p.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase from the first line of standard input")
    p.add_argument("--device-key-file", default=None, metavar="PATH",
                   help="keep the device secret in this file instead of the OS credential store (weaker protection)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="confide", description="Confide: encrypted SENDIASS casework.")
    parser.add_argument("--version", action="version", version=f"confide {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="check that this installation can work: a throwaway vault in a temporary "
                             "folder, the credential store, encryption, PDFs (with --hub: a hub too)")
    parser.add_argument("--hub", default=None, metavar="DIR_OR_URL",
                        help="with --self-test: the hub folder or postgresql:// URL to check")
    parser.add_argument("--device-key-file", default=None, metavar="PATH",
                        help="with --self-test: this computer uses the device-key-file opt-in (weaker "
                             "protection) instead of a credential store; the file itself is not touched")
    sub = parser.add_subparsers(dest="command")

    p = sub.add_parser("init", help="set up a new vault with its first manager")
    _common(p)
    p.add_argument("--full-name", required=True)
    p.add_argument("--service-name", default="SENDIASS")
    p.add_argument("--role", default="manager", choices=["manager"], help="the first account is always a manager")
    p.add_argument("--demo", action="store_true",
                   help="a vault for trying Confide with synthetic data ('confide demo'); never for real families")

    p = sub.add_parser("demo", help="add synthetic data (Faker en_GB) to a vault")
    _common(p)
    p.add_argument("--cases", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--staff", type=int, default=6)

    p = sub.add_parser("verify", help="check page HMACs, structure, vault.json and the audit chain")
    _common(p)
    p.add_argument("--against", type=Path, default=None, metavar="BACKUP",
                   help="also compare the audit trail with the head recorded in this backup")
    p.add_argument("--checkpoint", action="append", default=[], metavar="SEQ:HASH",
                   help="also compare with a checkpoint printed earlier (may be repeated)")

    p = sub.add_parser("audit", help="print the audit checkpoint to keep outside this computer")
    _common(p)
    p.add_argument("action", choices=["checkpoint"])

    p = sub.add_parser("rekey", help="give the database a new key (manager)")
    _common(p)

    p = sub.add_parser("new-recovery-key", help="make a new recovery key; the old one stops working (manager)")
    _common(p)

    p = sub.add_parser("backup", help="write an encrypted backup file")
    _common(p)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("restore", help="restore a backup (staff passphrase, or the recovery key on a new computer)")
    _common(p, user=False)
    p.add_argument("--from", dest="source", type=Path, required=True)
    p.add_argument("--user", default=None, help="restore with this account's passphrase")
    p.add_argument("--recovery-key-stdin", action="store_true", help="read the recovery key from standard input")

    p = sub.add_parser("recover", help="enrol this computer again with the recovery key")
    _common(p, user=False)
    p.add_argument("--recovery-key-stdin", action="store_true")
    p.add_argument("--reset-user", default=None, help="also give this account a new passphrase")

    p = sub.add_parser("report", help="the service report for a period (PDF, JSON, CSV)")
    _common(p)
    p.add_argument("--from", dest="start", required=True, help="first day (dd/mm/yyyy or yyyy-mm-dd)")
    p.add_argument("--to", dest="end", required=True, help="last day, inclusive")
    p.add_argument("--out", default="-", help="output file ('-' for standard output, JSON only)")
    p.add_argument("--format", choices=["pdf", "json", "csv"], default=None)
    p.add_argument("--csv", type=Path, default=None, metavar="DIR",
                   help="also write one CSV per table (with --exact: one encrypted ZIP, DIR.zip)")
    p.add_argument("--exact", action="store_true",
                   help="internal version with exact small numbers and staff names: always encrypted "
                        "(AES-256 PDF, or an AES-256 ZIP for JSON and CSV)")
    p.add_argument("--pdf-password-stdin", action="store_true",
                   help="read the file's password from standard input (after the passphrase); "
                        "otherwise a new one is printed")

    p = sub.add_parser("sar", help="subject access requests: list, or export a response pack")
    _common(p)
    p.add_argument("action", choices=["list", "export"])
    p.add_argument("--id", dest="sar_id", help="the request's reference (SAR-2026-0007) or id")
    p.add_argument("--out", type=Path, help="where to write the encrypted PDF pack")
    p.add_argument("--pdf-password-stdin", action="store_true",
                   help="read the PDF password from standard input (after the passphrase)")

    p = sub.add_parser("staff", help="list or add staff accounts")
    _common(p)
    p.add_argument("action", choices=["list", "add"])
    p.add_argument("--username")
    p.add_argument("--full-name")
    p.add_argument("--role", default="caseworker")

    from app.cli import team as cli_team

    cli_team.add_parsers(sub, _common)
    return parser


def main(argv: list[str] | None = None, self_test_extra=()) -> int:
    """`self_test_extra`: checks made outside app/ (main.py passes the GUI's display check)."""
    harden_process()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        return cmd_self_test(args, self_test_extra)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    if args.data_dir is None:
        args.data_dir = default_data_dir()
    try:
        return COMMANDS[args.command](args)
    except ConfideError as exc:
        print(f"confide: {exc.message}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("confide: interrupted; nothing half-saved.", file=sys.stderr)
        return EXIT_ERROR
    except EOFError:
        # Any prompt not routed through _Input still ends in one plain line.
        print("confide: input ended before everything needed was given.", file=sys.stderr)
        return EXIT_ERROR
    except OSError as exc:
        print(f"confide: {exc.strerror or exc} ({exc.filename or ''})".rstrip(" ()"), file=sys.stderr)
        return EXIT_ERROR
    except DatabaseError as exc:
        # A damaged page met outside the paths that already explain it: still one plain line.
        print(f"confide: The database could not be read ({exc}). Run 'confide verify' for details, "
              "or restore the latest backup.", file=sys.stderr)
        return EXIT_ERROR


def cmd_self_test(args, extra=()) -> int:
    from app.services.selftest.install import run_self_test

    checks = run_self_test(args.device_key_file, args.hub, extra)
    for check in checks:
        print(check.line(), flush=True)
    failed = [c for c in checks if not c.ok]
    print("Every check passed: Confide can work on this computer." if not failed
          else f"{plural(len(failed), 'check')} failed: see the FAIL lines above.")
    return EXIT_ERROR if failed else 0


def _weaker_notice(args) -> None:
    """Shown whenever the device secret comes from a file: named on the command line, or
    configured in vault.json at set-up (the more common case, and so the one to remind of)."""
    key_file = args.device_key_file
    if not key_file and getattr(args, "data_dir", None) is not None:
        from app.services.vault.unlock import vault_summary

        try:
            key_file = vault_summary(args.data_dir).device_key_file
        except ConfideError:
            key_file = None  # no vault yet, or a damaged one: the command itself says so
    if key_file:
        print("Weaker protection: the device secret is kept in a file, not the OS credential store.",
              file=sys.stderr)


def _unlock(args, inp: _Input):
    from app.services.vault import unlock as vault

    _weaker_notice(args)
    return vault.unlock(args.data_dir, args.user, inp.secret("Passphrase: "), args.device_key_file)


def cmd_init(args) -> int:
    from app.security.device import store_for
    from app.services.vault import unlock as vault

    inp = _Input(args.passphrase_stdin)
    passphrase = inp.secret("Choose a passphrase: ")
    if not args.passphrase_stdin and passphrase != inp.secret("Type it again: "):
        raise ValidationError("The two passphrases differ.")
    _weaker_notice(args)
    session, recovery_key = vault.create_vault(args.data_dir, args.service_name, args.user,
                                               args.full_name, passphrase, store_for(args.device_key_file))
    try:
        if args.demo:
            from app.services.demo import build as demo

            demo.mark_demo_vault(session)
    finally:
        session.lock("init")
    print(f"Vault created in {args.data_dir} for {args.user} (manager){' as a demo vault' if args.demo else ''}.")
    print("RECOVERY KEY (shown once; print it or write it down and keep it locked away):")
    print(recovery_key)
    return 0


def cmd_demo(args) -> int:
    from app.services.demo import build as demo
    from app.storage import db

    # Synthetic data only (populate refuses a vault with real records), so this process may
    # skip SQLCipher's per-allocation wipe and lock, which costs most of a large demo's time.
    db.synthetic_data_process()
    session = _unlock(args, _Input(args.passphrase_stdin))
    try:
        summary = demo.populate(session, staff=args.staff, cases=args.cases, seed=args.seed)
    finally:
        session.lock("cli")
    print(summary)
    return 0


def cmd_verify(args) -> int:
    from app.services.vault.verify import verify_vault

    _weaker_notice(args)
    report = verify_vault(args.data_dir, args.user, _Input(args.passphrase_stdin).secret("Passphrase: "),
                          args.device_key_file, against=args.against, checkpoints=args.checkpoint)
    for line in report.lines:
        print(line)
    if not report.ok:
        print("confide: verification failed (see above).", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_backup(args) -> int:
    from app.services.vault.backup import create_backup

    session = _unlock(args, _Input(args.passphrase_stdin))
    try:
        manifest = create_backup(session, args.out)
    finally:
        session.lock("cli")
    print(f"Backup written to {args.out} (schema {manifest['schema_version']}, "
          f"{manifest['audit_head']['seq']} audit events).")
    return 0


def cmd_restore(args) -> int:
    from app.services.vault.backup import restore_backup

    inp = _Input(args.passphrase_stdin or args.recovery_key_stdin)
    if args.recovery_key_stdin or not args.user:
        key = inp.secret("Recovery key: ")
        kept = restore_backup(args.data_dir, args.source, recovery_key=key, device_key_file=args.device_key_file)
    else:
        kept = restore_backup(args.data_dir, args.source, username=args.user,
                              passphrase=inp.secret("Passphrase: "), device_key_file=args.device_key_file)
    print(f"Restored {args.source} into {args.data_dir}.")
    if kept:
        print(f"The database it replaced is kept in {kept}.")
    return 0


def cmd_recover(args) -> int:
    from app.services.vault.unlock import recover

    inp = _Input(args.passphrase_stdin or args.recovery_key_stdin)
    key = inp.secret("Recovery key: ")
    new = inp.secret("New passphrase: ") if args.reset_user else None
    reset = recover(args.data_dir, key, args.device_key_file, args.reset_user, new)
    print("This computer is enrolled again; every account's passphrase works as before.")
    if reset:
        print(f"{reset} has a new passphrase.")
    return 0


def cmd_staff(args) -> int:
    from app.services.vault import staff

    inp = _Input(args.passphrase_stdin)
    session = _unlock(args, inp)
    try:
        if args.action == "list":
            for m in staff.list_staff(session):
                state = "" if m.active else " (disabled)"
                print(f"{m.username}\t{m.role.value}\t{m.full_name}{state}")
        else:
            if not args.username or not args.full_name:
                raise ValidationError("staff add needs --username and --full-name.")
            staff.add_staff(session, args.username, args.full_name, args.role,
                            inp.secret("Temporary passphrase: "))
            print(f"Added {args.username} ({args.role}); they choose their own passphrase at first unlock.")
    finally:
        session.lock("cli")
    return 0


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
    inp = _Input(args.passphrase_stdin or args.pdf_password_stdin)
    session = _unlock(args, inp)
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

    from app.services.sar import register as sar
    from app.services.sar import pack as sar_pack

    inp = _Input(args.passphrase_stdin or args.pdf_password_stdin)
    if args.action == "export" and (not args.sar_id or not args.out):
        raise ValidationError("sar export needs --id and --out.")
    session = _unlock(args, inp)
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


def cmd_audit(args) -> int:
    from app.services.vault import checkpoint

    session = _unlock(args, _Input(args.passphrase_stdin))
    try:
        current = checkpoint.current_checkpoint(session)
    finally:
        session.lock("cli")
    print(current.text)
    print(f"Audit checkpoint of {current.service_name} at {current.taken_at} UTC: keep it away from "
          "this computer; 'confide verify --checkpoint' compares with it.", file=sys.stderr)
    return 0


def cmd_rekey(args) -> int:
    from app.services.vault import staff

    session = _unlock(args, _Input(args.passphrase_stdin))
    try:
        staff.rekey(session)
        generation = session.vault.generation
    finally:
        session.lock("cli")
    print(f"The database has a new key (key generation {generation}); every active account's "
          "slot was sealed again.")
    return 0


def cmd_new_recovery_key(args) -> int:
    from app.services.vault.recovery import renew_recovery_key

    session = _unlock(args, _Input(args.passphrase_stdin))
    try:
        key = renew_recovery_key(session)
    finally:
        session.lock("cli")
    print("NEW RECOVERY KEY (shown once; the old one no longer opens this vault):")
    print(key)
    return 0


COMMANDS = {"audit": cmd_audit, "rekey": cmd_rekey, "new-recovery-key": cmd_new_recovery_key, "sar": cmd_sar, "report": cmd_report, "init": cmd_init, "demo": cmd_demo, "verify": cmd_verify, "backup": cmd_backup,
            "restore": cmd_restore, "recover": cmd_recover, "staff": cmd_staff}


def _team_commands() -> None:
    from app.cli import team as cli_team

    COMMANDS.update(cli_team.COMMANDS)


_team_commands()
