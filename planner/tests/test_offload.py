"""Issue 14: the user's machine. Offloaded bytes must fit in system RAM less the OS reserve; a MoE can keep
its routed experts in RAM (llama.cpp --n-cpu-moe) and "auto" takes the fastest placement that fits."""

import pytest
from rest_framework.test import APIClient

from catalog.models import GPU, LLM
from planner import sizing, specs
from planner.engine.plan import plan
from planner.engine.runtime import OS_RESERVE_BYTES
from planner.engine.types import Runtime, Setup, Workload

GIB = 1024**3


@pytest.fixture
def gpt_oss_120b(seeded):
    llm = LLM.objects.get(slug="gpt-oss-120b")
    return specs.llm_to_arch(llm), sizing.plan_inputs(llm, None, None, "llamacpp").quant


def card(slug):
    return specs.gpu_to_device(GPU.objects.get(slug=slug))


def test_gpt_oss_120b_on_a_16_gb_card_with_64_gb_of_ram_keeps_experts_in_ram(gpt_oss_120b):
    arch, quant = gpt_oss_120b
    work, gpu = Workload(context=32768), card("nvidia-geforce-rtx-4060-ti-16-gb")
    setup = Setup(devices=(gpu,), offload="auto", ram_bytes=64 * GIB, host_ram_bandwidth_gbs=96.0)
    p = plan(arch, quant, work, setup, Runtime())
    assert p.fits and p.offload_mode == "experts" and 0 < p.cpu_moe_layers < arch.num_layers
    assert p.memory.total_bytes <= p.usable_bytes and p.ram_needed_bytes <= 64 * GIB
    layers = plan(
        arch,
        quant,
        work,
        Setup(devices=(gpu,), offload="layers", ram_bytes=64 * GIB, host_ram_bandwidth_gbs=96.0),
        Runtime(),
    )
    assert layers.fits and p.decode.tok_s > layers.decode.tok_s  # experts beat layers: why auto chose them
    assert plan(arch, quant, work, Setup(devices=(gpu,)), Runtime()).fits is False  # no offload: no fit


def test_too_little_ram_is_not_a_fit_and_says_how_much_is_needed(gpt_oss_120b):
    arch, quant = gpt_oss_120b
    p = plan(
        arch,
        quant,
        Workload(context=8192),
        Setup(devices=(card("nvidia-geforce-rtx-4060-ti-16-gb"),), offload="auto", ram_bytes=32 * GIB),
        Runtime(),
    )
    assert not p.fits and p.decode is None and p.ram_needed_bytes > 32 * GIB
    assert any("does not fit system RAM: needs" in a for a in p.assumptions)


def test_without_the_machines_ram_an_offload_plan_says_what_ram_it_needs_and_claims_no_fit(gpt_oss_120b):
    arch, quant = gpt_oss_120b
    p = plan(
        arch,
        quant,
        Workload(context=8192),
        Setup(devices=(card("nvidia-geforce-rtx-4060-ti-16-gb"),), offload=True),
        Runtime(),
    )
    assert not p.fits and p.offload_mode == "experts" and p.ram_needed_bytes > OS_RESERVE_BYTES
    assert any("give the machine's RAM (ram_gb) to check" in a for a in p.assumptions)


def test_expert_offload_is_llamacpps_on_one_gpu(gpt_oss_120b):
    arch, quant = gpt_oss_120b
    gpu = card("nvidia-geforce-rtx-4060-ti-16-gb")
    ollama = plan(
        arch,
        quant,
        Workload(context=8192),
        Setup(devices=(gpu,), offload="auto", ram_bytes=128 * GIB),
        Runtime(name="ollama"),
    )
    assert ollama.offload_mode == "layers"  # Ollama offloads whole layers
    two = plan(
        arch, quant, Workload(context=8192), Setup(devices=(gpu, gpu), offload="auto", ram_bytes=128 * GIB), Runtime()
    )
    assert two.offload_mode != "experts"  # --n-cpu-moe empties the first GPU's layers only


def test_deepseek_v3_q4_on_a_3060_does_not_fit_64_gb_of_ram(seeded):
    api = APIClient()
    body = api.get(
        "/api/v1/plan/",
        {
            "model": "deepseek-v3",
            "quant": "Q4_K_M",
            "gpu": "nvidia-geforce-rtx-3060-12-gb",
            "offload": "true",
            "ram_gb": 64,
        },
    ).json()
    assert body["fits"] is False and body["ram_needed_bytes"] > 300 * GIB and body["decode_tok_s"] is None


