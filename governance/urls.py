"""URLs of governance (instances, meetings, decisions), mounted under /<ght_slug>/."""

urlpatterns: list = []
