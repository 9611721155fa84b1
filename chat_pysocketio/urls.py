from django.urls import re_path

from chat_pysocketio import views

urlpatterns = [
    re_path(r"^$", views.index, name="index"),
]
