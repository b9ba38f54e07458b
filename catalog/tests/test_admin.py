"""The catalog editor through the admin's own views, as a staff user."""

import csv
import io
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import gpu_csv
from catalog.models import GPU, ChangeRecord

pytestmark = pytest.mark.django_db
RTX4090 = "nvidia-geforce-rtx-4090"


@pytest.fixture
def editor(client, seeded):
    user = User.objects.create_user("editor", password="pw-editor-123", is_staff=True)
    user.groups.add(Group.objects.get(name="Catalog editors"))
    client.force_login(user)
    client.user = user
    return client


def change_url(gpu):
    return f"/admin/catalog/gpu/{gpu.pk}/change/"


def form_data(gpu, **overrides):
    """The change form's data as the browser would post it."""
    row = {
        f: getattr(gpu, f)
        for f in (
            "vendor",
            "name",
            "slug",
            "architecture",
            "segment",
            "memory_bytes",
            "memory_type",
            "bus_width_bits",
            "bandwidth_gbs",
            "fp16_tflops",
            "fp32_tflops",
            "tensor_fp16_tflops",
            "tensor_fp16acc_tflops",
            "tensor_fp8_tflops",
            "tensor_int8_tops",
            "compute_units",
            "tdp_w",
            "release_date",
            "launch_price_usd",
            "street_price_usd",
            "street_price_observed_at",
            "availability",
        )
    }
    data = {k: ("" if v is None else v) for k, v in row.items()}
    if gpu.is_active:
        data["is_active"] = "on"
    if gpu.release_year_only:
        data["release_year_only"] = "on"
    data.update(overrides)
    return data


def test_list_search_filter_and_sort(editor):
    response = editor.get("/admin/catalog/gpu/?q=4090")
    assert response.status_code == 200 and "GeForce RTX 4090" in response.content.decode()
    rows = editor.get("/admin/catalog/gpu/?vendor=Apple&has_price=no&o=3").context["cl"].result_list
    assert rows and all(g.vendor == "Apple" and g.price_usd is None for g in rows)
    inactive = editor.get("/admin/catalog/gpu/?is_active__exact=0").context["cl"].result_count
    assert inactive == GPU.objects.filter(is_active=False).count()
    assert editor.get("/admin/catalog/llm/?q=qwen").status_code == 200
    assert editor.get("/admin/catalog/quantformat/?family__exact=gguf").status_code == 200


