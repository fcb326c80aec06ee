"""Rights holders' registered works (fingerprints only: page shingle hashes, LSH bands, the
MinHash), and the uploads held because they repeat one (issue 13, slice moderation)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0003_version_status_accepted"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RightsHolderWork",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="titel")),
                ("page_count", models.PositiveIntegerField(default=0)),
                ("sha256", models.CharField(max_length=64)),
                ("shingle_count", models.PositiveIntegerField(default=0)),
                ("signature", models.BinaryField(blank=True, null=True)),
                ("scheme", models.CharField(blank=True, max_length=16)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("removed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "owner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rights_holder_works",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="RightsHolderPage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("shingle_hashes", models.BinaryField()),
                (
                    "work",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pages",
                        to="documents.rightsholderwork",
                    ),
                ),
            ],
            options={
                "ordering": ["work", "number"],
            },
        ),
        migrations.CreateModel(
            name="RightsHolderMatch",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("similarity", models.FloatField()),
                ("work_pages", models.JSONField(default=list)),
                ("upload_pages", models.JSONField(default=list)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("held_notified_at", models.DateTimeField(blank=True, null=True)),
                ("decision_notified_at", models.DateTimeField(blank=True, null=True)),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="rights_holder_matches",
                        to="documents.documentversion",
                    ),
                ),
                (
                    "work",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="matches",
                        to="documents.rightsholderwork",
                    ),
                ),
            ],
            options={
                "ordering": ["-similarity", "pk"],
            },
        ),
        migrations.CreateModel(
            name="RightsHolderBand",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("page", models.PositiveIntegerField()),
                ("band", models.PositiveSmallIntegerField()),
                ("digest", models.BigIntegerField()),
                (
                    "work",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bands",
                        to="documents.rightsholderwork",
                    ),
                ),
            ],
        ),
        migrations.AddConstraint(
            model_name="rightsholderwork",
            constraint=models.UniqueConstraint(
                condition=models.Q(("removed_at__isnull", True)),
                fields=("owner", "sha256"),
                name="rights_holder_work_unique_file",
            ),
        ),
        migrations.AddConstraint(
            model_name="rightsholderpage",
            constraint=models.UniqueConstraint(fields=("work", "number"), name="rights_holder_page_unique"),
        ),
        migrations.AddConstraint(
            model_name="rightsholdermatch",
            constraint=models.UniqueConstraint(fields=("version", "work"), name="rights_holder_match_unique"),
        ),
        migrations.AddIndex(
            model_name="rightsholderband",
            index=models.Index(fields=["digest"], name="rights_holder_band_digest"),
        ),
        migrations.AddConstraint(
            model_name="rightsholderband",
            constraint=models.UniqueConstraint(
                fields=("work", "page", "band"), name="rights_holder_band_unique"
            ),
        ),
    ]
