"""WSGI entry point (gunicorn swingvision.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "swingvision.settings")
application = get_wsgi_application()
