from django.apps import AppConfig


class GhtPortalConfig(AppConfig):
    name = "ght_portal"
    verbose_name = "Socle GHT"

    def ready(self) -> None:
        from simple_history.signals import pre_create_historical_record

        from ght_portal import signals  # noqa: F401 - registers receivers
        from ght_portal.actors import check_history_actor

        pre_create_historical_record.connect(check_history_actor, dispatch_uid="ght_portal_history_actor")
