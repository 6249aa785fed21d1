"""The vault on one computer: set up and unlock, recovery, staff accounts and their keys, the
staff register, backup and restore, verify and the audit checkpoint."""
