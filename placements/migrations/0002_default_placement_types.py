from django.db import migrations


def add_types(apps, schema_editor):
    from forecasting.engine.placement_types import DEFAULT_PLACEMENT_TYPES

    PlacementType = apps.get_model("placements", "PlacementType")
    for order, (code, name, after_18) in enumerate(DEFAULT_PLACEMENT_TYPES, start=1):
        PlacementType.objects.update_or_create(
            code=code, defaults={"name": name, "continues_after_18": after_18, "sort_order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("placements", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
