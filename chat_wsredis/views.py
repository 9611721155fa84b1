from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from ws4redis.publisher import RedisPublisher
from ws4redis.redis_store import RedisMessage

# The chat's facility: its clients connect to WEBSOCKET_URL + FACILITY.
FACILITY = "chat"


def index(request):
    return render(request, "chat_wsredis/index.html", {"facility": FACILITY})


def publish(request):
    """POST text=...: ws4redis' own way for Django to talk to the browsers, a broadcast on the facility."""
    text = request.POST.get("text")
    if request.method != "POST" or not text:
        return HttpResponseBadRequest("POST a text")
    RedisPublisher(facility=FACILITY, broadcast=True).publish_message(RedisMessage(text))
    return HttpResponse("published")
