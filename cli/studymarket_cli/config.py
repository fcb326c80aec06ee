"""Where the command line keeps the site's address and the seller's token.

The token is as good as a password for the seller's account (API access only), so the file is
written with mode 0600, in a folder of mode 0700, and replaced whole (never half written).
STUDYMARKET_URL and STUDYMARKET_TOKEN override what the file says (scripts, CI)."""

import json
import os
from dataclasses import dataclass
from pathlib import Path

from studymarket_cli.errors import CliError

DEFAULT_SITE = "https://studymarket.nl"


@dataclass(frozen=True)
class Settings:
    site: str
    token: str


def config_path() -> Path:
    if explicit := os.environ.get("STUDYMARKET_CONFIG"):
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "studymarket" / "config.json"


def site_normalize(url: str) -> str:
    """ "studymarket.nl/" → "https://studymarket.nl"; a local address may stay http."""
    url = url.strip().rstrip("/")
    if not url:
        raise CliError("Geef het adres van de site, bijvoorbeeld https://studymarket.nl.")
    if "://" not in url:
        url = f"https://{url}"
    if not url.startswith(("http://", "https://")):
        raise CliError(f"'{url}' is geen webadres: het begint met https://.")
    return url


def settings_read() -> Settings | None:
    """The saved site and token, each overridden by its environment variable; None without a token."""
    saved: dict[str, str] = {}
    path = config_path()
    if path.exists():
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CliError(
                f"Kan {path} niet lezen ({exc}). Verwijder het met 'studymarket logout' en log opnieuw in."
            ) from exc
        if isinstance(loaded, dict):
            saved = {key: value for key, value in loaded.items() if isinstance(value, str)}
    token = os.environ.get("STUDYMARKET_TOKEN") or saved.get("token", "")
    if not token:
        return None
    site = os.environ.get("STUDYMARKET_URL") or saved.get("site") or DEFAULT_SITE
    return Settings(site=site_normalize(site), token=token.strip())


def settings_require() -> Settings:
    settings = settings_read()
    if settings is None:
        raise CliError("Je bent nog niet ingelogd. Log in met: studymarket login")
    return settings


def settings_save(settings: Settings) -> Path:
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # O_EXCL with mode 0600: the token is never readable by others, not even for a moment.
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            json.dump({"site": settings.site, "token": settings.token}, file, indent=2)
            file.write("\n")
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


def settings_delete() -> bool:
    """Forget the saved token; False when there was none."""
    path = config_path()
    if not path.exists():
        return False
    path.unlink()
    return True
