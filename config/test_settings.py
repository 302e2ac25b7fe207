"""The test suite's settings: the development settings (DJANGO_DEBUG=true, whatever the
environment says; the test runner still turns DEBUG itself off) with a fast password
hasher. Production's are tested by starting the app in a child process
(jijie/core/tests/test_production_settings.py)."""

import os

os.environ["DJANGO_DEBUG"] = "true"

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Tests run without the cookie "secure" flag since the live server speaks plain HTTP.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
