from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from studymarket.accounts.models import User
from studymarket.accounts.twofactor import totp_device_reset


class Command(BaseCommand):
    help = (
        "Remove a staff member's two-factor device (lost or new phone): at their next visit to "
        "/beheer/ they set up a new one. Check who is asking before you run it. "
        "Example: twofactor_reset medewerker@example.nl"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(email=options["email"].strip().lower()).first()
        if user is None:
            raise CommandError(f"no account with the e-mail address {options['email']}")
        removed = totp_device_reset(user=user)
        self.stdout.write(
            f"{user.email}: {removed} device(s) removed; a new one is set up at the next sign-in to /beheer/"
        )
