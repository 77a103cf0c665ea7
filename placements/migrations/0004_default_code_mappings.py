from django.db import migrations


def add_mappings(apps, schema_editor):
    """Give every existing authority the default SSDA903 mapping (new ones get it on creation)."""
    from placements.reference import default_mapping_rows

    Authority = apps.get_model("accounts", "Authority")
    CodeMapping = apps.get_model("placements", "CodeMapping")
    PlacementType = apps.get_model("placements", "PlacementType")
    types = {t.code: t for t in PlacementType.objects.all()}
    for authority in Authority.objects.all():
        if CodeMapping.objects.filter(authority=authority).exists():
            continue
        CodeMapping.objects.bulk_create(
            CodeMapping(
                authority=authority,
                place=place,
                place_provider=provider,
                valid_from_year=start,
                valid_to_year=end,
                placement_type=types[code],
            )
            for place, provider, start, end, code in default_mapping_rows()
            if code in types
        )


class Migration(migrations.Migration):
    dependencies = [("placements", "0003_register")]
    operations = [migrations.RunPython(add_mappings, migrations.RunPython.noop)]
