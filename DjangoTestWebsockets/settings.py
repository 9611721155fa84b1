"""Settings of the project under test.

This module runs inside every cell of the matrix: Python 2.7 and every 3.x,
Django 1.8 to the newest release. Stdlib only, no f-strings, no annotations.
"""
import os
from importlib import import_module

BASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SECRET_KEY = "dtws-local-only-not-a-secret"

DEBUG = True

ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]

# The library under test (the cell's solution) brings its own integration:
# each one is a Django app whose ``integration`` module lists what it adds.
# DTWS_SOLUTION names it (tox.ini sets it from each library's declaration in
# dtws/libraries/); a cell of the first library, django-socketio, needs none.
SOLUTION = os.environ.get("DTWS_SOLUTION", "myapp")
_integration = import_module(SOLUTION + ".integration")

INSTALLED_APPS = ["django.contrib.staticfiles"] + list(_integration.INSTALLED_APPS)
# dtws's fault drills (faults_app/faults.py), in any library's cell when DTWS_FAULT asks for one.
if os.environ.get("DTWS_FAULT") and "faults_app.apps.FaultsConfig" not in INSTALLED_APPS:
    INSTALLED_APPS.append("faults_app.apps.FaultsConfig")

# Django 1.8 and 1.9 read MIDDLEWARE_CLASSES, 1.10 and later read MIDDLEWARE.
MIDDLEWARE_CLASSES = []
MIDDLEWARE = []

ROOT_URLCONF = _integration.ROOT_URLCONF

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [os.path.join(BASE_DIR, "DjangoTestWebsockets", "templates")],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                # django-socketio's socketio_scripts.html reads
                # {{ STATIC_URL|default:MEDIA_URL }}: both must be in the context.
                "django.template.context_processors.media",
                "django.template.context_processors.static",
            ]
            # The library's own (ws4redis' WEBSOCKET_URI), when its integration names some.
            + list(getattr(_integration, "CONTEXT_PROCESSORS", [])),
        },
    },
]

WSGI_APPLICATION = "DjangoTestWebsockets.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
    }
}

USE_TZ = True

STATIC_URL = "/static/"

# The channel the chat page subscribes to and myapp.events broadcasts on.
DTWS_CHANNEL = "dtws"

# django-socketio reads these: runserver_socketio without an address listens
# there, and the {% socketio %} tag defaults the client's port to
# SOCKETIO_PORT. dtws passes the port it picked as DTWS_SOCKETIO_PORT.
SOCKETIO_HOST = "127.0.0.1"
SOCKETIO_PORT = int(os.environ.get("DTWS_SOCKETIO_PORT", "9000"))

globals().update(_integration.SETTINGS)
