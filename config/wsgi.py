"""The app as production serves it: gunicorn's threaded workers (docs/operations.md).
The gates' scan path has its own application beside it (config/lane.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
