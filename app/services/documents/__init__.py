"""Documents and letters kept inside the vault (docs/documents.md)."""
