"""The scan lane's own application (jijie/gates/lane.py): `POST /api/gates/scans`
alone, served by uvicorn workers beside the WSGI workers that serve everything else
(config/wsgi.py); the reverse proxy routes the one path here (docs/operations.md).
A scan the lane leaves to Django (a dead token, a body that does not validate…) is
answered by Django in this process; a request for another path is a 404."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from jijie.gates.lane import ScanLane  # noqa: E402 - needs the apps loaded

application = ScanLane(django_application)

# What the worker loaded stays for its life, and the collector need not look at it
# again: a full collection over the 390,000 objects of a loaded worker took 106 ms, a
# stall of every scan on its event loop; after this, its objects are left out.
gc.freeze()
