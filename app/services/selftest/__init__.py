"""`confide --self-test`: the installation, and a folder or PostgreSQL hub."""
