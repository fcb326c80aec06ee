from django.contrib.auth import password_validation
from django.utils.translation import gettext, ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length check with Dutch source strings.

    Django 5.2 reworded this message and its Dutch catalogue has no translation for the new
    wording, so Dutch users would read English; our own strings go through our catalogue.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "Dit wachtwoord is te kort. Gebruik minstens %(min_length)d teken.",
            "Dit wachtwoord is te kort. Gebruik minstens %(min_length)d tekens.",
            self.min_length,
        ) % {"min_length": self.min_length}

    def get_help_text(self) -> str:
        return ngettext(
            "Je wachtwoord moet minstens %(min_length)d teken lang zijn.",
            "Je wachtwoord moet minstens %(min_length)d tekens lang zijn.",
            self.min_length,
        ) % {"min_length": self.min_length}


# Django's Dutch catalogue says "Uw wachtwoord …" in these help texts; the site says "je"
# (docs/CONVENTIONS.md §7), so they are our own Dutch source strings.
class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_help_text(self) -> str:
        return gettext("Je wachtwoord mag niet te veel lijken op je andere persoonlijke gegevens.")


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_help_text(self) -> str:
        return gettext("Je wachtwoord mag geen veelgebruikt wachtwoord zijn.")


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_help_text(self) -> str:
        return gettext("Je wachtwoord mag niet alleen uit cijfers bestaan.")
