from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from studymarket.accounts.forms import BecomeSellerForm, LoginForm, NewPasswordForm, SignupForm
from studymarket.accounts.models import User
from studymarket.accounts.password_reset import password_reset_request
from studymarket.accounts.services import seller_profile_create
from studymarket.accounts.signup import signup_form_submit
from studymarket.core.errors import ApplicationError
from studymarket.core.ratelimits import key_ip
from studymarket.core.security_log import security_event
from studymarket.core.storage import storage_unavailable_page


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page; the e-mail is limited and sent by accounts.password_reset, and the
    answer is the same redirect whether it was sent, limited or for no account at all."""

    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        password_reset_request(
            email=form.cleaned_data["email"],
            ip_key=key_ip(self.request),
            domain=self.request.get_host(),
            use_https=self.request.is_secure(),
        )
        return redirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    form_class = NewPasswordForm
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: NewPasswordForm) -> HttpResponse:
        # The new hash ends every session of the account (accounts/password_change.py).
        response = super().form_valid(form)
        security_event("password_reset", user_id=form.user.pk)
        return response


@method_decorator(sensitive_post_parameters("password", "password_confirm"), name="dispatch")
class SignupView(auth_views.RedirectURLMixin, FormView):
    """Create an account, sign in, and return to ``next`` (checked like LoginView checks it)."""

    template_name = "accounts/signup.html"
    form_class = SignupForm
    next_page = settings.LOGIN_REDIRECT_URL

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), self.redirect_field_name: self.get_redirect_url()}

    def form_valid(self, form: SignupForm) -> HttpResponse:
        if signup_form_submit(self.request, form) is None:
            return self.form_invalid(form)
        return redirect(self.get_success_url())


@login_required
@storage_unavailable_page  # the avatar goes to the public storage: 503 if it does not answer
def become_seller(request: HttpRequest) -> HttpResponse:
    assert isinstance(request.user, User)
    try:
        profile = request.user.seller_profile
    except ObjectDoesNotExist:
        profile = None
    if profile is not None:
        return render(request, "accounts/become_seller.html", {"profile": profile})

    form = BecomeSellerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            profile = seller_profile_create(
                user=request.user,
                display_name=form.cleaned_data["display_name"],
                bio=form.cleaned_data["bio"],
                avatar=form.cleaned_data["avatar"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:become_seller")
        else:
            messages.success(
                request,
                _("Je bent nu verkoper, %(name)s! Dit is je verkoperspagina.")
                % {"name": profile.display_name},
            )
            return redirect(profile.get_absolute_url())
    return render(request, "accounts/become_seller.html", {"form": form})
