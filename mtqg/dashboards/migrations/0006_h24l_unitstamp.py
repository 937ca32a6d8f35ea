from django.db import migrations, models


def baseline(apps, schema_editor):
    """Every commune starts with a stamp: its province's current one (the province path is an ancestor of every
    commune under it), so no commune page is uncacheable after the upgrade."""
    FactsStamp = apps.get_model("dashboards", "FactsStamp")
    UnitStamp = apps.get_model("dashboards", "UnitStamp")
    UnitStamp.objects.bulk_create(
        [UnitStamp(path=s.path, version=s.version, changed_at=s.changed_at) for s in FactsStamp.objects.all()]
    )


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0005_rollups")]

    operations = [
        migrations.CreateModel(
            name="UnitStamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=255, unique=True, verbose_name="đường dẫn đơn vị")),
                ("version", models.PositiveBigIntegerField(default=0, verbose_name="phiên bản")),
                ("changed_at", models.DateTimeField(verbose_name="tính lúc")),
            ],
            options={
                "verbose_name": "phiên bản số liệu của đơn vị",
                "verbose_name_plural": "phiên bản số liệu của đơn vị",
            },
        ),
        migrations.RunPython(baseline, migrations.RunPython.noop),
    ]
