"""The app served by ASGI workers, as in production (docs/operations.md): Django, with
the gates' scan lane in front of it (jijie/gates/lane.py)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from jijie.gates.lane import ScanLane  # noqa: E402 - needs the apps loaded

application = ScanLane(django_application)

# What the app loaded stays for the worker's life, and the collector need not look at it
# again: a full collection over the 390,000 objects of a loaded worker took 106 ms, a
# stall of every scan on its event loop; after this, its objects are left out.
gc.freeze()
