"""Report models were the expo app's: their content types and audit entries take the new label."""

from django.db import migrations

from expo.moved_models import relabel


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("expo", "0001_initial"),
    ]

    operations = [
        relabel(old="expo", new="reports", models=["potentialdeal", "apitoken", "reportjob"])
    ]
