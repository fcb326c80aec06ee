"""The Django admin (/beheer/…) behind the same two steps as the back office: a staff member's
session must be verified with a TOTP code (twofactor.py) before any admin page.

The admin's own login form knows no second step, so its login page sends people to ours instead:
the password page, then the code page, then back to the admin page they asked for."""

from typing import Any

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from studymarket.accounts.models import User
from studymarket.accounts.twofactor import twofactor_url


class StaffAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        verified = getattr(request.user, "is_verified", lambda: False)()
        return super().has_permission(request) and bool(verified)

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        index = reverse("admin:index", current_app=self.name)
        wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
            wanted = index
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(wanted)
        if not (user.is_active and user.is_staff):
            # Signed in, but not staff: no login form would help (the middleware logs the 403).
            raise PermissionDenied
        assert isinstance(user, User)
        if self.has_permission(request):
            return redirect(wanted)
        return redirect(twofactor_url(user=user, next_url=wanted))
