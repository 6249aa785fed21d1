"""`confide hub check` and `confide hub repair` (docs/sync.md §15): compare the hub with this
computer's own copies of its entries and snapshots, and put back what it holds."""
