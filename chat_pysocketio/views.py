from django.conf import settings
from django.shortcuts import render


def index(request):
    return render(request, "chat_pysocketio/index.html", {"channel": settings.DTWS_CHANNEL})
