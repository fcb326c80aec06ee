# A review's "Terugbetaald" label is read from its order line (OrderLine.refunded_at), which
# order_line_reverse sets in the very transaction that used to set this copy of it: the line
# is the truth, and the copy goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0002_review_order_line"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="review",
            name="is_refunded",
        ),
    ]
