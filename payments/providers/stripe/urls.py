"""The Stripe plugin's own URL, served in the ``payments`` namespace by ``payments.urls``."""

from django.urls import path

from payments.providers.stripe import views

urlpatterns = [
    path("stripe/webhook/", views.webhook, name="stripe_webhook"),
]
