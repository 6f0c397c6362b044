"""The photo domain: storage, metadata, thumbnails, ingest and editing, and their HTTP faces."""
