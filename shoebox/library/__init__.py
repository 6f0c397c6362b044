"""The photo domain: storage, ingest and editing, and their HTTP faces (files are read by shoebox.media)."""
