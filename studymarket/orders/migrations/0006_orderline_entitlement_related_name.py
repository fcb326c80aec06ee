# The old link (Entitlement.order_line) is gone (library 0002): the new one takes its reverse
# name, so ``entitlement.order_line`` reads as before. No change in the database.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_remove_entitlement_order_line"),
        ("orders", "0005_orderline_entitlement"),
    ]

    operations = [
        migrations.AlterField(
            model_name="orderline",
            name="entitlement",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="order_line",
                to="library.entitlement",
            ),
        ),
    ]
