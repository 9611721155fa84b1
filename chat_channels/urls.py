try:
    from django.urls import re_path as url
except ImportError:  # Django < 2.0
    from django.conf.urls import url

from chat_channels import views

urlpatterns = [
    url(r"^$", views.index, name="index"),
]
