"""What uvicorn serves: python-socketio's ASGIApp around Django (static files included), and the conformance echo."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "DjangoTestWebsockets.settings")
os.environ.setdefault("DTWS_SOLUTION", "chat_pysocketio")

django_application = get_asgi_application()

import socketio  # noqa: E402  (after Django is set up)
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from chat_pysocketio.echo import with_echo  # noqa: E402
from chat_pysocketio.server import sio  # noqa: E402

# python-socketio hands every other path to its other_asgi_app: Django, and the conformance echo's websocket route.
application = socketio.ASGIApp(sio, with_echo(ASGIStaticFilesHandler(django_application)))
