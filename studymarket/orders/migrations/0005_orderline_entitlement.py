"""The link between an order line and the entitlement it paid for moves to orders (orders sits
above library): OrderLine.entitlement is added and every existing link copied from
Entitlement.order_line, which library's 0002 then drops. Added without a reverse name first,
so it does not clash with the old field's while both exist (0006 gives it its name)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def links_copy(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    Entitlement = apps.get_model("library", "Entitlement")
    OrderLine.objects.update(
        entitlement_id=Subquery(Entitlement.objects.filter(order_line_id=OuterRef("pk")).values("pk")[:1])
    )


def links_copy_back(apps, schema_editor):
    OrderLine = apps.get_model("orders", "OrderLine")
    Entitlement = apps.get_model("library", "Entitlement")
    for line_id, entitlement_id in OrderLine.objects.filter(entitlement__isnull=False).values_list(
        "pk", "entitlement_id"
    ):
        Entitlement.objects.filter(pk=entitlement_id).update(order_line_id=line_id)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_initial"),
        ("orders", "0004_orderline_commission_and_refund"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderline",
            name="entitlement",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="library.entitlement",
            ),
        ),
        migrations.RunPython(links_copy, links_copy_back),
    ]
