"""Django Channels' integration, as its tutorial does it: the app, ASGI_APPLICATION, a channel layer."""

INSTALLED_APPS = ["channels", "chat_channels"]
ROOT_URLCONF = "chat_channels.urls"
SETTINGS = {
    "ASGI_APPLICATION": "chat_channels.asgi.application",
    # One daphne process serves every client, so the in-memory layer reaches them all.
    "CHANNEL_LAYERS": {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}},
}
