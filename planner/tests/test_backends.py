"""Which runtime can drive which GPU: the catalog's backends (fixtures/source/gpu_backends.csv) through
planner/specs.runtime_backend, and the model page's and API's default of listing only drivable GPUs."""

import pytest

from catalog.models import GPU
from planner import specs

R1 = "/models/deepseek-r1-distill-llama-8b/"


@pytest.mark.parametrize(
    "slug, llamacpp, ollama, vllm",
    [
        ("nvidia-geforce-rtx-3090", "cuda", "cuda", "cuda"),
        ("nvidia-tesla-v100-sxm2-32-gb", "cuda", "cuda", "cuda"),  # compute 7.0: vLLM's floor
        ("nvidia-geforce-gtx-1080-ti", "cuda", "cuda", None),  # compute 6.1: below vLLM's 7.0
        ("nvidia-tesla-k80", "vulkan", "vulkan", None),  # Kepler: no current CUDA toolkit
        ("amd-radeon-instinct-mi300x", "rocm", "rocm", "rocm"),
        ("amd-radeon-rx-6800", "rocm", "rocm", None),  # gfx1030: not in vLLM's ROCm list
        ("amd-radeon-rx-580", "vulkan", "vulkan", None),  # Polaris: no current ROCm
        ("intel-arc-b580", "sycl", "vulkan", "sycl"),
        ("intel-data-center-gpu-max-1550", "sycl", None, "sycl"),  # no Vulkan: Ollama has no path
        ("apple-m4-max-36-gb-unified", "metal", "metal", None),  # vLLM itself has no Metal backend
    ],
)
def test_which_runtime_drives_which_gpu(seeded, slug, llamacpp, ollama, vllm):
    gpu = GPU.objects.get(slug=slug)
    assert [specs.runtime_backend(gpu, r) for r in ("llamacpp", "ollama", "vllm")] == [llamacpp, ollama, vllm]


def test_every_catalog_gpu_has_a_sourced_backend_and_llamacpp_drives_it(seeded):
    for gpu in GPU.objects.all():
        assert gpu.backends and gpu.backends_source, gpu.name
        assert specs.runtime_backend(gpu, "llamacpp"), gpu.name


def test_unknown_backends_get_the_benefit_of_the_doubt():
    assert specs.runtime_backend(GPU(name="new", backends=""), "vllm") == "unknown"


def test_model_page_and_api_leave_out_gpus_the_runtime_cannot_drive_unless_asked(client, seeded):
    vllm = client.get(R1 + "?runtime=vllm").content.decode()
    assert "Apple M" not in vllm and "GeForce GTX 1080 Ti" not in vllm and "show all" in vllm
    everything = client.get(R1 + "?runtime=vllm&all_gpus=on").content.decode()
    assert "Apple M" in everything
    api = "/api/v1/models/deepseek-r1-distill-llama-8b/gpus/?runtime=vllm&page_size=500"
    slugs = {r["gpu"]["slug"] for r in client.get(api).json()["results"]}
    all_slugs = {r["gpu"]["slug"] for r in client.get(api + "&all_gpus=true").json()["results"]}
    assert "apple-m4-max-36-gb-unified" in all_slugs - slugs and "nvidia-geforce-rtx-3090" in slugs
    llamacpp = {r["gpu"]["slug"] for r in client.get(api.replace("vllm", "llamacpp")).json()["results"]}
    assert "apple-m4-max-36-gb-unified" in llamacpp


def test_gpu_page_says_which_runtimes_run_on_it(client, seeded):
    html = client.get("/gpus/nvidia-geforce-gtx-1080-ti/").content.decode()
    assert "CUDA, Vulkan" in html and "compute 6.1" in html and "vLLM <small>(no current release)</small>" in html


def test_gpu_page_says_when_the_runtime_cannot_drive_it_rather_than_that_nothing_fits(client, seeded):
    html = client.get("/gpus/nvidia-geforce-gtx-1080-ti/?runtime=vllm&context=8192&kv_cache=f16").content.decode()
    assert "No current vLLM release drives this GPU" in html and "No catalog model fits" not in html