def test_unified_memory_ignores_ram_and_does_not_offload(seeded):
    arch = specs.llm_to_arch(LLM.objects.get(slug="llama-3-1-70b-instruct"))
    q = sizing.plan_inputs(LLM.objects.get(slug="llama-3-1-70b-instruct"), None, "Q4_K_M", "llamacpp").quant
    p = plan(
        arch,
        q,
        Workload(context=8192),
        Setup(devices=(card("apple-m4-pro-24-gb-unified"),), offload="auto", ram_bytes=8 * GIB),
        Runtime(),
    )
    assert p.offload_mode == "none" and not p.fits
    assert any("unified memory" in a for a in p.assumptions)


def test_expert_offload_needs_a_moe_and_vllm_never_offloads(seeded):
    llm = LLM.objects.get(slug="llama-3-1-70b-instruct")
    arch, q = specs.llm_to_arch(llm), sizing.plan_inputs(llm, None, "Q4_K_M", "llamacpp").quant
    gpu = card("nvidia-geforce-rtx-4090")
    dense = plan(arch, q, Workload(context=8192), Setup(devices=(gpu,), offload="experts"), Runtime())
    assert dense.offload_mode == "none" and not dense.fits
    fp8 = sizing.plan_inputs(llm, None, "FP8", "vllm").quant
    vllm = plan(arch, fp8, Workload(context=8192), Setup(devices=(gpu,), offload="auto"), Runtime(name="vllm"))
    assert vllm.offload_mode == "none" and not vllm.fits


def test_api_offload_modes_and_ram_preset(seeded):
    api = APIClient()
    q = {"model": "gpt-oss-120b", "gpu": "nvidia-geforce-rtx-4060-ti-16-gb", "ram_gb": 64, "context": 32768}
    auto = api.get("/api/v1/plan/", {**q, "offload": "auto", "ram_preset": "ddr5-6000-dual"}).json()
    slow = api.get("/api/v1/plan/", {**q, "offload": "auto", "ram_preset": "ddr4-2666-dual"}).json()
    assert auto["offload_mode"] == "experts" and f"--n-cpu-moe {auto['cpu_moe_layers']}" in auto["commands"]["llamacpp"]
    assert auto["decode_tok_s"]["tok_s"] > slow["decode_tok_s"]["tok_s"]  # faster RAM, faster host reads
    assert auto["commands"]["ollama"] is None and "whole layers" in auto["command_notes"]["ollama"]
    legacy = api.get("/api/v1/plan/", {**q, "offload": "true"}).json()
    assert legacy["offload_mode"] == "experts"  # true still means auto
    bad = api.get("/api/v1/plan/", {**q, "offload": "sideways"})
    assert bad.status_code == 400 and "offload" in bad.json()


def test_planner_page_takes_ram_and_offload(client, seeded):
    html = client.get(
        "/plan/",
        {
            "model": "gpt-oss-120b",
            "quant": "MXFP4_MOE",
            "context": 32768,
            "batch": 1,
            "kv_cache": "f16",
            "runtime": "llamacpp",
            "gpu": "nvidia-geforce-rtx-4060-ti-16-gb",
            "gpu_count": 1,
            "offload": "auto",
            "ram_gb": 64,
            "ram_preset": "ddr5-6000-dual",
        },
    ).content.decode()
    assert "routed experts of" in html and "of system RAM" in html


def test_model_page_lists_gpus_that_run_it_with_offload_and_the_machines_ram(client, seeded):
    base = "/models/gpt-oss-120b/?context=32768&quant=MXFP4_MOE"
    plain = client.get(base).content.decode()
    assert "GeForce RTX 4060 Ti 16 GB" not in plain.split("GPUs that can run this model")[1]
    html = client.get(base + "&offload=auto&ram_gb=64&ram_preset=ddr5-6000-dual&vendor=NVIDIA&max_price=500")
    table = html.content.decode().split("GPUs that can run this model")[1]
    assert "GeForce RTX 4060 Ti 16 GB" in table and "experts of" in table and "layers in RAM" in table

    def count(query):
        page = client.get(base + query).content.decode()
        return int(page.split('data-count="')[1].split('"')[0])

    assert count("") <= count("&offload=auto&ram_gb=16") < count("&offload=auto&ram_gb=64")


def test_model_page_with_offload_points_to_the_planner_for_the_exact_flags(client, seeded):
    html = client.get("/models/gpt-oss-120b/?offload=auto&ram_gb=64").content.decode()
    run = html[html.index('id="run"') : html.index("Quantizations &amp; VRAM")]
    assert "depends on the GPU" in run and "offload=auto" in run and "ram_gb=64" in run
