"""The chat page, the view that publishes through ws4redis' RedisPublisher, and the static files.

``staticfiles_urlpatterns()``: ws4redis' docs add it for the stand alone uWSGI
server, which serves no static files of its own (runserver serves them anyway).
"""
try:
    from django.urls import re_path as url
except ImportError:  # Django < 2.0
    from django.conf.urls import url
from django.contrib.staticfiles.urls import staticfiles_urlpatterns

from chat_wsredis import views

urlpatterns = [
    url(r"^$", views.index, name="index"),
    url(r"^publish/$", views.publish, name="publish"),
] + staticfiles_urlpatterns()
