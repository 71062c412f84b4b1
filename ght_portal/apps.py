from django.apps import AppConfig


class GhtPortalConfig(AppConfig):
    name = "ght_portal"
    verbose_name = "Socle GHT"

    def ready(self) -> None:
        from ght_portal import signals  # noqa: F401 - registers receivers
