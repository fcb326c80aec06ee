from django.contrib.auth import views as auth_views
from django.urls import path

from studymarket.accounts import token_views, trader_views, twofactor_views, views
from studymarket.accounts.password_change import PasswordChangeView

app_name = "accounts"
urlpatterns = [
    path("inloggen/", views.LoginView.as_view(), name="login"),
    # Django's LogoutView accepts POST only (a GET answers 405), so no link can log anyone out.
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("aanmelden/", views.SignupView.as_view(), name="signup"),
    path("wachtwoord-vergeten/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "wachtwoord-vergeten/verstuurd/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "wachtwoord-herstellen/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "wachtwoord-herstellen/klaar/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("verkopen/start/", views.become_seller, name="become_seller"),
    # Private or business seller, and a business seller's trader information (slice "seller-identity").
    path("verkopen/zakelijk/", trader_views.seller_identity, name="seller_identity"),
    # Staff two-factor authentication and changing the password (slice "staff").
    path("tweestapsverificatie/", twofactor_views.twofactor_verify, name="twofactor"),
    path("tweestapsverificatie/instellen/", twofactor_views.twofactor_setup, name="twofactor_setup"),
    path("wachtwoord-wijzigen/", PasswordChangeView.as_view(), name="password_change"),
    # Personal access tokens for the JSON API (slice "api", ADR 0029).
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<int:pk>/intrekken/", token_views.token_revoke_view, name="token_revoke"),
]
