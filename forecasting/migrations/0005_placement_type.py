"""The finance placement type moves from the placements app to the financial core, which budget
lines and scenarios belong to. Only Django's view of the models changes: the table keeps its name
(placements_placementtype) and its rows, and no SQL is run."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("forecasting", "0004_backtest_reports"),
        ("placements", "0004_default_code_mappings"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PlacementType",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=40, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        (
                            "continues_after_18",
                            models.BooleanField(
                                default=False,
                                help_text="Placements of this type do not end on the child's 18th birthday",
                            ),
                        ),
                        ("sort_order", models.PositiveSmallIntegerField(default=100)),
                    ],
                    options={"db_table": "placements_placementtype", "ordering": ["sort_order", "code"]},
                ),
                migrations.AlterField(
                    model_name="budgetline",
                    name="placement_type",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="budget_lines",
                        to="forecasting.placementtype",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
