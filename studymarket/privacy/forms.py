from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from studymarket.accounts.models import User


class ErasurePasswordForm(forms.Form):
    """ "Account verwijderen", step one: the person proves it is them with their password."""

    password = forms.CharField(
        label=_("Je wachtwoord"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Dit wachtwoord klopt niet. Probeer het opnieuw."))
        return password
