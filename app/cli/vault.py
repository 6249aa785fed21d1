"""The vault commands: init, demo, verify, backup, restore, recover, staff, audit, rekey and
new-recovery-key. One plain line on stderr and exit 1 on failure (app/cli/commands.py)."""

import sys

from app.cli.common import EXIT_ERROR, Input, unlock, weaker_notice
from app.errors import ValidationError
from app.services.vault import unlock as vault


def cmd_init(args) -> int:
    from app.security.device import store_for
    inp = Input(args.passphrase_stdin)
    passphrase = inp.secret("Choose a passphrase: ")
    if not args.passphrase_stdin and passphrase != inp.secret("Type it again: "):
        raise ValidationError("The two passphrases differ.")
    weaker_notice(args)
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
    session = unlock(args, Input(args.passphrase_stdin))
    try:
        summary = demo.populate(session, staff=args.staff, cases=args.cases, seed=args.seed)
    finally:
        session.lock("cli")
    print(summary)
    return 0


def cmd_verify(args) -> int:
    from app.services.vault.verify import verify_vault

    weaker_notice(args)
    report = verify_vault(args.data_dir, args.user, Input(args.passphrase_stdin).secret("Passphrase: "),
                          args.device_key_file, against=args.against, checkpoints=args.checkpoint)
    for line in report.lines:
        print(line)
    if not report.ok:
        print("confide: verification failed (see above).", file=sys.stderr)
        return EXIT_ERROR
    return 0


def cmd_backup(args) -> int:
    from app.services.vault.backup import create_backup

    session = unlock(args, Input(args.passphrase_stdin))
    try:
        manifest = create_backup(session, args.out)
    finally:
        session.lock("cli")
    print(f"Backup written to {args.out} (schema {manifest['schema_version']}, "
          f"{manifest['audit_head']['seq']} audit events).")
    return 0


def cmd_restore(args) -> int:
    from app.services.vault.restore import restore_backup

    inp = Input(args.passphrase_stdin or args.recovery_key_stdin)
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
    from app.services.vault.recovery import recover

    inp = Input(args.passphrase_stdin or args.recovery_key_stdin)
    key = inp.secret("Recovery key: ")
    new = inp.secret("New passphrase: ") if args.reset_user else None
    reset = recover(args.data_dir, key, args.device_key_file, args.reset_user, new)
    print("This computer is enrolled again; every account's passphrase works as before.")
    if reset:
        print(f"{reset} has a new passphrase.")
    return 0


def cmd_staff(args) -> int:
    from app.services.vault import staff

    inp = Input(args.passphrase_stdin)
    session = unlock(args, inp)
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


def cmd_audit(args) -> int:
    from app.services.vault import checkpoint

    session = unlock(args, Input(args.passphrase_stdin))
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

    session = unlock(args, Input(args.passphrase_stdin))
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

    session = unlock(args, Input(args.passphrase_stdin))
    try:
        key = renew_recovery_key(session)
    finally:
        session.lock("cli")
    print("NEW RECOVERY KEY (shown once; the old one no longer opens this vault):")
    print(key)
    return 0


COMMANDS = {"audit": cmd_audit, "rekey": cmd_rekey, "new-recovery-key": cmd_new_recovery_key, "init": cmd_init,
            "demo": cmd_demo, "verify": cmd_verify, "backup": cmd_backup, "restore": cmd_restore,
            "recover": cmd_recover, "staff": cmd_staff}
