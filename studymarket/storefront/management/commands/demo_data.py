import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from studymarket.storefront.demo.load import demo_data_load
from studymarket.storefront.demo.people import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Load the demo data: the reference listing and 55 more, with PDFs, previews, sales and reviews. "
        "Idempotent: loads only what is missing, and returns at once when nothing is."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not settings.DEMO_MODE:
            # The demo accounts' password is published in the README: never on a real shop.
            raise CommandError(
                "The demo data (accounts with a published password) is refused in production; "
                "set DEMO_MODE=true for a public demonstration, or run serve with --no-demo-data."
            )
        started = time.perf_counter()
        verbose = options["verbosity"] > 1
        result = demo_data_load(log=self.stdout.write if verbose else None)
        seconds = time.perf_counter() - started
        if result.already_loaded:
            self.stdout.write(f"Demo data already loaded ({seconds:.2f} s).")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded in {seconds:.1f} s: {result.listings_created} listings, "
                f"{result.orders_created} orders, {result.reviews_created} reviews."
            )
        )
        self.stdout.write(f"Demo accounts: *@{DEMO_EMAIL_DOMAIN}, password {DEMO_PASSWORD!r}.")
