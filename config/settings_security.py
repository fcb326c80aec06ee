"""Settings: signing in, passwords, rate limits, staff two-factor, cookies and the
Content-Security-Policy (part of config/settings.py, which imports this module whole)."""

from django.core.exceptions import ImproperlyConfigured

from config.environment import PRODUCTION, TESTING, env

# --- Auth -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id at 19 MiB, 2 passes, 1 lane (OWASP; accounts/hashers.py, ADR 0031): Django's default
# takes 100 MiB a hash. Hashes made with Django's parameters are re-hashed at the next login.
PASSWORD_HASHERS = [
    "studymarket.accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2's cost is the point in production; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
# Passwords (issue 12, slice "limits"): at least PASSWORD_MIN_LENGTH characters, not on Django's
# common list nor on the Dutch one (accounts/data/common-passwords-nl.txt, also with digits or a
# year around the word), and a zxcvbn score (0-4: breached passwords, repeats, keyboard rows,
# sequences, the user's own name) of at least PASSWORD_MIN_SCORE (accounts.passwords).
PASSWORD_MIN_LENGTH = env.int("PASSWORD_MIN_LENGTH", default=12)
PASSWORD_MIN_SCORE = env.int("PASSWORD_MIN_SCORE", default=3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "studymarket.accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "studymarket.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "studymarket.accounts.validators.CommonPasswordValidator"},
    {"NAME": "studymarket.accounts.validators.NumericPasswordValidator"},
    {
        "NAME": "studymarket.accounts.passwords.DutchCommonPasswordValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {
        "NAME": "studymarket.accounts.passwords.PasswordStrengthValidator",
        "OPTIONS": {"min_score": PASSWORD_MIN_SCORE, "min_length": PASSWORD_MIN_LENGTH},
    },
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "storefront:home"
LOGOUT_REDIRECT_URL = "storefront:home"

# Login throttling (django-axes): lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("LOGIN_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# --- Rate limits, quotas and password strength (issue 12, slice "limits") -------
# core.ratelimits over django-ratelimit, counted in the default cache (fixed windows). Rates are
# "count/period" with s, m, h or d (django-ratelimit's notation); an empty rate turns a limit off.
RATE_LIMITS = {
    # Password-reset e-mails per address, and reset requests per client IP. Over either, the
    # answer looks exactly like success but no e-mail goes out (no account enumeration).
    "password_reset_email": env.str("RATE_LIMIT_PASSWORD_RESET_PER_EMAIL", default="5/h"),
    "password_reset_ip": env.str("RATE_LIMIT_PASSWORD_RESET_PER_IP", default="20/h"),
    # Sign-up submissions (also the checkout's inline form) per client IP.
    "signup_ip": env.str("RATE_LIMIT_SIGNUP_PER_IP", default="20/h"),
    # The search page and the header's suggestions (one request per pause in typing), per IP.
    "search_ip": env.str("RATE_LIMIT_SEARCH_PER_IP", default="60/m"),
    "suggest_ip": env.str("RATE_LIMIT_SUGGEST_PER_IP", default="120/m"),
    # Reviews written per account.
    "review_user": env.str("RATE_LIMIT_REVIEWS_PER_USER", default="10/d"),
    # Upload quota: documents and new versions stored per seller per day (ASVS 5.2.4).
    "upload_seller": env.str("UPLOAD_QUOTA_PER_SELLER", default="20/d"),
    # Notices ("Meld dit document") per client IP (slice "trust-core").
    "notice_ip": env.str("RATE_LIMIT_NOTICES_PER_IP", default="10/h"),
    # Rights holders' registrations (each reads a PDF in the sandbox while the request waits),
    # every attempt counted, per account (slice "moderation").
    "rights_holder_user": env.str("RATE_LIMIT_RIGHTS_HOLDER_PER_USER", default="20/d"),
    # The public earnings calculator on "Start met verkopen" (one request per pause in typing), per IP.
    "sell_price_ip": env.str("RATE_LIMIT_SELL_PRICE_PER_IP", default="120/m"),
    # Discount codes that do not exist (typed at checkout, or a taken one a seller tried to
    # choose) per account and per client IP (promotions): guessing codes stops here.
    "discount_code_user": env.str("RATE_LIMIT_DISCOUNT_CODES_PER_USER", default="10/h"),
    "discount_code_ip": env.str("RATE_LIMIT_DISCOUNT_CODES_PER_IP", default="10/h"),
    # The JSON API (slice "api"): requests per personal access token, and per client IP.
    "api_token": env.str("RATE_LIMIT_API_PER_TOKEN", default="600/m"),
    "api_ip": env.str("RATE_LIMIT_API_PER_IP", default="300/m"),
}
# Clients never limited by the IP-keyed limits (e.g. a monitoring host); nothing by default.
RATE_LIMIT_EXEMPT_IPS = env.list("RATE_LIMIT_EXEMPT_IPS", default=[])
# How many reverse proxies in front of the app we trust to append to X-Forwarded-For; 0 = take
# the client IP from REMOTE_ADDR (the header is then ignored, since any client can write it).
RATE_LIMIT_PROXY_COUNT = env.int("PROXY_COUNT", default=0)
RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)

