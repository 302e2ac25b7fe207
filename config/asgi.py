"""The app served by ASGI workers, as in production (docs/operations.md): Django, with
the gates' scan lane in front of it (jijie/gates/lane.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_asgi_application()

from jijie.gates.lane import ScanLane  # noqa: E402 - needs the apps loaded

application = ScanLane(django_application)
