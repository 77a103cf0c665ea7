from django.apps import AppConfig


class WorkforceConfig(AppConfig):
    name = "workforce"
    verbose_name = "Workforce: establishment, agency staff and caseloads"

    def ready(self) -> None:
        from workforce import importers  # noqa: F401  (registers the workforce import)
