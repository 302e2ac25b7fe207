"""Django as an ASGI application, for servers that speak only ASGI. Production serves
the app by WSGI (config/wsgi.py) and the gates' scan path by its own lane
(config/lane.py): docs/operations.md."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
