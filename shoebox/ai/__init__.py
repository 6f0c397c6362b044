"""Model backends behind small interfaces; nothing here knows Flask or the database."""
