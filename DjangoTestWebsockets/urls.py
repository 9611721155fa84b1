"""URLs wired as django-socketio's README says: include('django_socketio.urls')."""
try:
    from django.urls import include, re_path as url
except ImportError:  # Django < 2.0
    from django.conf.urls import include, url

from myapp import views

urlpatterns = [
    url("", include("django_socketio.urls")),
    url(r"^$", views.index, name="index"),
]
