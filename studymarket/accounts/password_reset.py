"""Asking for a password-reset e-mail, with limits that give nothing away (issue 12, finding 3).

Fifty requests used to send fifty e-mails in three seconds. Now each request counts against the
client IP (RATE_LIMITS["password_reset_ip"]) and the address (["password_reset_email"]); over
either, no e-mail goes out, but the visitor sees exactly what they would have seen otherwise:
the same redirect to "Controleer je e-mail", with no hint whether the address has an account
or was limited (ASVS 6.3.8). The e-mail itself is built and sent by a task, for a known address
or not, so the request does the same work in every case: count, queue, redirect.
"""

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.utils import translation

from studymarket.core.ratelimits import rate_limit_hit

SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"
EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
HTML_EMAIL_TEMPLATE = "accounts/password_reset_email.html"
SITE_NAME = "studymarket"


def password_reset_request(*, email: str, ip_key: str | None, domain: str, use_https: bool) -> bool:
    """Count this request and queue the e-mail unless a limit is reached; True when queued.
    ``ip_key`` is core.ratelimits.key_ip's (None for an exempt IP). The caller answers the same
    way whatever this returns."""
    if ip_key is not None:
        by_ip = rate_limit_hit(name="password_reset_ip", key=ip_key)
        if by_ip is not None and by_ip.limited:
            return False
    address = email.strip().lower()
    by_address = rate_limit_hit(name="password_reset_email", key=f"email:{address}")
    if by_address is not None and by_address.limited:
        return False
    from studymarket.accounts.tasks import password_reset_mail_task

    password_reset_mail_task.enqueue(address, domain, use_https, translation.get_language() or "")
    return True


def password_reset_mail_send(*, email: str, domain: str, use_https: bool, language: str = "") -> None:
    """Send the reset link to every active account with this address that can log in with a
    password (Django's PasswordResetForm decides, as before); nothing for an unknown address."""
    form = PasswordResetForm({"email": email})
    if not form.is_valid():
        return
    with translation.override(language or settings.LANGUAGE_CODE):
        form.save(
            domain_override=domain,
            use_https=use_https,
            subject_template_name=SUBJECT_TEMPLATE,
            email_template_name=EMAIL_TEMPLATE,
            html_email_template_name=HTML_EMAIL_TEMPLATE,
            extra_email_context={"site_name": SITE_NAME},
        )
