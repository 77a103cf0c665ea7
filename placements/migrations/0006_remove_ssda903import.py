"""SSDA903 uploads are core ImportBatches now: core 0003 copied every row, so the model goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0005_placement_type_to_forecasting"),
        ("core", "0003_ssda903_imports"),
    ]

    operations = [migrations.DeleteModel(name="Ssda903Import")]
