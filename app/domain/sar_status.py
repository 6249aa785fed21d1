"""Which subject access requests are still open: its own small module, so that what only
needs this (the retention review's blocks) does not load the deadline rules and their bank
holiday calendar at start-up."""

OPEN_STATUSES = ("new", "awaiting_id", "awaiting_clarification", "in_review", "extended")
