from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Gouvernance"

    def ready(self) -> None:
        from governance import signals  # noqa: F401 - registers receivers
