"""Laptops as partial replicas: check-out and check-in of cases (issue 13, docs/sync.md §14)."""
