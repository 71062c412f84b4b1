"""URLs of this app, mounted under /<ght_slug>/ (see ght_portal/urls.py)."""

urlpatterns: list = []
