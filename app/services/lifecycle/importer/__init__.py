"""Importing a previous system's CSV export (docs/lifecycle.md "Importing")."""
