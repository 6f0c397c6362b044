"""Albums: a user's named sets of their photos, read through the viewer's scope (service.py), their routes
(api.py) and pages (views.py)."""
