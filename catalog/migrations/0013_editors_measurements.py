"""Catalog editors may add, change and delete speed measurements (each with its source)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalog editors"
ACTIONS = ("add", "change", "delete", "view")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():  # permissions are normally created after migrations
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*Permission.objects.filter(content_type__app_label="catalog",
                                                     codename__in=[f"{a}_measurement" for a in ACTIONS]))


def revoke(apps, schema_editor):
    Group, Permission = apps.get_model("auth", "Group"), apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="catalog",
                                                            codename__in=[f"{a}_measurement" for a in ACTIONS]))


class Migration(migrations.Migration):
    dependencies = [("catalog", "0012_measurement")]

    operations = [migrations.RunPython(grant, revoke)]
