"""No longer does anything: the PostgreSQL search tables (search_listing, search_page) belong
to the search app, whose migration search 0001_initial creates them (idempotently).

Databases that applied this migration when it still created them keep their tables and rows;
search 0001 finds them there. New databases get them from search 0001 only. Kept (empty) so
that the recorded migration history stays valid.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_follow_language"),
    ]

    operations = []
