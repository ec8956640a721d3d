# The "Publish" action: the hall can be public before the application deadline.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("expo", "0002_regions_and_sectors"),
    ]

    operations = [
        migrations.AddField(
            model_name="expo",
            name="published_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="hall public from"),
        ),
    ]
