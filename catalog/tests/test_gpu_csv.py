"""GPU CSV rows: parsing never raises on junk; round trip export → import changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import gpu_csv
from catalog.constraints import constraint_errors
from catalog.models import GPU, LLM

pytestmark = pytest.mark.django_db

cell = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "nan", "inf", "-1", "1e400", "2999-01-01", "24", "consumer", "true", "0.5"]),
)


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


def test_availability_travels_in_the_csv_and_a_wrong_one_is_named(seeded):
    a10g = GPU.objects.get(slug="nvidia-a10g")
    assert gpu_csv.to_row(a10g)["availability"] == "cloud"
    row = gpu_csv.to_row(GPU.objects.get(slug="nvidia-geforce-rtx-4090"))
    plan = gpu_csv.plan_changes([row | {"availability": "system"}])
    assert plan.updates[0].changes == {"availability": ["retail", "system"]}
    bad = gpu_csv.plan_changes([row | {"availability": "rented"}])
    assert bad.errors and bad.errors[0][1].startswith("availability: 'rented' is not one of retail, system")


def database_verdict(obj) -> list[str]:
    """Django's own check of each constraint: one query to the database per constraint."""
    messages = []
    for constraint in type(obj)._meta.constraints:
        if hasattr(constraint, "condition"):
            try:
                constraint.validate(type(obj), obj)
            except ValidationError as exc:
                messages.extend(exc.messages)
    return messages


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    memory=st.integers(min_value=-2, max_value=2),
    bandwidth=st.one_of(st.none(), st.floats(min_value=-5, max_value=5)),
    price=st.one_of(st.none(), st.integers(min_value=-3, max_value=3)),
    tensor=st.one_of(st.none(), st.floats(min_value=-1, max_value=1)),
)
def test_constraints_in_python_agree_with_the_database(memory, bandwidth, price, tensor):
    """The feed checks GPU constraints in Python; each verdict must be the database's own."""
    gpu = GPU(
        vendor="X",
        name="Y",
        slug="x-y",
        memory_bytes=memory,
        bandwidth_gbs=bandwidth,
        segment="consumer",
        street_price_usd=None if price is None else Decimal(price),
        tensor_fp16_tflops=tensor,
    )
    assert constraint_errors(gpu) == database_verdict(gpu)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    total=st.one_of(st.none(), st.integers(min_value=-1, max_value=3)),
    active=st.one_of(st.none(), st.integers(min_value=-1, max_value=3)),
    heads=st.integers(min_value=-1, max_value=4),
    kv_heads=st.integers(min_value=-1, max_value=5),
    attention=st.sampled_from(["gqa", "mla", "swa-hybrid"]),
    head_dim=st.one_of(st.none(), st.integers(min_value=-1, max_value=2)),
    window=st.one_of(st.none(), st.integers(min_value=-1, max_value=2)),
)
def test_model_constraints_in_python_agree_with_the_database(
    total, active, heads, kv_heads, attention, head_dim, window
):
    """The Hub refresh checks LLM constraints in Python, including F() comparisons between fields."""
    llm = LLM(
        name="x",
        slug="x",
        params_total=total,
        params_active=active,
        num_layers=1,
        hidden_size=1,
        num_attention_heads=heads,
        num_kv_heads=kv_heads,
        vocab_size=1,
        max_context=1,
        attention=attention,
        head_dim=head_dim,
        sliding_window=window,
    )
    assert constraint_errors(llm) == database_verdict(llm)
