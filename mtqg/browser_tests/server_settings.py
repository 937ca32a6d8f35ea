"""The browser tests' server: the normal settings, with the cheap password hasher the other tests use
(settings_test.py). Django's default PBKDF2 costs about half a second of CPU per hash, paid by every demo user the
seed creates and every login a test makes (decision 0825)."""

from mtqg.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
