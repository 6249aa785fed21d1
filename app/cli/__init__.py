"""The command line: `commands` parses and dispatches; one module per group of subcommands."""
