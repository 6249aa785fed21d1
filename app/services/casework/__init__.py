"""Casework: people, enquiries and their corrections, cases, notes, actions, safeguarding,
search, drafts and the paper file register."""
