# Buyers abroad: the collecting account's SWIFT/BIC, bank address and who pays the transfer fees.

from django.db import migrations, models

import payments.models.settings


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0002_charges"),
    ]

    operations = [
        migrations.AddField(
            model_name="collectingaccount",
            name="bank_address",
            field=models.TextField(blank=True, verbose_name="bank address"),
        ),
        migrations.AddField(
            model_name="collectingaccount",
            name="swift_bic",
            field=models.CharField(
                blank=True,
                max_length=11,
                validators=[payments.models.settings.validate_swift_bic],
                verbose_name="SWIFT/BIC",
            ),
        ),
        migrations.AddField(
            model_name="collectingaccount",
            name="transfer_fees",
            field=models.CharField(
                choices=[
                    ("OUR", "OUR: the sender pays all fees; the full amount arrives"),
                    ("SHA", "SHA: shared; each side pays its own bank"),
                    ("BEN", "BEN: the fees are taken from the amount that arrives"),
                ],
                default="OUR",
                max_length=3,
                verbose_name="transfer fees",
            ),
        ),
    ]
