"""URLs of the plan import (upload, preview, template), mounted under /<ght_slug>/."""

urlpatterns: list = []
