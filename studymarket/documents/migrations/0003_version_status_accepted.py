"""A processed version that was found fit to sell is "accepted" (it was "published"): issue 11
keeps "published" for a listing on sale. Rewrites the stored values, and back."""

from django.db import migrations, models


def _rename(apps, schema_editor, *, old: str, new: str) -> None:
    DocumentVersion = apps.get_model("documents", "DocumentVersion")
    DocumentVersion.objects.filter(status=old).update(status=new)


def forwards(apps, schema_editor):
    _rename(apps, schema_editor, old="published", new="accepted")


def backwards(apps, schema_editor):
    _rename(apps, schema_editor, old="accepted", new="published")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0002_processing_and_originality"),
    ]

    operations = [
        migrations.AlterField(
            model_name="documentversion",
            name="status",
            field=models.CharField(
                choices=[
                    ("uploaded", "Geüpload"),
                    ("processing", "Wordt verwerkt"),
                    ("accepted", "Gepubliceerd"),
                    ("held_for_review", "Wacht op controle"),
                    ("rejected", "Geweigerd"),
                    ("failed", "Mislukt"),
                ],
                default="uploaded",
                max_length=20,
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
