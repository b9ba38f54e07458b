"""GPU CSV rows: parsing never raises on junk; round trip export → import changes nothing."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import gpu_csv
from catalog.models import GPU

pytestmark = pytest.mark.django_db

cell = st.one_of(st.text(max_size=12), st.sampled_from(["", "nan", "inf", "-1", "1e400", "2999-01-01", "24",
                                                         "consumer", "true", "0.5"]))


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(row=st.fixed_dictionaries({c: cell for c in gpu_csv.COLUMNS}))
def test_parse_and_plan_never_raise_on_any_row(seeded, row):
    values, errors = gpu_csv.parse_row(row)
    plan = gpu_csv.plan_changes([row])
    assert isinstance(errors, list) and (plan.errors or plan.creates or plan.updates or plan.unchanged)


def test_export_then_import_is_a_no_op(seeded):
    plan = gpu_csv.plan_changes(gpu_csv.read(gpu_csv.write(GPU.objects.all())))
    assert plan.ok and not plan.creates and not plan.updates and plan.unchanged == GPU.objects.count()


def test_locked_fields_are_kept_and_counted_when_asked(seeded):
    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-4090")
    gpu.locked_fields = ["bandwidth_gbs"]
    gpu.save()
    row = gpu_csv.to_row(gpu) | {"bandwidth_gbs": "999", "tdp_w": "460"}
    plan = gpu_csv.plan_changes([row], respect_locks=True)
    assert plan.skipped_locked == 1 and plan.updates[0].changes == {"tdp_w": [450, 460]}
