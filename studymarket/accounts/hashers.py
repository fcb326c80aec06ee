"""The password hasher: Argon2id with OWASP's first recommended setting (ADR 0031).

Django's Argon2PasswordHasher takes 100 MiB (memory_cost 102400 KiB) per hash. A web process
hashes on every login, sign-up and password change, and a burst of logins across several web
workers on a small machine would need that much memory for each one at the same moment. OWASP's
Password Storage Cheat Sheet lists equally strong trade-offs of memory for passes; its first,
m=19 MiB, t=2, p=1, costs a fifth of the memory (and, measured here, a sixth of the time).

The algorithm keeps Django's name "argon2", so this hasher reads the hashes made with Django's
parameters too. Its must_update() compares the parameters, and Django re-hashes a password with
these at its owner's next successful login (check_password's setter).
"""

from django.contrib.auth.hashers import Argon2PasswordHasher

ARGON2_MEMORY_KIB = 19 * 1024
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id (Django's variant), 19 MiB, 2 passes, 1 lane."""

    memory_cost = ARGON2_MEMORY_KIB
    time_cost = ARGON2_TIME_COST
    parallelism = ARGON2_PARALLELISM
