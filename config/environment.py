"""What every part of the settings reads first: the project's folders, the environment (with
the optional .env file) and the profile it chooses. The settings are one module for Django
(config/settings.py) whose subjects live in config/settings_*.py; each reads these."""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

STUDYMARKET_ENV = env.str("STUDYMARKET_ENV", default="development")
PRODUCTION = STUDYMARKET_ENV == "production"
TESTING = env.bool("STUDYMARKET_TESTING", default=False)

DATA_DIR = Path(env.str("DATA_DIR", default=str(BASE_DIR / "var"))).resolve()
