"""Entry point: no arguments starts the GUI; subcommands run the command line (app/cli.py)."""

import sys


def entry() -> int:
    if len(sys.argv) > 1:
        from app.cli import main

        return main(sys.argv[1:])
    from ui.application import run

    return run(sys.argv)


if __name__ == "__main__":
    sys.exit(entry())