def test_edit_records_history_and_locks_the_field(editor):
    gpu = GPU.objects.get(slug=RTX4090)
    response = editor.post(change_url(gpu), form_data(gpu, bandwidth_gbs="1100"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    gpu.refresh_from_db()
    assert gpu.bandwidth_gbs == 1100 and gpu.locked_fields == ["bandwidth_gbs"] and gpu.admin_edited_at
    change = ChangeRecord.objects.get(object_id=str(gpu.pk))
    assert (
        change.user == editor.user and change.via == "admin" and change.changes == {"bandwidth_gbs": [1010.0, 1100.0]}
    )
    page = editor.get(f"/admin/catalog/gpu/{gpu.pk}/history/").content.decode()
    assert "bandwidth_gbs" in page and "1100.0" in page
    assert "🔒" in editor.get(change_url(gpu)).content.decode()


def test_bad_values_get_clear_messages_and_change_nothing(editor):
    gpu = GPU.objects.get(slug=RTX4090)
    response = editor.post(
        change_url(gpu),
        form_data(
            gpu,
            memory_bytes="0",
            bandwidth_gbs="-1",
            street_price_usd="-5",
            release_date="2999-01-01",
            slug="nvidia-geforce-rtx-3090",
        ),
    )
    errors = response.context["adminform"].form.errors
    assert response.status_code == 200
    assert {"memory_bytes", "bandwidth_gbs", "street_price_usd", "release_date", "slug"} <= set(errors)
    assert "VRAM must be positive." in errors["memory_bytes"]
    gpu.refresh_from_db()
    assert gpu.bandwidth_gbs == 1010.0 and not ChangeRecord.objects.exists()


def test_revert_to_an_earlier_version(editor):
    gpu = GPU.objects.get(slug=RTX4090)
    seeded_price = gpu.street_price_usd
    editor.post(change_url(gpu), form_data(gpu, bandwidth_gbs="1100"))
    gpu.refresh_from_db()
    editor.post(change_url(gpu), form_data(gpu, bandwidth_gbs="1200", street_price_usd="1899.00"))
    first = ChangeRecord.objects.filter(object_id=str(gpu.pk)).order_by("at", "pk").first()
    response = editor.post(f"/admin/catalog/gpu/{gpu.pk}/history/{first.pk}/revert/")
    assert response.status_code == 302
    gpu.refresh_from_db()
    assert gpu.bandwidth_gbs == 1100 and gpu.street_price_usd == seeded_price != Decimal("1899.00")
    assert ChangeRecord.objects.filter(object_id=str(gpu.pk), action="revert").count() == 1


def test_unlock_lets_the_refresh_update_the_field_again(editor):
    gpu = GPU.objects.get(slug=RTX4090)
    editor.post(change_url(gpu), form_data(gpu, bandwidth_gbs="1100"))
    gpu.refresh_from_db()
    editor.post(change_url(gpu), form_data(gpu, unlock=["bandwidth_gbs"]))
    gpu.refresh_from_db()
    assert gpu.locked_fields == [] and gpu.bandwidth_gbs == 1100
    assert ChangeRecord.objects.filter(action="unlock").exists()


def test_bulk_deactivate_and_mark_price_unknown(editor):
    ids = list(GPU.objects.filter(name__contains="RTX 40").values_list("pk", flat=True))
    response = editor.post("/admin/catalog/gpu/", {"action": "deactivate", "_selected_action": ids})
    assert response.status_code == 302
    assert not GPU.objects.filter(pk__in=ids, is_active=True).exists()
    assert ChangeRecord.objects.filter(action="update", object_id__in=[str(i) for i in ids]).count() == len(ids)
    GPU.objects.filter(pk=ids[0]).update(street_price_usd=999)
    editor.post("/admin/catalog/gpu/", {"action": "mark_price_unknown", "_selected_action": ids[:1]})
    assert GPU.objects.get(pk=ids[0]).street_price_usd is None


def test_export_the_filtered_list(editor):
    response = editor.get("/admin/catalog/gpu/export/?vendor=Apple")
    assert response["Content-Type"] == "text/csv" and "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == GPU.objects.filter(vendor="Apple").count() and {r["vendor"] for r in rows} == {"Apple"}
    assert list(rows[0]) == gpu_csv.COLUMNS


def _upload(editor, text):
    return editor.post("/admin/catalog/gpu/import/", {"file": SimpleUploadedFile("gpus.csv", text.encode())})


def test_import_previews_then_writes_on_confirm(editor):
    exported = editor.get("/admin/catalog/gpu/export/?q=RTX+4090").content.decode()
    lines = exported.splitlines()
    header, rows = lines[0], [r for r in csv.DictReader(io.StringIO(exported))]
    target = next(r for r in rows if r["slug"] == RTX4090)
    target["street_price_usd"] = "1749.00"
    new = dict(target, slug="", name="GeForce RTX 4090 Test Edition", street_price_usd="")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header.split(","), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows + [new])
    preview = _upload(editor, out.getvalue())
    assert preview.status_code == 200, (
        preview.context["plan"] and preview.context["plan"].errors,
        preview.context["error"],
    )
    plan = preview.context["plan"]
    assert len(plan.creates) == 1 and len(plan.updates) == 1 and plan.unchanged == len(rows) - 1
    assert not GPU.objects.filter(name="GeForce RTX 4090 Test Edition").exists()  # preview writes nothing
    imp = preview.context["import"]  # the upload stays on the server: the confirmation posts only its id
    assert imp.status == "previewed" and f'value="{imp.pk}"' in preview.content.decode()
    assert "csv_text" not in preview.content.decode()
    done = editor.post("/admin/catalog/gpu/import/", {"confirm": "1", "import_id": str(imp.pk)})
    assert done.status_code == 302 and done["Location"].endswith("/admin/catalog/gpu/")
    imp.refresh_from_db()
    assert imp.status == "done" and imp.text == "" and (imp.created, imp.changed) == (1, 1)
    again = editor.post("/admin/catalog/gpu/import/", {"confirm": "1", "import_id": str(imp.pk)})
    assert again.status_code == 400 and "already confirmed" in again.content.decode()
    assert GPU.objects.get(slug=RTX4090).street_price_usd == 1749
    assert GPU.objects.filter(slug="nvidia-geforce-rtx-4090-test-edition").exists()
    assert ChangeRecord.objects.filter(via="csv").count() == 2
    assert "street_price_usd" in GPU.objects.get(slug=RTX4090).locked_fields


def test_a_file_with_one_bad_row_is_rejected_whole(editor):
    before = list(GPU.objects.order_by("pk").values_list("slug", "bandwidth_gbs", "street_price_usd"))
    text = (
        "vendor,name,memory_gb,segment,bandwidth_gbs,street_price_usd\n"
        "NVIDIA,GeForce RTX 4090,24,consumer,1010,1500\n"
        "NVIDIA,Brand New Card,abc,consumer,500,\n"
        "AMD,Another Card,16,moon,-3,\n"
    )
    response = _upload(editor, text)
    assert response.status_code == 400
    errors = dict(response.context["plan"].errors)
    assert "memory_gb" in errors[3] and any(
        m.startswith("segment") for r, m in response.context["plan"].errors if r == 4
    )
    html = response.content.decode()
    assert "Row 3: memory_gb" in html and "Nothing was written" in html
    assert "import" not in response.context  # nothing kept, nothing to confirm
    for bogus in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        confirm = editor.post("/admin/catalog/gpu/import/", {"confirm": "1", "import_id": bogus})
        assert confirm.status_code == 400
    assert list(GPU.objects.order_by("pk").values_list("slug", "bandwidth_gbs", "street_price_usd")) == before
    assert not ChangeRecord.objects.exists()
    assert "Missing column" in _upload(editor, "vendor,name\nX,Y\n").content.decode()


def test_non_staff_and_anonymous_are_refused(client, seeded):
    assert client.get("/admin/catalog/gpu/").status_code == 302
    User.objects.create_user("plain", password="pw-plain-12345")
    client.login(username="plain", password="pw-plain-12345")
    response = client.get("/admin/catalog/gpu/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get("/admin/catalog/gpu/export/").status_code == 302


def test_catalog_editors_edit_gpus_but_not_users(editor):
    assert editor.get("/admin/catalog/gpu/").status_code == 200
    assert editor.get("/admin/auth/user/").status_code == 403
    assert editor.get("/admin/catalog/changerecord/").status_code == 200


def test_ensure_admin_creates_a_superuser_without_printing_the_password(db):
    env = {
        **os.environ,
        "DJANGO_ADMIN_USERNAME": "boss",
        "DJANGO_ADMIN_EMAIL": "boss@example.org",
        "DJANGO_ADMIN_PASSWORD": "a-long-secret-pass-42",
    }
    from django.core.management import call_command

    out = io.StringIO()
    old = dict(os.environ)
    os.environ.update(env)
    try:
        call_command("ensure_admin", stdout=out)
        call_command("ensure_admin", stdout=out)  # idempotent
    finally:
        os.environ.clear()
        os.environ.update(old)
    assert "a-long-secret-pass-42" not in out.getvalue()
    user = User.objects.get(username="boss")
    assert user.is_superuser and user.check_password("a-long-secret-pass-42")
    short = subprocess.run(
        [sys.executable, "manage.py", "ensure_admin"],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_ADMIN_PASSWORD": "short"},
        capture_output=True,
        text=True,
    )
    assert short.returncode != 0 and "at least 12" in short.stderr and "short" not in short.stdout


def _big_file(n):
    header = "vendor,name,memory_gb,segment,bandwidth_gbs\n"
    return header + "".join(f"Acme,Bulk Card {i},{8 + i % 4 * 8},consumer,{200 + i}\n" for i in range(n))


def test_a_large_import_runs_as_a_task_and_its_page_follows_it(editor, settings, django_capture_on_commit_callbacks):
    """Over CSV_IMPORT_INLINE_ROWS rows, the confirmation answers at once and a Celery task writes the file (run
    eagerly here; catalog/tests/test_celery.py runs one through a real worker)."""
    from config.celery import app

    settings.CSV_IMPORT_INLINE_ROWS = 5
    preview = _upload(editor, _big_file(30))
    imp = preview.context["import"]
    assert imp.created == 30 and "written in the background" in preview.content.decode()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = editor.post("/admin/catalog/gpu/import/", {"confirm": "1", "import_id": str(imp.pk)})
        status_url = f"/admin/catalog/gpu/import/{imp.pk}/"
        assert response.status_code == 302 and response["Location"] == status_url
        page = editor.get(status_url).content.decode()
        assert "Queued" in page and 'http-equiv="refresh"' in page  # not written yet: the task waits on the commit
        assert not GPU.objects.filter(vendor="Acme").exists()
        for callback in queued:
            callback()
    finally:
        app.conf.task_always_eager = eager
    page = editor.get(status_url).content.decode()
    assert "Imported" in page and "30 created" in page and 'http-equiv="refresh"' not in page
    assert GPU.objects.filter(vendor="Acme").count() == 30 and ChangeRecord.objects.filter(via="csv").count() == 30


def test_an_import_the_catalog_outgrew_fails_whole_with_the_reason(editor):
    from catalog import gpu_csv

    preview = _upload(editor, _big_file(3))
    imp = preview.context["import"]
    GPU.objects.create(
        vendor="Acme", name="Bulk Card 1", slug="acme-bulk-card-1", memory_bytes=8 * 1024**3, segment="consumer"
    )  # created meanwhile: the upload now changes it, fine
    imp.text += "Acme,Bulk Card 9,-4,consumer,100\n"  # a row that no longer passes (as if the rules moved)
    imp.save()
    imp.status = "queued"
    imp.save()
    done = gpu_csv.run_import(imp.pk)
    assert done.status == "failed" and "Nothing was written" in done.message and "row 5" in done.message
    assert GPU.objects.filter(vendor="Acme").count() == 1 and not ChangeRecord.objects.filter(via="csv").exists()
    assert gpu_csv.run_import(imp.pk).status == "failed"  # a redelivered task leaves a finished import alone


def test_an_import_no_worker_finished_is_reported_failed_not_in_progress_forever(editor, settings):
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import CSVImport

    imp = CSVImport.objects.create(
        file_name="lost.csv", text="vendor,name,memory_gb,segment\n", status=CSVImport.Status.QUEUED, created=900
    )
    CSVImport.objects.filter(pk=imp.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)
    )
    page = editor.get(f"/admin/catalog/gpu/import/{imp.pk}/").content.decode()
    assert "Failed" in page and "no worker finished this import in time" in page
    assert 'http-equiv="refresh"' not in page
