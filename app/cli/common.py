"""What every subcommand shares: the common options, secrets read without echo, the weaker
protection notice and signing in."""

import argparse
import getpass
import sys
import warnings
from pathlib import Path

from app.errors import ConfideError, ValidationError
from app.services.vault import unlock as vault
from app.services.vault.unlock import vault_summary

EXIT_ERROR = 1
EXIT_USAGE = 2


class Input:
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
                raise ValidationError(f"Standard input ended before the {what(prompt)} was given.") from None
        with warnings.catch_warnings():
            # With no terminal, getpass warns and then reads standard input with echo: a
            # passphrase must never be echoed, so that fallback is refused instead.
            warnings.simplefilter("error", getpass.GetPassWarning)
            try:
                return getpass.getpass(prompt)
            except (EOFError, getpass.GetPassWarning):
                raise ValidationError(f"No {what(prompt)} was typed: there is no terminal to type it in, "
                                      "or input ended. Give it on standard input with --passphrase-stdin "
                                      "(or the command's other -stdin option).") from None


def what(prompt: str) -> str:
    return prompt.strip().rstrip(":").strip().lower()


def add_common(p: argparse.ArgumentParser, user: bool = True) -> None:
    p.add_argument("--data-dir", type=Path, default=None, help="vault folder (default: CONFIDE_DATA_DIR or the user data folder)")
    if user:
        p.add_argument("--user", required=True, help="your Confide user name")
    p.add_argument("--passphrase-stdin", action="store_true", help="read the passphrase from the first line of standard input")
    p.add_argument("--device-key-file", default=None, metavar="PATH",
                   help="keep the device secret in this file instead of the OS credential store (weaker protection)")


def weaker_notice(args) -> None:
    """Shown whenever the device secret comes from a file: named on the command line, or
    configured in vault.json at set-up (the more common case, and so the one to remind of)."""
    key_file = args.device_key_file
    if not key_file and getattr(args, "data_dir", None) is not None:
        try:
            key_file = vault_summary(args.data_dir).device_key_file
        except ConfideError:
            key_file = None  # no vault yet, or a damaged one: the command itself says so
    if key_file:
        print("Weaker protection: the device secret is kept in a file, not the OS credential store.",
              file=sys.stderr)


def unlock(args, inp: Input):
    weaker_notice(args)
    return vault.unlock(args.data_dir, args.user, inp.secret("Passphrase: "), args.device_key_file)


def hub_password(args, inp: Input) -> str | None:
    """The hub login's password when the postgresql:// URL lacks it (None otherwise)."""
    from app.storage.hub.location import lacks_password, postgres_user

    if not lacks_password(args.hub):
        return None
    return inp.secret(f"Hub password for {postgres_user(args.hub) or 'the login'}: ")
