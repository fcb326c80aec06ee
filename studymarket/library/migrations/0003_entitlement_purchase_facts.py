"""An entitlement keeps the purchase facts library shows (order number, checkout language),
copied in at grant time, so library reads no order. Existing rows get them from the order of
the order line that points at them (orders 0005/0006 hold that link); every entitlement has
one, as every one was granted for a paid order line."""

from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def purchase_facts_copy(apps, schema_editor):
    Entitlement = apps.get_model("library", "Entitlement")
    OrderLine = apps.get_model("orders", "OrderLine")
    lines = OrderLine.objects.filter(entitlement_id=OuterRef("pk"))
    Entitlement.objects.filter(Exists(lines)).update(
        order_number=Subquery(lines.values("order__number")[:1]),
        language=Subquery(lines.values("order__language")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_remove_entitlement_order_line"),
        ("orders", "0006_orderline_entitlement_related_name"),
    ]

    operations = [
        # Blank only until the copy below fills it: no default is kept.
        migrations.AddField(
            model_name="entitlement",
            name="order_number",
            field=models.CharField(default="", max_length=20),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="entitlement",
            name="language",
            field=models.CharField(default="nl", max_length=10),
        ),
        # Nothing to undo: going back drops both fields.
        migrations.RunPython(purchase_facts_copy, migrations.RunPython.noop),
    ]
