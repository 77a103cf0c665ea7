from django.apps import AppConfig


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self) -> None:
        # The placements and ssda903 imports register themselves; a new authority gets the
        # default code mapping.
        from placements import importers, receivers, ssda903_import  # noqa: F401
