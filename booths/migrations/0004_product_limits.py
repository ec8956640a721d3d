# The product's limits checked by validators (no database change): at most 5,000 characters of
# description in each language, and a minimum order of at least 1 said clearly before the database
# constraint min_order_at_least_one would.

import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("booths", "0003_private_documents"),
    ]

    operations = [
        migrations.AlterField(
            model_name="product",
            name="description_en",
            field=models.TextField(
                blank=True,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        5000,
                        message=(
                            "A description can be at most %(limit_value)d characters long "
                            "(this one has %(show_value)d)."
                        ),
                    )
                ],
                verbose_name="description (English)",
            ),
        ),
        migrations.AlterField(
            model_name="product",
            name="description_id",
            field=models.TextField(
                blank=True,
                validators=[
                    django.core.validators.MaxLengthValidator(
                        5000,
                        message=(
                            "A description can be at most %(limit_value)d characters long "
                            "(this one has %(show_value)d)."
                        ),
                    )
                ],
                verbose_name="description (Indonesian)",
            ),
        ),
        migrations.AlterField(
            model_name="product",
            name="min_order",
            field=models.PositiveIntegerField(
                default=1,
                validators=[
                    django.core.validators.MinValueValidator(
                        1, message="The minimum order is at least 1."
                    )
                ],
                verbose_name="minimum order",
            ),
        ),
    ]
