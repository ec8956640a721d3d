from django.db import migrations


def fill(apps, schema_editor):
    """The buyers with an account among the visitors of the booths they bought from (the booths'
    visit rollups; written with each sale from now on)."""
    from booths.services.visit_rollups import reach_add
    from payments.services.rollups import buyers_reached

    for expo_id, booth_id, visitor in buyers_reached(None, apps):
        reach_add(expo_id=expo_id, booth_ids=[booth_id], visitor=visitor)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0007_offline_sales"),
        ("booths", "0010_visit_rollups"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
