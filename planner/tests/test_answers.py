"""Issue 14: answers instead of refusals. Every format a runtime loads, on every catalog model the engine
can size, gets a plan; a format the runtime cannot load gets a 400 naming the nearest one it can."""

import pytest
from rest_framework.test import APIClient

from catalog.models import LLM, QuantFormat
from planner import specs

PLAN = "/api/v1/plan/"


@pytest.fixture
def api(seeded):
    return APIClient()


def test_every_model_in_every_format_each_runtime_loads_gets_a_plan(api, django_assert_max_num_queries):
    """The whole matrix: 267 models × ~50 formats × 3 runtimes would take minutes over HTTP, so the API is
    asked once per (model, runtime) for the runtime's default and once per format for one model per family
    of designs; the engine side of every pair is checked directly."""
    from planner import sizing
    from planner.engine.plan import memory
    from planner.engine.types import Runtime, Workload

    formats = list(QuantFormat.objects.all())
    llms = [m for m in LLM.objects.prefetch_related("quantizations__fmt") if not m.unsupported_reason]
    assert len(llms) > 200
    for runtime in specs.RUNTIME_CHOICES:
        valid = [f for f in formats if f.family in specs.RUNTIME_FAMILIES[runtime]]
        for llm in llms:
            arch = specs.llm_to_arch(llm)
            work = Workload(context=specs.default_context(llm))
            for fmt, quant, _published in sizing.runtime_quants(llm, runtime):
                assert memory(arch, quant, work, Runtime(name=runtime)).total_bytes > 0, (llm.slug, fmt.name)
            assert {f.pk for f, _q, _p in sizing.runtime_quants(llm, runtime)} == {f.pk for f in valid}
    for llm in llms[::9]:  # a spread of designs through HTTP, every runtime's default
        for runtime in specs.RUNTIME_CHOICES:
            r = api.get(PLAN, {"model": llm.slug, "runtime": runtime})
            assert r.status_code == 200, (llm.slug, runtime, r.content[:200])


@pytest.mark.parametrize(
    "runtime, quant, nearest",
    [
        ("vllm", "Q4_K_M", "AWQ-4bit"),
        ("llamacpp", "FP8", "Q8_0"),
        ("ollama", "AWQ-4bit-g128", "IQ4_XS"),
        ("llamacpp", "EXL2-4.0bpw", "IQ4_XS"),
    ],
)
def test_a_format_the_runtime_cannot_load_is_a_400_naming_the_nearest(api, runtime, quant, nearest):
    r = api.get(PLAN, {"model": "llama-3-1-8b-instruct", "runtime": runtime, "quant": quant})
    assert r.status_code == 400
    message = r.json()["quant"][0]
    assert "does not load" in message and f"nearest format it loads is {nearest}" in message


def test_the_questions_from_the_issue_are_answered(api):
    h100 = api.get(
        PLAN, {"model": "llama-3-1-8b-instruct", "quant": "BF16", "runtime": "vllm", "gpu": "nvidia-h100-sxm5-80-gb"}
    ).json()
    assert h100["fits"] is True and h100["weights_source"] == "computed" and h100["inputs"]["quant"] == "BF16"
    llama2 = api.get(PLAN, {"model": "llama-2-7b-hf", "quant": "q4_0", "gpu": "nvidia-geforce-rtx-3060-12-gb"})
    assert llama2.status_code == 200 and llama2.json()["inputs"]["quant"] == "Q4_0"  # any case
    assert llama2.json()["inputs"]["context"] == 4096  # an unstated context stops at the model's maximum


@pytest.mark.parametrize(
    "slug, runtime, expected",
    [
        ("gpt-oss-20b", "llamacpp", "MXFP4_MOE"),
        ("gpt-oss-20b", "ollama", "MXFP4_MOE"),
        ("gpt-oss-20b", "vllm", "MXFP4"),
        ("deepseek-v3", "vllm", "FP8-Block-128x128"),
        ("deepseek-v3", "llamacpp", "Q4_K_M"),
        ("llama-3-1-8b-instruct", "vllm", "BF16"),
        ("llama-3-1-8b-instruct", "llamacpp", "Q4_K_M"),
    ],
)
def test_native_defaults(api, slug, runtime, expected):
    body = api.get(PLAN, {"model": slug, "runtime": runtime}).json()
    assert body["inputs"]["quant"] == expected


def test_gpt_oss_20b_default_is_its_mxfp4_file_not_a_bigger_q4_k_m(api):
    body = api.get(PLAN, {"model": "gpt-oss-20b"}).json()
    assert body["memory"]["weights_bytes"] + body["memory"]["host_weights_bytes"] < 12.5e9  # ~11.8 GB, not 13.3 GiB


def test_memory_without_a_gpu(api):
    body = api.get(PLAN, {"model": "llama-3-1-8b-instruct", "context": 32768}).json()
    assert body["memory"]["total_bytes"] > body["memory"]["kv_cache_bytes"] == 32768 * 32 * 8 * 128 * 2 * 2
    for field in (
        "fits",
        "headroom_bytes",
        "usable_bytes",
        "decode_tok_s",
        "prefill_tok_s",
        "max_context",
        "best_quant",
    ):
        assert body[field] is None, field
    assert "no GPU given: memory only" in body["assumptions"]


