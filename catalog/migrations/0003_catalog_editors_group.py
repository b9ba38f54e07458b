"""The "Catalog editors" group: edit GPUs, models, their quantizations and benchmarks, and quantization
formats; read the change log. No user or group administration."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Catalog editors"
PERMISSIONS = {
    "gpu": ("add", "change", "view"),
    "llm": ("add", "change", "view"),
    "modelquant": ("add", "change", "delete", "view"),
    "benchmarkscore": ("add", "change", "delete", "view"),
    "quantformat": ("change", "view"),
    "tag": ("add", "change", "view"),
    "changerecord": ("view",),
}


def create_group(apps, schema_editor):
    # Permissions are normally created after migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    codenames = [f"{action}_{model}" for model, actions in PERMISSIONS.items() for action in actions]
    group.permissions.set(Permission.objects.filter(content_type__app_label="catalog", codename__in=codenames))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_change_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
