from django.apps import AppConfig
from django.db.models.signals import post_save


def _new_authority_gets_default_mapping(sender, instance, created, raw=False, **kwargs):  # type: ignore[no-untyped-def]
    # Every council starts with the DATA_FORMATS.md mapping, which its administrators then edit.
    if created and not raw:
        from placements.reference import seed_default_mapping

        seed_default_mapping(instance)


class PlacementsConfig(AppConfig):
    name = "placements"
    verbose_name = "Placements"

    def ready(self) -> None:
        from accounts.models import Authority
        from placements import importers, ssda903_import  # noqa: F401  (registers the placements and ssda903 imports)

        post_save.connect(
            _new_authority_gets_default_mapping, sender=Authority, dispatch_uid="placements_default_mapping"
        )
