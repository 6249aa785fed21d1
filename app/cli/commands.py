"""The command line (docs/architecture.md, "The command line"). The GUI is the product; this serves administrators, scripts
and tests, over the same services. Exit code 0 on success; otherwise one plain line on stderr.
"""

import argparse
import sys
from pathlib import Path

from app import __version__
from app.cli import lifecycle as cli_lifecycle
from app.cli import manager as cli_manager
from app.cli import national as cli_national
from app.cli import team as cli_team
from app.cli import vault as cli_vault
from app.cli.common import EXIT_ERROR, EXIT_USAGE, add_common
from app.config import default_data_dir
from app.domain.counting import plural
from app.errors import ConfideError
from app.security.hygiene import harden_process
from app.storage.db import DatabaseError


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
    add_common(p)
    p.add_argument("--full-name", required=True)
    p.add_argument("--service-name", default="SENDIASS")
    p.add_argument("--role", default="manager", choices=["manager"], help="the first account is always a manager")
    p.add_argument("--demo", action="store_true",
                   help="a vault for trying Confide with synthetic data ('confide demo'); never for real families")

    p = sub.add_parser("demo", help="add synthetic data (Faker en_GB) to a vault")
    add_common(p)
    p.add_argument("--cases", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--staff", type=int, default=6)

    p = sub.add_parser("verify", help="check page HMACs, structure, vault.json and the audit chain")
    add_common(p)
    p.add_argument("--against", type=Path, default=None, metavar="BACKUP",
                   help="also compare the audit trail with the head recorded in this backup")
    p.add_argument("--checkpoint", action="append", default=[], metavar="SEQ:HASH",
                   help="also compare with a checkpoint printed earlier (may be repeated)")

    p = sub.add_parser("audit", help="print the audit checkpoint to keep outside this computer")
    add_common(p)
    p.add_argument("action", choices=["checkpoint"])

    p = sub.add_parser("rekey", help="give the database a new key (manager)")
    add_common(p)

    p = sub.add_parser("new-recovery-key", help="make a new recovery key; the old one stops working (manager)")
    add_common(p)

    p = sub.add_parser("backup", help="write an encrypted backup file")
    add_common(p)
    p.add_argument("--out", type=Path, required=True)

    p = sub.add_parser("restore", help="restore a backup (staff passphrase, or the recovery key on a new computer)")
    add_common(p, user=False)
    p.add_argument("--from", dest="source", type=Path, required=True)
    p.add_argument("--user", default=None, help="restore with this account's passphrase")
    p.add_argument("--recovery-key-stdin", action="store_true", help="read the recovery key from standard input")

    p = sub.add_parser("recover", help="enrol this computer again with the recovery key")
    add_common(p, user=False)
    p.add_argument("--recovery-key-stdin", action="store_true")
    p.add_argument("--reset-user", default=None, help="also give this account a new passphrase")

    p = sub.add_parser("report", help="the service report for a period (PDF, JSON, CSV)")
    add_common(p)
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
    add_common(p)
    p.add_argument("action", choices=["list", "export"])
    p.add_argument("--id", dest="sar_id", help="the request's reference (SAR-2026-0007) or id")
    p.add_argument("--out", type=Path, help="where to write the encrypted PDF pack")
    p.add_argument("--pdf-password-stdin", action="store_true",
                   help="read the PDF password from standard input (after the passphrase)")

    p = sub.add_parser("staff", help="list or add staff accounts")
    add_common(p)
    p.add_argument("action", choices=["list", "add"])
    p.add_argument("--username")
    p.add_argument("--full-name")
    p.add_argument("--role", default="caseworker")

    cli_team.add_parsers(sub, add_common)
    cli_national.add_parsers(sub, add_common)
    cli_lifecycle.add_parsers(sub, add_common)
    return parser


# Options every command takes, which people also put before the command's name.
LEADING_OPTIONS = ("--data-dir", "--device-key-file")


def options_after_command(argv: list[str]) -> list[str]:
    """`--device-key-file F init ...` means `init --device-key-file F ...`. Left in front,
    argparse gives the value to the top-level option and the subcommand's own default (None)
    then overwrites it: the command would run without the key file it was told to use."""
    lead: list[str] = []
    rest = list(argv)
    while rest and rest[0].split("=", 1)[0] in LEADING_OPTIONS:
        take = 1 if "=" in rest[0] else 2
        lead, rest = lead + rest[:take], rest[take:]
    if lead and rest and not rest[0].startswith("-"):
        return [rest[0], *lead, *rest[1:]]
    return list(argv)


def main(argv: list[str] | None = None, self_test_extra=()) -> int:
    """`self_test_extra`: checks made outside app/ (main.py passes the GUI's display check)."""
    harden_process()
    parser = build_parser()
    args = parser.parse_args(options_after_command(sys.argv[1:] if argv is None else argv))
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





COMMANDS = {**cli_vault.COMMANDS, **cli_manager.COMMANDS}

COMMANDS.update(cli_team.COMMANDS)
COMMANDS.update(cli_national.COMMANDS)
COMMANDS.update(cli_lifecycle.COMMANDS)
