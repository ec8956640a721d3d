# The mall after the expo: the catalogue keeps selling (channel "mall") until this moment.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("expo", "0007_buyer_profiles"),
    ]

    operations = [
        migrations.AddField(
            model_name="expo",
            name="mall_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="mall open until"),
        ),
        migrations.AddConstraint(
            model_name="expo",
            constraint=models.CheckConstraint(
                condition=models.Q(("mall_until__isnull", True))
                | models.Q(("mall_until__gt", models.F("closes_at"))),
                name="expo_mall_after_closing",
            ),
        ),
    ]
