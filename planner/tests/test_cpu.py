"""Issue 14: CPU-only plans and the user's --n-cpu-moe; the CPU decode efficiency and the expert hand-off cost they
rest on (CPU_DECODE, fitted by bench/calibrate.py on bench/cpu_decode.csv and bench/expert_offload.csv)."""

import pytest
from rest_framework.test import APIClient

from planner import specs
from planner.engine import calibration
from planner.engine.runtime import OS_RESERVE_BYTES, usable_bytes
from planner.engine.speed import decode_speed
from planner.engine.types import Runtime

GIB = 1024**3
CPU_PLAN = "/api/v1/plan/?model=llama-3-1-8b-instruct&cpu_only=true&ram_gb=64&ram_preset=ddr5-6000-dual"
OSS_PLAN = (
    "/api/v1/plan/?model=gpt-oss-120b&gpu=nvidia-geforce-rtx-4060-ti-16-gb&offload=experts&ram_gb=64"
    "&ram_preset=ddr5-6000-dual&context=32768"
)


def test_cpu_fit_is_physical_and_measured():
    """Efficiency at most 1 (no CPU reads faster than its RAM), a hand-off cost of at least 0, a band around 1."""
    fit = calibration.CPU_DECODE
    assert 0 < fit["efficiency"] <= 1 and fit["t_handoff_s"] >= 0
    assert fit["low"] <= 1 <= fit["high"]
    assert fit["rows"] >= 6 and fit["cpus"] >= 3 and fit["handoff_rows"] >= 8


def test_cpu_decode_golden():
    """5 GB per token from DDR5-6000 in two channels (96 GB/s) at CPU_DECODE's efficiency (0.6468): 12.42 tok/s."""
    cpu = specs.cpu_device(64, 96.0)
    assert decode_speed(cpu, 5 * 10**9).tok_s == pytest.approx(12.42, abs=0.01)
    assert usable_bytes(cpu, Runtime()) == 64 * GIB - OS_RESERVE_BYTES


def test_cpu_only_plan(seeded):
    body = APIClient().get(CPU_PLAN).json()
    assert body["fits"] and body["decode_tok_s"]["tok_s"] == pytest.approx(10.91, abs=0.05)
    assert body["prefill_tok_s"] is None and body["offload_mode"] == "none"
    assert body["usable_bytes"] == 60 * GIB
    assert any(a.startswith("CPU only") for a in body["assumptions"])
    assert " -ngl 0 " in body["commands"]["llamacpp"] + " "
    assert body["commands"]["vllm"] is None  # Q4_K_M: vLLM does not load it; a CPU plan has no vLLM command either
    small = APIClient().get(CPU_PLAN.replace("llama-3-1-8b", "llama-3-1-70b").replace("ram_gb=64", "ram_gb=16"))
    assert small.json()["fits"] is False and small.json()["decode_tok_s"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("&gpu=nvidia-geforce-rtx-4090", "cpu_only"),
        ("&runtime=vllm", "runtime"),
        ("&gpu_count=2", "gpu_count"),
        ("&offload=experts", "offload"),
        ("&batch=4", "batch"),  # no CPU compute rate on record to bound a batch
        ("&bandwidth_gbs=500", "cpu_only"),  # a GPU's figure: the RAM's goes in ram_bandwidth_gbs
        ("&cpu_moe_layers=3", "cpu_moe_layers"),
    ],
)
def test_cpu_only_refusals_name_the_field(seeded, query, field):
    response = APIClient().get(CPU_PLAN + query)
    assert response.status_code == 400 and field in response.json()


def test_cpu_only_needs_the_ram_and_defaults_its_bandwidth(seeded):
    base = "/api/v1/plan/?model=llama-3-1-8b-instruct&cpu_only=true"
    assert "ram_gb" in APIClient().get(base + "&ram_preset=ddr5-6000-dual").json()
    default = APIClient().get(base + "&ram_gb=64").json()  # no RAM kit: DDR4-3200 dual channel, and it says so
    assert default["fits"] and any("(51.2 GB/s)" in a for a in default["assumptions"])


