"""The finance placement type now belongs to the financial core (forecasting 0005): the register,
code mappings and unit costs point at it there. State only: the table and its rows stay."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("placements", "0004_default_code_mappings"),
        ("forecasting", "0005_placement_type"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="codemapping",
                    name="placement_type",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="code_mappings",
                        to="forecasting.placementtype",
                    ),
                ),
                migrations.AlterField(
                    model_name="unitcost",
                    name="placement_type",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="unit_costs",
                        to="forecasting.placementtype",
                    ),
                ),
                migrations.AlterField(
                    model_name="placement",
                    name="placement_type",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="placements",
                        to="forecasting.placementtype",
                    ),
                ),
                migrations.DeleteModel(name="PlacementType"),
            ],
            database_operations=[],
        ),
    ]
