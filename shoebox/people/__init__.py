"""People (faces grouped per user) and places: grouping, the service, the API and the pages."""
