"""Laptops as partial replicas: check-out and check-in of cases (docs/sync.md §14)."""
