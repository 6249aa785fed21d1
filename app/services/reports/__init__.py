"""What the manager sees: period figures and their counts, exports, the dashboard and the
data protection complaints register."""
