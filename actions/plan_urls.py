"""URLs of the plan structure (plans, axes, objectives), mounted under /<ght_slug>/."""

urlpatterns: list = []
