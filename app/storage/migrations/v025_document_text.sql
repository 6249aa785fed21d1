-- Schema 25 (docs/documents.md, "Search"; docs/sync.md §3).
-- The words of a received PDF, read when it is added (at most documents/text.MAX_PAGES pages),
-- so that search finds them on every computer of the team, as it finds a letter's text.
ALTER TABLE document ADD COLUMN found_text TEXT;
-- Also from this schema on: a document's pieces travel through the hub as raw bytes (bundle
-- format 2) and a new row's capture image names only the length of its bulk bytes
-- (app/storage/capture.py, BULK). The schema number in each bundle's header makes an older
-- Confide stop at such a bundle and ask to be updated, rather than take it for a damaged one.
