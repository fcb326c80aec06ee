# The link to the order line now lives in orders (OrderLine.entitlement, copied by orders 0005):
# library points at nothing above it.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("orders", "0005_orderline_entitlement"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="entitlement",
            name="order_line",
        ),
    ]
