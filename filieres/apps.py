from django.apps import AppConfig


class FilieresConfig(AppConfig):
    name = "filieres"
    verbose_name = "Filières"
