"""The national picture (docs/national.md): the network's intervention levels and the mapping of
the old levels of support, the states open, inactive and closed, service users' evaluations,
the Minimum Standards self-assessment register, and the national return."""
