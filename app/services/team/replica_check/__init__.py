"""Replicas prove they agree (docs/sync.md §17): digests of each computer's replicated state,
published signed on the hub and compared by every other computer."""