def test_published_sizes_are_used_and_said(api):
    body = api.get(PLAN, {"model": "meta-llama-3-8b", "quant": "Q4_K_M"}).json()
    computed = api.get(PLAN, {"model": "meta-llama-3-8b", "quant": "IQ3_M"}).json()
    assert (body["weights_source"], computed["weights_source"]) == ("published", "computed")


def test_model_page_lists_every_format_of_the_runtime_and_marks_published_ones(client, seeded):
    html = client.get("/models/meta-llama-3-8b/").content.decode()
    assert '<option value="IQ2_XS">' in html and "Q4_K_M ✓" in html and '<option value="AWQ-4bit-g128"' not in html
    vllm = client.get("/models/meta-llama-3-8b/?runtime=vllm").content.decode()
    assert '<option value="BF16" selected>' in vllm and '<option value="AWQ-4bit-g128">' in vllm
    assert client.get("/models/meta-llama-3-8b/?runtime=vllm&quant=q4_k_m").status_code == 400
    assert client.get("/models/meta-llama-3-8b/?quant=iq3_m").status_code == 200


@pytest.mark.parametrize(
    "quant, gpu, status, text",
    [
        ("BF16", "nvidia-tesla-v100-sxm2-32-gb", 400, "use F16 (--dtype half)"),
        ("FP8", "nvidia-tesla-v100-sxm2-32-gb", 400, "from compute capability 7.5"),
        ("FP8", "nvidia-geforce-rtx-3090", 200, None),  # weight-only through Marlin
        ("AWQ-4bit-g128", "amd-radeon-instinct-mi300x", 400, "on AMD GPUs"),
        ("FP8", "amd-radeon-instinct-mi300x", 200, None),
    ],
)
def test_vllm_hardware_limits(api, quant, gpu, status, text):
    r = api.get(PLAN, {"model": "llama-3-1-8b-instruct", "runtime": "vllm", "quant": quant, "gpu": gpu})
    assert r.status_code == status
    if text:
        assert text in r.json()["quant"][0]


def test_vllm_default_is_f16_on_a_gpu_without_bf16(api):
    body = api.get(
        PLAN, {"model": "llama-3-1-8b-instruct", "runtime": "vllm", "gpu": "nvidia-tesla-v100-sxm2-32-gb"}
    ).json()
    assert body["inputs"]["quant"] == "F16" and "--dtype float16" in body["commands"]["vllm"]


def test_model_page_gpu_list_leaves_out_gpus_that_cannot_run_the_format(client, seeded):
    html = client.get("/models/llama-3-1-8b-instruct/?runtime=vllm&quant=FP8").content.decode()
    assert "Tesla V100" not in html.split("GPUs that can run this model")[1]


def test_a_gpu_the_runtime_cannot_drive_is_a_400_on_the_gpu(api):
    r = api.get(PLAN, {"model": "llama-3-1-8b-instruct", "runtime": "vllm", "gpu": "nvidia-geforce-gtx-1080-ti"})
    assert r.status_code == 400 and "No current vLLM release drives" in r.json()["gpu"][0]
    apple = api.get(PLAN, {"model": "llama-3-1-8b-instruct", "runtime": "vllm", "gpu": "apple-m4-max-36-gb-unified"})
    assert apple.status_code == 400 and "Metal" in apple.json()["gpu"][0]


def test_planner_and_compare_pages_check_the_gpu_and_default_the_format(client, seeded):
    plan_page = client.get(
        "/plan/",
        {
            "model": "llama-3-1-8b-instruct",
            "runtime": "vllm",
            "context": 8192,
            "batch": 1,
            "kv_cache": "f16",
            "gpu": "nvidia-tesla-v100-sxm2-32-gb",
            "gpu_count": 1,
        },
    )
    assert plan_page.status_code == 200 and "F16" in plan_page.content.decode()  # BF16 falls back before Ampere
    bad = client.get(
        "/plan/",
        {
            "model": "llama-3-1-8b-instruct",
            "runtime": "vllm",
            "context": 8192,
            "batch": 1,
            "kv_cache": "f16",
            "gpu": "nvidia-geforce-gtx-1080-ti",
            "gpu_count": 1,
        },
    )
    assert bad.status_code == 400 and "No current vLLM release drives" in bad.content.decode()
    compare = client.get(
        "/compare/",
        {
            "model": "llama-3-1-8b-instruct",
            "runtime": "vllm",
            "gpu": ["nvidia-geforce-rtx-4090", "nvidia-h100-sxm5-80-gb"],
        },
    )
    assert compare.status_code == 200 and "BF16" in compare.content.decode()
    assert client.get("/models/gpt-oss-120b/?offload=true").status_code == 200  # true still means auto


def test_a_custom_models_max_context_bounds_its_context(api):
    arch = {"params_b": 7, "layers": 32, "hidden_size": 4096, "heads": 32, "kv_heads": 8, "max_context": 4096}
    body = api.post(PLAN, {"architecture": arch}, format="json").json()
    assert body["inputs"]["context"] == 4096
    too_long = api.post(PLAN, {"architecture": arch, "context": 8192}, format="json")
    assert too_long.status_code == 400 and "at most 4,096" in too_long.json()["context"][0]