def test_expert_offload_golden_and_the_users_n(seeded):
    """gpt-oss-120b on a 16 GB card with 64 GB of DDR5-6000 at 32K: experts of 29 of 36 layers in RAM, 22.52 tok/s
    (31.6 before the CPU efficiency and the hand-off cost were measured and bytes per token were counted once); all 36
    layers' experts read more from RAM and hand off more often, so it is slower."""
    auto = APIClient().get(OSS_PLAN).json()
    assert auto["cpu_moe_layers"] == 29 and auto["decode_tok_s"]["tok_s"] == pytest.approx(22.52, abs=0.05)
    every = APIClient().get(OSS_PLAN + "&cpu_moe_layers=36").json()
    assert every["cpu_moe_layers"] == 36 and every["decode_tok_s"]["tok_s"] < auto["decode_tok_s"]["tok_s"]
    assert "--n-cpu-moe 36" in every["commands"]["llamacpp"]


def test_n_cpu_moe_of_zero_is_the_plan_without_offload(seeded):
    zero = (
        APIClient()
        .get(OSS_PLAN.replace("gpt-oss-120b", "gpt-oss-20b").replace("4060-ti-16-gb", "4090") + "&cpu_moe_layers=0")
        .json()
    )
    assert zero["fits"] and zero["offload_mode"] == "none" and zero["cpu_moe_layers"] == 0


def test_n_cpu_moe_needs_a_gpu(seeded):
    response = APIClient().get("/api/v1/plan/?model=gpt-oss-20b&cpu_moe_layers=3")
    assert response.status_code == 400 and "cpu_moe_layers" in response.json()


def test_n_cpu_moe_on_a_dense_model_is_a_400_naming_it(seeded):
    response = APIClient().get("/api/v1/plan/?model=llama-3-1-8b-instruct&gpu=nvidia-geforce-rtx-4090&cpu_moe_layers=3")
    assert response.status_code == 400 and "cpu_moe_layers" in response.json()


def test_planner_page_plans_for_the_cpu_alone_and_without_any_device(client, seeded):
    cpu = client.get("/plan/?model=llama-3-1-8b-instruct&cpu_only=on&ram_gb=32&ram_preset=ddr5-6000-dual")
    text = cpu.content.decode()
    assert cpu.status_code == 200 and "Fits: Llama 3.1 8B Instruct Q4_K_M" in text and "of 28.0 GB usable" in text
    assert "-ngl 0" in text
    bare = client.get("/plan/?model=llama-3-1-8b-instruct")  # was 400 "Choose a GPU or enter a custom VRAM size"
    assert bare.status_code == 200 and "Memory: Llama 3.1 8B Instruct Q4_K_M" in bare.content.decode()
    assert "<dd>none</dd>" not in bare.content.decode()  # no device: no "max context that fits: none"


def test_planner_page_names_what_a_cpu_only_plan_cannot_take(client, seeded):
    response = client.get("/plan/?model=llama-3-1-8b-instruct&cpu_only=on&runtime=vllm&gpu=nvidia-geforce-rtx-4090")
    text = response.content.decode()
    assert response.status_code == 400
    assert "CPU backend is not modelled" in text and "takes no GPU" in text and "needs the machine" in text


def test_planner_short_links_and_conflicts(client, seeded):
    """Issue 18, item 5: an htmx answer pushes the address without empty or default fields; a GPU and a custom VRAM
    size together are a message, not one silently ignored; the quantization field offers the runtime's formats."""
    long = (
        "/plan/?model=llama-3-1-8b-instruct&quant=&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&params_b="
        "&gpu=nvidia-geforce-rtx-4090&vram_gb=&gpu_count=1&offload=none&ram_gb=&cpu_moe_layers="
    )
    for _ in range(2):  # the second answer comes from the page cache and must carry the header too
        response = client.get(long, HTTP_HX_REQUEST="true")
        assert response["HX-Push-Url"] == "/plan/?model=llama-3-1-8b-instruct&gpu=nvidia-geforce-rtx-4090"
    both = client.get("/plan/?model=llama-3-1-8b-instruct&gpu=nvidia-geforce-rtx-4090&vram_gb=24")
    assert both.status_code == 400 and "not both" in both.content.decode()
    page = client.get("/plan/?model=llama-3-1-8b-instruct").content.decode()
    assert 'list="quant-options"' in page and '<option value="IQ4_XS">' in page
