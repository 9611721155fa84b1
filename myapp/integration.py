"""django-socketio's integration, as its README says."""

INSTALLED_APPS = ["django_socketio", "myapp"]
ROOT_URLCONF = "DjangoTestWebsockets.urls"
SETTINGS = {}
