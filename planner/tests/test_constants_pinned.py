"""Each engine constant issue 16 found unguarded (six deliberate changes passed the whole suite) now fails a test
when changed: the Ollama reserve, the multi-GPU compute-buffer factor, the vLLM tensor-parallel KV split, the IQ3
recipe rules (the vLLM efficiency is pinned by test_speed.py's goldens). Every expected value is the engine's on
2026-12-07, checked against its source where one exists."""

import pytest

from planner.engine.plan import memory
from planner.engine.runtime import llamacpp_compute_buffer_bytes, usable_bytes
from planner.engine.types import GIB, MIB, Device, Quantization, Runtime, Workload
from planner.engine.weights import file_bytes
from planner.tests.test_engine import LLAMA3_8B, MIXTRAL


def test_ollama_keeps_its_minimum_free_memory_on_a_discrete_gpu():
    """ollama discover/gpu.go: 457 MiB kept free per discrete GPU; llama.cpp's --fit keeps 1 GiB."""
    card = Device("rtx-3060", 12 * GIB, 360.0, "nvidia", 12.7)
    assert usable_bytes(card, Runtime(name="ollama")) == 12 * GIB - 457 * MIB
    assert usable_bytes(card, Runtime()) == 11 * GIB


def test_layer_split_compute_buffer_is_eight_sevenths_of_one_gpus():
    """Llama 3 8B at n_ctx 8192 without flash attention: llama.cpp logs 560 MiB on one GPU, 640 MiB per GPU on two
    (shared/data/vram_reports_public.csv)."""
    work, runtime = Workload(context=8192), Runtime(flash_attention=False)
    assert llamacpp_compute_buffer_bytes(LLAMA3_8B, work, runtime, 1) == 560 * MIB
    assert llamacpp_compute_buffer_bytes(LLAMA3_8B, work, runtime, 2) == 640 * MIB


@pytest.mark.parametrize("ranks, kv_gib", [(1, 1), (2, 1), (8, 1), (16, 2)])
def test_vllm_splits_kv_heads_over_tensor_parallel_ranks_at_least_one_each(ranks, kv_gib):
    """8 KV heads: up to 8 ranks share them (the total stays 1 GiB at 8K); 16 ranks hold one head each, so every
    head is stored twice (vllm/model_executor/layers/linear.py, QKVParallelLinear replicates KV heads)."""
    m = memory(LLAMA3_8B, Quantization("BF16", "float", 16), Workload(context=8192), Runtime(name="vllm"), ranks)
    assert m.kv_cache_bytes == kv_gib * GIB


@pytest.mark.parametrize(
    "quant, llama3_8b, mixtral, published_gb",
    [
        # bartowski/Meta-Llama-3-8B-Instruct-GGUF@6257af4 file sizes (shared/data/gguf_sizes_public.csv)
        ("IQ3_XXS", 3_291_689_753, 18_135_040_256, 3.27),
        ("IQ3_XS", 3_518_747_417, 19_373_207_488, 3.52),
        ("IQ3_S", 3_682_325_273, 20_455_988_224, 3.68),
        ("IQ3_M", 3_784_823_577, 20_705_549_312, 3.78),
    ],
)
def test_iq3_recipes_give_the_published_sizes(quant, llama3_8b, mixtral, published_gb):
    """llama.cpp's IQ3 recipes (attn_v and ffn_down promotions, the 8-expert rules) to the byte."""
    assert file_bytes(LLAMA3_8B, Quantization(quant, "gguf")) == llama3_8b
    assert file_bytes(MIXTRAL, Quantization(quant, "gguf")) == mixtral
    assert llama3_8b / 1e9 == pytest.approx(published_gb, rel=0.01)
