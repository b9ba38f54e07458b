"""Run commands: every option is one the runtime documents (a stored copy of its options, with version and
source, in fixtures/source/runtime_options/), and the commands follow the plan's controls."""

import re
import shlex

import pytest
from rest_framework.test import APIClient

from catalog.models import LLM
from catalog.seed_data import FIXTURE_SOURCE_DIR
from planner import specs

OPTIONS = {
    name: {
        line.strip()
        for line in (FIXTURE_SOURCE_DIR / "runtime_options" / f"{name}.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for name in ("llamacpp", "vllm", "ollama")
}


def check_llamacpp(command):
    words = shlex.split(command)
    assert words[0] == "llama-server"
    for w in words[1:]:
        if w.startswith("-"):
            assert w in OPTIONS["llamacpp"], w
    for flag in ("-ctk", "-ctv"):
        if flag in words:
            assert words[words.index(flag) + 1] in specs.KV_TYPES_BY_RUNTIME["llamacpp"]


def check_vllm(command):
    words = shlex.split(command)
    assert words[:2] == ["vllm", "serve"]
    for i, w in enumerate(words):
        if w.startswith("--"):
            assert w in OPTIONS["vllm"], w
            if w in ("--quantization", "--kv-cache-dtype"):
                assert f"{w[2:]}={words[i + 1]}" in OPTIONS["vllm"], words[i + 1]


def check_ollama(command):
    serve, run = command.split("\n")
    for assignment in serve.split()[:-2]:
        name, _, value = assignment.partition("=")
        assert name in OPTIONS["ollama"], name
        if name == "OLLAMA_KV_CACHE_TYPE":
            assert value in {"f16", "q8_0", "q4_0"}
    assert serve.endswith("ollama serve") and (run.startswith("ollama run ") or run.startswith("curl "))


CHECKS = {"llamacpp": check_llamacpp, "vllm": check_vllm, "ollama": check_ollama}


@pytest.fixture
def api(seeded):
    return APIClient()


def test_every_flag_of_every_models_default_commands_is_documented(api):
    seen = {k: 0 for k in CHECKS}
    for llm in LLM.objects.filter(unsupported_reason="")[::4]:
        for runtime in specs.RUNTIME_CHOICES:
            for extra in ({}, {"kv_cache": "q8_0", "batch": 2}):
                if runtime == "vllm" and extra:
                    continue
                body = api.get("/api/v1/plan/", {"model": llm.slug, "runtime": runtime, **extra}).json()
                for name, command in (body.get("commands") or {}).items():
                    if command and name in CHECKS:
                        CHECKS[name](command)
                        seen[name] += 1
    assert all(seen.values()), seen


def test_commands_follow_the_controls(api):
    body = api.get(
        "/api/v1/plan/",
        {
            "model": "deepseek-r1-distill-llama-8b",
            "context": 65536,
            "kv_cache": "q8_0",
            "gpu": "nvidia-geforce-rtx-4090",
            "quant": "Q8_0",
        },
    ).json()
    run = body["commands"]
    assert run["llamacpp"] == (
        "llama-server -hf unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF:Q8_0 -c 65536 -ngl all -fa on -ctk q8_0 -ctv q8_0"
    )
    rare = api.get("/api/v1/plan/", {"model": "deepseek-r1-distill-llama-8b", "quant": "TQ1_0"}).json()
    assert rare["commands"]["llamacpp"] is None and "no TQ1_0 file" in rare["command_notes"]["llamacpp"]
    assert run["ollama"].splitlines() == [
        "OLLAMA_CONTEXT_LENGTH=65536 OLLAMA_FLASH_ATTENTION=1 OLLAMA_KV_CACHE_TYPE=q8_0 ollama serve",
        "ollama run deepseek-r1:8b-llama-distill-q8_0",
    ]
    assert run["vllm"] is None and "does not load Q8_0" in body["command_notes"]["vllm"]


def test_vllm_commands_name_the_checkpoint_and_the_parallelism(api):
    v3 = api.get(
        "/api/v1/plan/",
        {"model": "deepseek-v3", "runtime": "vllm", "gpu": "nvidia-h200-nvl", "gpu_count": 8, "context": 32768},
    ).json()
    assert v3["commands"]["vllm"] == "vllm serve deepseek-ai/DeepSeek-V3 --max-model-len 32768 --tensor-parallel-size 8"
    bf16 = api.get(
        "/api/v1/plan/",
        {"model": "llama-3-1-8b-instruct", "quant": "BF16", "runtime": "vllm", "gpu": "nvidia-h100-sxm5-80-gb"},
    ).json()["commands"]["vllm"]
    assert bf16 == "vllm serve meta-llama/Llama-3.1-8B-Instruct --dtype bfloat16 --max-model-len 8192"
    awq = api.get(
        "/api/v1/plan/", {"model": "llama-3-1-8b-instruct", "quant": "AWQ-4bit-g128", "runtime": "vllm"}
    ).json()
    assert awq["commands"]["vllm"] is None and "no AWQ-4bit-g128 checkpoint" in awq["command_notes"]["vllm"]


def test_offloaded_layers_set_gpu_layers(api):
    body = api.get(
        "/api/v1/plan/",
        {
            "model": "deepseek-r1-distill-llama-70b",
            "quant": "Q4_K_M",
            "offload": "true",
            "gpu": "nvidia-geforce-rtx-3060-12-gb",
        },
    ).json()
    assert body["offloaded_layers"] > 0
    layers = 80 - body["offloaded_layers"]
    assert f" -ngl {layers} " in body["commands"]["llamacpp"]


def test_model_page_run_block_follows_the_controls(client, seeded):
    html = client.get("/models/deepseek-r1-distill-llama-8b/?context=32768&quant=Q8_0&kv_cache=q8_0").content.decode()
    run = html[html.index('id="run"') : html.index("Quantizations &amp; VRAM")]
    assert "-hf unsloth/DeepSeek-R1-Distill-Llama-8B-GGUF:Q8_0 -c 32768" in run and "-ctk q8_0" in run
    assert "ollama run deepseek-r1:8b-llama-distill-q8_0" in run and "vLLM: vLLM does not load Q8_0" in run
    assert re.search(r"OLLAMA_CONTEXT_LENGTH=32768", run)


@pytest.mark.parametrize(
    "runtime, kv, flag",
    [
        ("vllm", "fp8", "--kv-cache-dtype fp8"),
        ("vllm", "fp8_e5m2", "--kv-cache-dtype fp8_e5m2"),
        ("llamacpp", "q5_1", "-ctk q5_1 -ctv q5_1"),
        ("llamacpp", "bf16", "-ctk bf16 -ctv bf16"),
    ],
)
def test_each_runtime_offers_its_own_kv_cache_types(api, runtime, kv, flag):
    quant = "BF16" if runtime == "vllm" else "Q4_K_M"
    body = api.get(
        "/api/v1/plan/",
        {"model": "llama-3-1-8b-instruct", "runtime": runtime, "kv_cache": kv, "quant": quant, "context": 32768},
    ).json()
    assert flag in body["commands"][runtime]
    f16 = api.get(
        "/api/v1/plan/", {"model": "llama-3-1-8b-instruct", "runtime": runtime, "quant": quant, "context": 32768}
    ).json()
    assert body["memory"]["kv_cache_bytes"] < f16["memory"]["kv_cache_bytes"] or kv == "bf16"


@pytest.mark.parametrize("runtime, kv", [("vllm", "q8_0"), ("ollama", "q5_1"), ("llamacpp", "fp8")])
def test_a_kv_type_the_runtime_lacks_is_a_400_naming_what_it_offers(api, runtime, kv):
    r = api.get("/api/v1/plan/", {"model": "llama-3-1-8b-instruct", "runtime": runtime, "kv_cache": kv})
    assert r.status_code == 400 and "it offers" in r.json()["kv_cache"][0]
