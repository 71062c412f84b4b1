"""GHT Portal core: settings, tenancy (GHT, establishments, memberships), accounts."""

from ght_portal.celery import app as celery_app

__all__ = ("celery_app",)
