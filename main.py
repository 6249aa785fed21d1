"""Entry point: no arguments (or only --data-dir / --device-key-file) starts the GUI;
subcommands run the command line (app/cli/commands.py)."""

import sys

GUI_OPTIONS = ("--data-dir", "--device-key-file")


def wants_gui(args: list[str]) -> bool:
    """No arguments, or only the GUI's own options (e.g. `--data-dir D`, perhaps with Qt's own
    such as `-style fusion`): the GUI. A command after them (`--device-key-file F init ...`)
    is the command line's, whichever order the options came in."""
    if "--self-test" in args:
        return False
    rest = list(args)
    while rest and rest[0].split("=", 1)[0] in GUI_OPTIONS:
        rest = rest[1:] if "=" in rest[0] else rest[2:]
    if rest and not rest[0].startswith("-"):
        return False  # a subcommand
    return not args or args[0].split("=", 1)[0] in GUI_OPTIONS


def entry() -> int:
    if not wants_gui(sys.argv[1:]):
        from app.cli.commands import main

        if "--self-test" in sys.argv[1:]:
            # app/ never imports Qt: the check that a window can open is the GUI's own.
            from ui.selftest_display import check_display
            from ui.selftest_resources import check_screen_resources

            return main(sys.argv[1:], self_test_extra=[check_screen_resources, check_display])
        return main(sys.argv[1:])
    from ui.application import first_run, run

    if first_run(sys.argv):
        # Only a first run loads the set-up wizard (and the team's code, for joining a team):
        # with a vault, the unlock screen does not wait for them (docs/performance.md).
        from ui.first_run import run
    return run(sys.argv)


if __name__ == "__main__":
    # `--self-test --hub` races real processes (spawn); in a frozen build they must start
    # as workers, not as a second copy of the app.
    import multiprocessing

    multiprocessing.freeze_support()
    sys.exit(entry())
