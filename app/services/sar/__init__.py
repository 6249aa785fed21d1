"""Subject access requests (R13): the register, gathering, review and redaction, the pack."""
