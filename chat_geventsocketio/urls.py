"""URLs as socketio.sdjango says: autodiscover the apps' sockets.py, then include its urls at ^socket\\.io."""
import socketio.sdjango

try:
    from django.urls import include, re_path as url
except ImportError:  # Django < 2.0
    from django.conf.urls import include, url

from chat_geventsocketio import views

socketio.sdjango.autodiscover()

urlpatterns = [
    url(r"^socket\.io", include(socketio.sdjango.urls)),
    url(r"^$", views.index, name="index"),
]
