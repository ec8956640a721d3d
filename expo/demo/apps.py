from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo expo and its seeder (``manage.py seed_demo``); production code never imports it."""

    name = "expo.demo"
    label = "demo"
    verbose_name = "Demo"
