"""Hubs: where a team's computers meet. See docs/sync.md."""