# --- Staff two-factor authentication (issue 12, slice "staff") ------------------
# Staff sign in with a password and a TOTP code (django-otp; accounts/twofactor.py) before any
# /beheer/ page. The issuer is the name authenticator apps show next to the code.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="studymarket")
# After n wrong codes in a row the next try waits FACTOR × 2^(n-1) seconds (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = env.int("OTP_TOTP_THROTTLE_FACTOR", default=1)
# The admin's TOTP device pages never show a confirmed device's secret or QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Password attempts on the "Account verwijderen" form per account.
RATE_LIMITS["erasure_password_user"] = env.str("RATE_LIMIT_ERASURE_PASSWORD_PER_USER", default="5/h")

# --- Security -------------------------------------------------------------------
# Sessions are read from the cache and written through to the database (issue 14: a signed-in
# page read its session row first). Ending one goes through the session engine (logout,
# privacy.erasure), so it leaves the cache too.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session unused this many seconds ends at its next request (accounts.session_idle,
# ADR 0031): 14 days for buyers and sellers (the cookie's own 2 weeks), 30 minutes for staff,
# who refund and pay out (NIST SP 800-63B, AAL2).
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=14 * 24 * 60 * 60)
SESSION_IDLE_TIMEOUT_STAFF = env.int("SESSION_IDLE_TIMEOUT_STAFF_SECONDS", default=30 * 60)
# However much it is used, a session ends this long after its login (ASVS 7.3.2; ADR 0031):
# 30 days for buyers and sellers, a working day (12 hours, NIST SP 800-63B AAL2) for staff.
SESSION_MAX_LIFETIME = env.int("SESSION_MAX_LIFETIME_SECONDS", default=30 * 24 * 60 * 60)
SESSION_MAX_LIFETIME_STAFF = env.int("SESSION_MAX_LIFETIME_STAFF_SECONDS", default=12 * 60 * 60)
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser accepts these cookies only over HTTPS, for this host and path "/", so
    # a sibling subdomain cannot plant or overwrite them (ASVS 3.3.1).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_NAME = "__Host-django_language"
    LANGUAGE_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SAMESITE = "Lax"
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# --- Content-Security-Policy (issue 12, slice "csp"; django-csp, config/csp.py) ---------------
# Every response says: scripts, styles, fonts and fetches from this site's own files only (no
# inline code, no eval: base.html tells htmx so), images from this site and data: URLs (Pico's
# icons), no plugins, no framing by any site, forms only to this site. config/csp.py adds what
# depends on other settings: the payment provider's checkout host to form-action (Chromium checks
# the redirect after the checkout POST against it) and the public storage's host to img-src.
# With PAYMENT_PROVIDER=mollie: the hosts of Mollie's hosted checkout, where the checkout POST's
# redirect leads (every host of that redirect chain must be listed: Chromium blocks the rest).
MOLLIE_CHECKOUT_ORIGINS = env.list("MOLLIE_CHECKOUT_ORIGINS", default=["https://www.mollie.com"])
_csp_self = "'self'"
_csp_none = "'none'"
_csp = {
    "DIRECTIVES": {
        "default-src": [_csp_self],
        "script-src": [_csp_self],
        "style-src": [_csp_self],
        "img-src": [_csp_self, "data:"],
        "font-src": [_csp_self],
        "connect-src": [_csp_self],
        "object-src": ["'none'"],
        "base-uri": [_csp_none],
        "form-action": [_csp_self],
        "frame-ancestors": ["'none'"],
        # Where browsers send violation reports (empty: nowhere; the browser console shows them).
        "report-uri": env.list("CSP_REPORT_URI", default=[]) or None,
    }
}
# CSP_REPORT_ONLY=true sends the policy as Content-Security-Policy-Report-Only: browsers report
# what it would block and block nothing. For trying a change out; refused in production.
# (Not a setting named CSP_*: django-csp takes those for its old-style settings and refuses them.)
_csp_report_only = env.bool("CSP_REPORT_ONLY", default=False)
if PRODUCTION and _csp_report_only:
    raise ImproperlyConfigured("CSP_REPORT_ONLY is refused in production: the policy must be enforced.")
CONTENT_SECURITY_POLICY = None if _csp_report_only else _csp
CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp if _csp_report_only else None
