"""Multimodal models: the vision encoder and projector (llama.cpp's mmproj) from the config's vision_config,
against the model size llama.cpp prints when it loads the mmproj (bench/vision_logs.csv)."""

import csv
import json

import pytest

from catalog.hf_config import vision_dims
from catalog.seed_data import FIXTURE_SOURCE_DIR
from planner.engine.plan import memory
from planner.engine.types import Architecture, Quantization, Runtime, Workload
from planner.engine.vision import PROJECTOR_BYTES_PER_PARAM, image_compute_bytes, vision_encoder_params

MIB = 1024**2
LOGS = list(csv.DictReader((FIXTURE_SOURCE_DIR.parent.parent / "bench" / "vision_logs.csv").read_text().splitlines()))


def dims(repo):
    config = json.loads((FIXTURE_SOURCE_DIR / "configs" / (repo.replace("/", "--") + ".json")).read_text())
    return vision_dims(config)


@pytest.mark.parametrize("row", LOGS, ids=[r["catalog_repo"] for r in LOGS])
def test_mmproj_size_is_within_two_percent_of_what_llamacpp_prints(row):
    got = vision_encoder_params(dims(row["catalog_repo"])) * PROJECTOR_BYTES_PER_PARAM
    assert abs(got / (float(row["model_size_mib"]) * MIB) - 1) < 0.02


@pytest.mark.parametrize(
    "repo, params",
    [  # golden: a change to the formula shows here first
        ("Qwen/Qwen2.5-VL-7B-Instruct", 676_034_560),  # SwiGLU ViT, 2×2 merger
        ("Qwen/Qwen3-VL-8B-Instruct", 575_926_272),  # + three deepstack mergers
        ("google/gemma-3-4b-it", 419_415_552),  # SigLIP, one projection matrix
        ("mistralai/Devstral-Small-2-24B-Instruct-2512", 438_906_880),  # Pixtral, patch merger + MLP
    ],
)
def test_vision_encoder_parameters(repo, params):
    assert vision_encoder_params(dims(repo)) == params


def test_text_only_configs_have_no_vision_encoder():
    assert dims("meta-llama/Llama-3.1-8B") is None


def test_the_projector_is_part_of_the_plan_memory_and_its_compute_buffer_is_llamacpps():
    qwen = dims("Qwen/Qwen2.5-VL-7B-Instruct")
    arch = Architecture(
        name="qwen2.5-vl",
        num_layers=28,
        hidden_size=3584,
        num_heads=28,
        num_kv_heads=4,
        vocab_size=152064,
        max_context=128000,
        intermediate_size=18944,
        vision_params=vision_encoder_params(qwen),
        vision_compute_bytes=image_compute_bytes(qwen),
    )
    text = Architecture(**{**arch.__dict__, "vision_params": 0, "vision_compute_bytes": 0})
    q4, work = Quantization("Q4_K_M", bits_per_weight=4.5), Workload(context=8192)
    llama = memory(arch, q4, work, Runtime())
    assert llama.projector_bytes == 676_034_560 * 2 + round(704.79 * MIB)
    assert llama.total_bytes == memory(text, q4, work, Runtime()).total_bytes + llama.projector_bytes
    assert memory(arch, q4, work, Runtime(name="vllm")).projector_bytes == 676_034_560 * 2  # vLLM profiles its own


GGUF_FILES = list(csv.DictReader((FIXTURE_SOURCE_DIR / "gguf_files.csv").read_text().splitlines()))


GPT_OSS_FILES = [r for r in GGUF_FILES if r["hf_repo_id"] == "openai/gpt-oss-20b" and r["size_display"]]


@pytest.mark.parametrize("row", GPT_OSS_FILES, ids=lambda r: r["quant"])
def test_gpt_oss_gguf_files_keep_their_experts_in_mxfp4_at_every_level(row, seeded):
    """unsloth/gpt-oss-20b-GGUF lists Q2_K … F16 between 11.5 and 13.8 GB: the experts stay MXFP4."""
    from catalog.models import LLM, QuantFormat
    from planner import specs
    from planner.engine.weights import weights_bytes

    fmt = QuantFormat.objects.filter(name=row["quant"]).first()
    if fmt is None:
        pytest.skip(f"{row['quant']} is not a catalog format (an unsloth dynamic variant)")
    arch = specs.llm_to_arch(LLM.objects.get(hf_repo_id="openai/gpt-oss-20b"))
    published = float(row["size_display"].split()[0]) * 1e9  # the Hub shows decimal GB, rounded to 0.1
    assert abs(weights_bytes(arch, specs.format_to_quant(fmt)) / published - 1) < 0.04
