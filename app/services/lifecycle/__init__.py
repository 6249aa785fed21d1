"""The data lifecycle: retention schedule and review, anonymising, erasing everywhere, the
right-to-erasure register and importing from a previous system (docs/lifecycle.md)."""
