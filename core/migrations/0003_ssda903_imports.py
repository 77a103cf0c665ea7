"""The SSDA903 uploads of the placements import page become uploads like every other
(placements.Ssda903Import is then removed by placements 0006). Each keeps its id-independent
record: files (unzipped from the one zip it kept), status, progress, summary, errors, warnings,
issues, who and when."""

import io
import zipfile

from django.db import migrations

COPIED = ("authority_id", "options", "status", "progress", "summary", "errors", "warnings", "issues")
COPIED += ("created_by_id", "finished_at")


def _unzip(data: bytes) -> list[tuple[str, bytes]]:
    # Entries are "000/name": the position keeps two files of the same name apart, in order.
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(name.split("/", 1)[1], archive.read(name)) for name in sorted(archive.namelist())]


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for position, (name, data) in enumerate(files):
            archive.writestr(f"{position:03d}/{name}", data)
    return out.getvalue()


def batches_from_ssda903_imports(apps, schema_editor):  # type: ignore[no-untyped-def]
    Ssda903Import = apps.get_model("placements", "Ssda903Import")
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for upload in Ssda903Import.objects.order_by("pk").iterator(chunk_size=20):
        batch = ImportBatch.objects.create(kind="ssda903", **{name: getattr(upload, name) for name in COPIED})
        # auto_now_add set the time of this migration; the upload keeps its own.
        ImportBatch.objects.filter(pk=batch.pk).update(created_at=upload.created_at)
        content = bytes(upload.content or b"")
        # A cancelled upload kept its names but not its files.
        files = _unzip(content) if content else [(name, b"") for name in upload.file_names]
        ImportFile.objects.bulk_create(
            ImportFile(batch=batch, position=position, name=name[:255], content=data, size=len(data))
            for position, (name, data) in enumerate(files)
        )


def ssda903_imports_from_batches(apps, schema_editor):  # type: ignore[no-untyped-def]
    Ssda903Import = apps.get_model("placements", "Ssda903Import")
    ImportBatch = apps.get_model("core", "ImportBatch")
    ImportFile = apps.get_model("core", "ImportFile")
    for batch in ImportBatch.objects.filter(kind="ssda903").order_by("pk").iterator(chunk_size=20):
        files = [(f.name, bytes(f.content)) for f in ImportFile.objects.filter(batch=batch).order_by("position")]
        kept = [(name, data) for name, data in files if data]
        upload = Ssda903Import.objects.create(
            file_names=[name for name, _ in files],
            content=_zip(kept) if kept else b"",
            **{name: getattr(batch, name) for name in COPIED},
        )
        Ssda903Import.objects.filter(pk=upload.pk).update(created_at=batch.created_at)
        batch.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_import_files"),
        ("placements", "0005_placement_type_to_forecasting"),
    ]

    operations = [migrations.RunPython(batches_from_ssda903_imports, ssda903_imports_from_batches)]
