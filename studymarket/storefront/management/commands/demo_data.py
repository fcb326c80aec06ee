import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from studymarket.storefront.demo.load import demo_data_load
from studymarket.storefront.demo.people import (
    CROWD_BUYERS,
    DEMO_PASSWORD,
    DEMO_STAFF_TOTP_SECRET,
    REFERENCE_SELLER,
    REGULAR_BUYERS,
    SELLERS,
    STAFF,
)
from studymarket.storefront.demo.staff import demo_staff_code, demo_staff_wanted


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
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded in {seconds:.1f} s: {result.listings_created} listings, "
                    f"{result.orders_created} orders, {result.reviews_created} reviews."
                )
            )
        if options["verbosity"] > 0:
            self._accounts()

    def _accounts(self) -> None:
        """The demo accounts by role, as the README lists them."""
        write = self.stdout.write
        write(f"Demo accounts (password {DEMO_PASSWORD!r}):")
        sellers = [REFERENCE_SELLER.email, *(s.email for s in SELLERS.values() if s != REFERENCE_SELLER)]
        write(f"  seller: {', '.join(sellers)}")
        write(f"  buyer:  {', '.join(spec.email for spec in REGULAR_BUYERS)}")
        write(f"          and {CROWD_BUYERS[0].email} … {CROWD_BUYERS[-1].email}")
        if demo_staff_wanted():
            for spec in STAFF.values():
                write(f"  staff:  {spec.email} (back office: /beheer/)")
            write(
                f"          two-factor secret {DEMO_STAFF_TOTP_SECRET} (add it to an authenticator app); "
                f"code now: {demo_staff_code()}"
            )
        else:
            write("  staff:  none in production (python manage.py createsuperuser)")
