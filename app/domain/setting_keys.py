"""The names of the service's settings in the `setting` table: read by app/services/settings.py
(with no team code, so the unlock screen loads none) and sent to a team's other computers by
app/services/team/settings_entry.py."""

AUTO_LOCK = "auto_lock_minutes"
TRANSFERS = "sar_transfers_outside_uk"
SERVICE_NAME = "service_name"
CONSENT_REVIEW = "consent_review_months"
DOCUMENT_TEXT = "documents_text_search"        # read received PDFs' text for search (docs/documents.md)
TEAM_WIDE = (AUTO_LOCK, TRANSFERS, SERVICE_NAME, CONSENT_REVIEW, DOCUMENT_TEXT)
