"""URLs of the checkpoints (points d'étape) and their comparison, mounted under /<ght_slug>/."""

urlpatterns: list = []
