"""Consent (R5, R6, R10): recording, the rules of who may give it, the words shown, what the
screens see of it, consent documents, counterparties, the disclosure log and the mailing list."""
