"""Issue 17: the holes a hostile client, a careless admin or a broken upstream found, each with a test that
failed before its fix."""

import json
import uuid

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from catalog import gpu_csv
from catalog.models import GPU

pytestmark = pytest.mark.django_db


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_spoofed_forwarded_for_does_not_escape_the_throttle(seeded, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "3/minute", "user": "5/minute"},
    }
    client = APIClient(REMOTE_ADDR=f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}")  # a fresh budget
    codes = [client.get("/api/v1/quantizations/", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code for i in range(5)]
    assert codes == [200, 200, 200, 429, 429]


def test_api_writes_need_the_admins_model_permissions(seeded):
    anonymous = APIClient().post("/api/v1/gpus/", {"vendor": "X"}, format="json")
    assert anonymous.status_code == 401 and anonymous["WWW-Authenticate"].startswith("Token")
    bare = token_client(User.objects.create_user("bare", password="pw-bare-12345", is_staff=True))
    assert bare.patch("/api/v1/gpus/nvidia-geforce-rtx-4090/", {"tdp_w": 1}, format="json").status_code == 403
    assert bare.post("/api/v1/gpus/", {"vendor": "X"}, format="json").status_code == 403
    assert bare.post("/api/v1/models/import/", {"repo_id": "a/b"}, format="json").status_code == 403
    assert bare.delete("/api/v1/gpus/nvidia-geforce-rtx-4090/").status_code == 403
    editor = User.objects.create_user("ed", password="pw-ed-1234567", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalog editors"))
    ok = token_client(editor)
    assert ok.patch("/api/v1/gpus/nvidia-geforce-rtx-4090/", {"tdp_w": 455}, format="json").status_code == 200
    assert ok.delete("/api/v1/gpus/nvidia-geforce-rtx-4090/").status_code == 200  # deactivate = change
    assert GPU.objects.get(slug="nvidia-geforce-rtx-4090").is_active is False


def test_json_bodies_are_bounded_in_depth_and_size(seeded, settings):
    client = APIClient()
    deep = client.post("/api/v1/plan/", "[" * 100_000 + "]" * 100_000, content_type="application/json")
    assert deep.status_code == 400 and "nested deeper" in deep.json()["detail"]
    nested = client.post(
        "/api/v1/plan/", {"model": "llama-3-1-8b", "x": json.loads("[" * 40 + "1" + "]" * 40)}, format="json"
    )
    assert nested.status_code == 400 and "nested deeper" in nested.json()["detail"]
    settings.API_MAX_BODY_BYTES = 1000
    big = client.post("/api/v1/plan/", {"model": "x" * 5000}, format="json")
    assert big.status_code == 413 and big["Content-Type"].startswith("application/json")


def test_probes_answer_inside_the_stack_whatever_the_public_host(seeded, client, settings):
    settings.ALLOWED_HOSTS = ["planner.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="127.0.0.1:8000").status_code == 200
    assert client.get("/models/", HTTP_HOST="127.0.0.1:8000").status_code == 400  # the host check still holds


def test_readyz_names_the_failing_dependency_never_its_address(seeded, client, settings):
    settings.REDIS_URL = "redis://10.9.8.7:6390/0"
    body = client.get("/readyz").json()
    assert body["status"] == "unavailable" and body["checks"]["redis"]["ok"] is False
    assert "10.9.8.7" not in str(body) and "6390" not in str(body)


def test_csv_export_neutralises_formulas_and_import_reads_them_back(seeded):
    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-4090")
    gpu.name = "=cmd|' /C calc'!A0"
    gpu.save()
    text = gpu_csv.write(GPU.objects.filter(pk=gpu.pk))
    assert "'=cmd|" in text and ",=cmd" not in text
    row = gpu_csv.read(text)[0]
    assert row["name"] == "=cmd|' /C calc'!A0"


def test_csv_import_reports_malformed_rows_long_cells_and_duplicated_columns():
    header = ",".join(gpu_csv.COLUMNS)
    rows = gpu_csv.read(header + "\n" + ",".join(["x"] * (len(gpu_csv.COLUMNS) + 2)) + "\n")
    assert gpu_csv.parse_row(rows[0])[1] == ["row: 2 more cell(s) than the header has columns"]
    with pytest.raises(gpu_csv.CSVFormatError, match="Line 2"):
        gpu_csv.read(header + "\n" + "y" * 131_073 + "\n")
    with pytest.raises(gpu_csv.CSVFormatError, match="given twice: name"):
        gpu_csv.read(header + ",name\n")


@pytest.mark.parametrize(
    "field, value", [("bandwidth_gbs", 1e308), ("fp32_tflops", 1e308), ("tensor_fp16_tflops", 1e12), ("tdp_w", 10**9)]
)
def test_gpu_figures_are_bounded_everywhere(seeded, field, value):
    editor = User.objects.create_user("ed2", password="pw-ed-1234567", is_staff=True)
    editor.groups.add(Group.objects.get(name="Catalog editors"))
    response = token_client(editor).patch("/api/v1/gpus/nvidia-geforce-rtx-4090/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()
    row = gpu_csv.to_row(GPU.objects.get(slug="nvidia-geforce-rtx-4090")) | {
        {"fp32_tflops": "fp32_tflops"}.get(field, field): str(value)
    }
    plan = gpu_csv.plan_changes([row])
    assert plan.errors and field in plan.errors[0][1]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        GPU.objects.filter(slug="nvidia-geforce-rtx-4090").update(**{field: value})


def test_cached_api_answers_keep_their_own_host_in_links(seeded):
    client = APIClient()
    first = client.get("/api/v1/gpus/?page_size=1", HTTP_HOST="localhost").json()
    second = client.get("/api/v1/gpus/?page_size=1", HTTP_HOST="127.0.0.1").json()
    assert first["next"].startswith("http://localhost/") and second["next"].startswith("http://127.0.0.1/")


def test_an_admin_hard_delete_leaves_a_record_with_the_last_state(seeded, admin_client):
    from catalog.models import ChangeRecord

    gpu = GPU.objects.get(slug="intel-arc-b580")
    response = admin_client.post(f"/admin/catalog/gpu/{gpu.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not GPU.objects.filter(slug="intel-arc-b580").exists()
    record = ChangeRecord.objects.get(action="delete", object_id=str(gpu.pk))
    assert record.user.is_superuser and record.snapshot["slug"] == "intel-arc-b580"
    others = list(GPU.objects.filter(vendor="Intel")[:2])
    admin_client.post(
        "/admin/catalog/gpu/", {"action": "delete_selected", "_selected_action": [g.pk for g in others], "post": "yes"}
    )
    assert ChangeRecord.objects.filter(action="delete").count() == 3


def test_favicon_is_served(client):
    """Issue 18, item 9: browsers ask for /favicon.ico (it was a 404); pages link the SVG."""
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
