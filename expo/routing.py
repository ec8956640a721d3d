"""Websocket routes: one endpoint; features add frame handlers, not routes."""

from django.urls import path

from events.consumer import SocketConsumer

websocket_urlpatterns = [path("ws/", SocketConsumer.as_asgi())]
