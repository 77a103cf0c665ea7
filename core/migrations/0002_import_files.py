"""An upload holds one file or several: the file of each ImportBatch moves to an ImportFile
(position 0), and an upload keeps the records its importer corrected or left out (issues)."""

import django.db.models.deletion
from django.db import migrations, models


def files_from_batches(apps, schema_editor):  # type: ignore[no-untyped-def]
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for batch in ImportBatch.objects.only("pk", "filename", "content").iterator(chunk_size=50):
        content = bytes(batch.content or b"")
        ImportFile.objects.create(batch=batch, position=0, name=batch.filename, content=content, size=len(content))


def batches_from_files(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Back to one file per batch: the first file (a batch of several keeps only its first)."""
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for first in ImportFile.objects.filter(position=0).iterator(chunk_size=50):
        ImportBatch.objects.filter(pk=first.batch_id).update(filename=first.name, content=bytes(first.content))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="ImportFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField()),
                ("name", models.CharField(max_length=255)),
                ("content", models.BinaryField()),
                (
                    "size",
                    models.PositiveIntegerField(default=0, help_text="bytes, kept when the content is cleared"),
                ),
                (
                    "batch",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="files", to="core.importbatch"
                    ),
                ),
            ],
            options={"ordering": ["batch", "position"]},
        ),
        migrations.AddConstraint(
            model_name="importfile",
            constraint=models.UniqueConstraint(fields=("batch", "position"), name="one_file_per_position"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="issues",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(files_from_batches, batches_from_files),
        # Defaults only so that going back can add the columns to rows that exist by then.
        migrations.AlterField(
            model_name="importbatch", name="filename", field=models.CharField(default="", max_length=255)
        ),
        migrations.AlterField(model_name="importbatch", name="content", field=models.BinaryField(default=b"")),
        migrations.RemoveField(model_name="importbatch", name="filename"),
        migrations.RemoveField(model_name="importbatch", name="content"),
    ]
