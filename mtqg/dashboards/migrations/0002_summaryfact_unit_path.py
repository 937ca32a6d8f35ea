from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_paths(apps, schema_editor):  # type: ignore[no-untyped-def]
    SummaryFact = apps.get_model("dashboards", "SummaryFact")
    UnitVersion = apps.get_model("geo", "UnitVersion")
    SummaryFact.objects.update(unit_path=Subquery(UnitVersion.objects.filter(pk=OuterRef("unit_id")).values("path")[:1]))


class Migration(migrations.Migration):
    dependencies = [("dashboards", "0001_initial"), ("geo", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="summaryfact",
            name="unit_path",
            field=models.CharField(
                default="",
                editable=False,
                help_text="Bản sao UnitVersion.path để lọc nhanh",
                max_length=255,
                verbose_name="đường dẫn đơn vị",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_paths, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="summaryfact",
            index=models.Index(fields=["unit_path", "year"], name="summary_fact_path_year"),
        ),
    ]
