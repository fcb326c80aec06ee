"""Amounts and dates the way a Dutch (or English) reader expects them."""

from datetime import datetime, timedelta

from babel.numbers import format_currency
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from studymarket.core.money import Money

_BABEL_LOCALES = {"nl": "nl_NL", "en": "en_IE"}
# Shorter ago than this reads "zojuist" ("just now").
JUST_NOW = timedelta(minutes=1)


def money_display(money: Money) -> str:
    """ "€ 9,49" in Dutch, "€9.49" in English (babel's CLDR data, not our guesswork)."""
    locale = _BABEL_LOCALES.get((get_language() or "nl")[:2], "nl_NL")
    # CLDR puts a no-break space after the euro sign in Dutch; a plain space reads the same
    # and keeps the text searchable as users type it.
    return format_currency(money.to_decimal(), money.currency, locale=locale).replace("\xa0", " ")


def time_ago(moment: datetime, now: datetime | None = None) -> str:
    """ "2 jaar geleden": the largest unit only, as marketplaces show review dates; "zojuist"
    under a minute (and for a moment a clock running ahead put in the future), where
    timesince would say "0 minuten"."""
    now = now or timezone.now()
    if now - moment < JUST_NOW:
        return _("zojuist")
    # timesince joins number and unit with a no-break space; plain, like money_display.
    delta = timesince(moment, now, depth=1).replace("\xa0", " ")
    return _("%(delta)s geleden") % {"delta": delta}
