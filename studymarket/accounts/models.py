from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from studymarket.core.models import TimeStampedModel
from studymarket.core.storage import public_storage


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person with an account; logs in with the e-mail address."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mailadres"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]


def avatar_path(instance: "SellerProfile", filename: str) -> str:
    return f"avatars/{instance.user_id}/{filename}"


class SellerProfile(TimeStampedModel):
    """What makes a user a seller: a public name and face (payout details come with payouts)."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="seller_profile")
    display_name = models.CharField(_("weergavenaam"), max_length=60, unique=True)
    slug = models.SlugField(max_length=70, unique=True)
    bio = models.TextField(_("over mij"), blank=True, max_length=2000)
    avatar = models.ImageField(_("profielfoto"), storage=public_storage, upload_to=avatar_path, blank=True)

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("catalog:seller", kwargs={"slug": self.slug})
