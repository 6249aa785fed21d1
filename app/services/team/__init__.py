"""The team vault: change capture, bundles, pull/rebase/push, conflicts (docs/sync.md)."""
