"""The app as production serves it: gunicorn's threaded workers (docs/operations.md).
The gates' scan path has its own application beside it (config/lane.py)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()
# What the app loaded lives as long as the worker: kept out of the cyclic collector's
# passes, which otherwise walk it again each time a request makes many objects (a lab's
# file of 65,000 rows: a tenth of its import).
gc.freeze()
