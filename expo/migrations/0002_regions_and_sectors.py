"""Central Java's 35 regencies and cities and the business sectors, from the CSV files in expo/data/.

Idempotent: rows are matched by region code and sector slug, so running it again (or after the data
were edited in the admin) only creates what is missing and updates what changed.
"""

from django.db import migrations


def load(apps, schema_editor):
    from expo import regions

    regions.load_defaults(
        region_model=apps.get_model("expo", "Region"),
        sector_model=apps.get_model("expo", "Sector"),
    )


class Migration(migrations.Migration):
    dependencies = [("expo", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop, elidable=False)]
