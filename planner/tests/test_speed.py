"""Speed: the fitted constants obey physics, and golden values pin what the engine predicts (a changed
constant fails here). The goldens were computed by the engine on 2026-12-07 from the constants that
bench/calibrate.py generated that day; re-running the calibration on new data must update them on purpose."""

import pytest

from planner.engine import calibration
from planner.engine.plan import plan
from planner.engine.speed import decode_speed, matmul_precision, matrix_rate, prefill_speed
from planner.engine.types import GIB, Device, Quantization, Runtime, Setup, Workload
from planner.tests.test_engine import LLAMA3_8B, MIXTRAL, RTX_3060

H200 = Device(
    "h200-sxm",
    141 * GIB,
    4890.0,
    "nvidia",
    66.91,
    matrix_tflops=989.4,
    matrix_fp8_tflops=1978.9,
    matrix_int8_tops=1978.9,
    backend="cuda",
    compute_units=132,
)
M4_MAX = Device("m4-max-128", 128 * GIB, 546.0, "apple", 18.4)
FITS = {**{f"decode {k}": v for k, v in calibration.DECODE.items()}, "decode vllm": calibration.VLLM_DECODE}


@pytest.mark.parametrize("name", sorted(FITS))
def test_every_decode_fit_is_physical(name):
    """An efficiency above 1 would read faster than the memory can; a negative fixed cost would give time back."""
    fit = FITS[name]
    assert 0 < fit["efficiency"] <= 1, name
    assert fit["t_fixed_s"] >= 0 and fit.get("t_layer_s", 0) >= 0, name
    assert fit.get("unit_gbs", 1) > 0, name
    assert 0 < fit["low"] <= 1 <= fit["high"], name


def test_the_read_cap_binds_only_where_a_gpu_has_few_compute_units_for_its_bandwidth():
    """llama.cpp's NVIDIA fit caps the read rate at compute units × unit_gbs (speed.read_rate_gbs): an HBM card
    with 132 SMs reads far below its 4.9 TB/s, a card with SMs to spare reads at its bandwidth, and a GPU whose
    units are not on record keeps its bandwidth."""
    from dataclasses import replace

    from planner.engine.speed import read_rate_gbs

    fit = calibration.DECODE["nvidia"]
    assert 0 < fit["unit_gbs"] < 20  # GB/s per SM: the measured rows reach 5.5 to 9.2
    assert read_rate_gbs(H200, fit) == pytest.approx(132 * fit["unit_gbs"])
    roomy = replace(RTX_3060, compute_units=1000)
    assert read_rate_gbs(roomy, fit) == 360.0
    assert read_rate_gbs(replace(RTX_3060, compute_units=None), fit) == 360.0
    assert decode_speed(RTX_3060, 5 * 10**9, layers=32).tok_s < decode_speed(roomy, 5 * 10**9, layers=32).tok_s
    assert read_rate_gbs(H200, calibration.VLLM_DECODE) == 4890.0  # the serving profile has no cap
    said = plan(
        LLAMA3_8B, Quantization("Q4_K_M", "gguf"), Workload(context=4096), Setup(devices=(RTX_3060,)), Runtime()
    )
    assert any("up to 308 GB/s of the 360" in a and "28 compute units" in a for a in said.assumptions)
    roomy_plan = plan(LLAMA3_8B, Quantization("Q4_K_M", "gguf"), Workload(context=4096), Setup(devices=(roomy,)))
    assert not any("reads memory at up to" in a for a in roomy_plan.assumptions)


def test_vllm_profile_is_calibrated_on_the_h200_serving_set():
    fit = calibration.VLLM_DECODE
    assert fit["rows"] >= 80 and fit["models"] >= 9  # the dense set it claims to be fitted on


@pytest.mark.parametrize(
    "device, bytes_, layers, runtime, expected",
    [
        # 8B Q4_K_M-sized read on a 3060 with llama.cpp; the same on an M4 Max; a BF16 8B step with vLLM on an H200
        (RTX_3060, 5 * 10**9, 32, "llamacpp", 47.88),  # its 28 SMs read at most 308 GB/s of its 360
        (M4_MAX, 5 * 10**9, 32, "llamacpp", 61.07),
        # every device class's fit: an RX 7900 XTX, an Arc B580, Strix Halo (integrated)
        (Device("rx-7900-xtx", 24 * GIB, 960.0, "amd", 61.39, backend="rocm"), 5 * 10**9, 32, "llamacpp", 142.31),
        (Device("arc-b580", 12 * GIB, 456.0, "intel", 13.67, backend="sycl"), 5 * 10**9, 32, "llamacpp", 48.84),
        (Device("8060s", 128 * GIB, 256.0, "integrated", 14.85, unified_memory=True), 5 * 10**9, 32, "llamacpp", 39.99),
        (H200, 16 * 10**9, 32, "vllm", 185.83),
        (H200, 3 * 10**9, 28, "vllm", 491.39),  # a 1.5B model (measured: 522.93): per-layer cost is most of it
        (H200, 140 * 10**9, 80, "vllm", 26.48),
    ],
)
def test_decode_golden_values(device, bytes_, layers, runtime, expected):
    speed = decode_speed(device, bytes_, runtime=runtime, layers=layers)
    assert speed.tok_s == pytest.approx(expected, abs=0.01)


def test_vllm_decode_on_h200_plan_is_pinned():
    """A whole plan: Llama 3 8B in BF16 with vLLM on one H200 at 8K context, one sequence."""
    p = plan(
        LLAMA3_8B, Quantization("BF16", "float"), Workload(context=8192), Setup(devices=(H200,)), Runtime(name="vllm")
    )
    assert p.fits and p.decode.tok_s == pytest.approx(GOLDEN_VLLM_8B, abs=0.01)
    assert p.decode.low < p.decode.tok_s < p.decode.high


def test_moe_on_llamacpp_is_pinned():
    p = plan(MIXTRAL, Quantization("Q4_K_M", "gguf"), Workload(context=4096), Setup(devices=(H200,)), Runtime())
    assert p.decode.tok_s == pytest.approx(GOLDEN_MIXTRAL, abs=0.01)


GOLDEN_VLLM_8B = 185.13  # measured for Qwen3-8B's shape on this H200: 188.26 at 128 tokens
GOLDEN_MIXTRAL = 119.11  # llama.cpp reads an H200 at its 132 SMs × unit_gbs, not at 4.9 TB/s


def test_vllm_serving_capacity_is_the_kv_that_fits_and_its_memory_bound_throughput():
    from planner.engine.plan import fits, serving

    quant, work, setup, runtime = (
        Quantization("BF16", "float"),
        Workload(context=8192),
        Setup(devices=(H200,)),
        Runtime(name="vllm"),
    )
    s = serving(LLAMA3_8B, quant, work, setup, runtime)
    assert fits(LLAMA3_8B, quant, Workload(context=8192, batch=s.max_concurrency), setup, runtime)
    assert not fits(LLAMA3_8B, quant, Workload(context=8192, batch=s.max_concurrency + 1), setup, runtime)
    assert s.max_concurrency == GOLDEN_CONCURRENCY and s.aggregate_tok_s == pytest.approx(GOLDEN_AGGREGATE, abs=0.1)
    assert s.aggregate_tok_s == pytest.approx(s.per_sequence_tok_s * s.max_concurrency)
    assert serving(LLAMA3_8B, quant, work, setup, Runtime()) is None  # llama.cpp: no such figure


def test_vllm_reserves_window_blocks_for_the_prompt_tokens_it_batches_on_that_gpu():
    """vllm serve batches 8,192 prompt tokens on a GPU of 70 GiB or more other than an A100, 2,048 elsewhere
    (vllm/engine/arg_utils.py get_batch_defaults); each request's sliding-window layers hold window - 1 + that many
    tokens' blocks at admission, which is what its "Maximum concurrency" counts. A decode step reads only the
    window's."""
    from dataclasses import replace

    from planner.engine.plan import serving
    from planner.engine.runtime import vllm_batched_tokens
    from planner.tests.test_engine import GEMMA3_27B

    a100 = replace(H200, name="nvidia-a100-sxm4-80-gb", memory_bytes=80 * GIB)
    small = replace(H200, name="nvidia-l40s", memory_bytes=48 * GIB)
    assert [vllm_batched_tokens(d) for d in (H200, a100, small, None)] == [8192, 2048, 2048, 2048]
    quant, work, runtime = Quantization("BF16", "float"), Workload(context=8192), Runtime(name="vllm")
    big = plan(GEMMA3_27B, quant, work, Setup(devices=(H200,)), runtime)
    same_but_a100 = plan(GEMMA3_27B, quant, work, Setup(devices=(replace(H200, name="a100-like"),)), runtime)
    assert (
        big.memory.kv_cache_bytes
        > same_but_a100.memory.kv_cache_bytes
        == plan(
            GEMMA3_27B, quant, work, Setup(devices=(replace(H200, memory_bytes=64 * GIB),)), runtime
        ).memory.kv_cache_bytes
    )
    assert big.decode.tok_s == pytest.approx(
        plan(GEMMA3_27B, quant, work, Setup(devices=(replace(H200, name="a100-like"),)), runtime).decode.tok_s
    )
    # the H200's 8,192-token reservation halves what fits at once against the same GPU batching 2,048
    at_8192 = serving(GEMMA3_27B, quant, work, Setup(devices=(H200,)), runtime).max_concurrency
    at_2048 = serving(GEMMA3_27B, quant, work, Setup(devices=(replace(H200, name="a100-like"),)), runtime)
    assert (at_8192, at_2048.max_concurrency) == (19, 40)


def test_a_large_batch_meets_the_compute_roof():
    """1,024 short sequences of an 8B BF16 model on an H200: reading weights and KV takes ~12 ms a step, computing
    1,024 tokens ~28 ms, so the step is compute-bound and the aggregate rate is about the prompt pass's."""
    from planner.engine.speed import decode_compute_seconds

    quant, runtime = Quantization("BF16", "float", 16), Runtime(name="vllm")
    few = plan(LLAMA3_8B, quant, Workload(context=256, batch=8), Setup(devices=(H200,)), runtime)
    many = plan(LLAMA3_8B, quant, Workload(context=256, batch=1024), Setup(devices=(H200,)), runtime)
    compute = decode_compute_seconds(H200, LLAMA3_8B, 8_030_261_248, 256, 1024, "vllm", "fp16")
    assert many.decode.tok_s == pytest.approx(1 / (compute + 32 * calibration.VLLM_DECODE["t_layer_s"]))
    aggregate = many.decode.tok_s * 1024
    assert aggregate > 10 * few.decode.tok_s * 8 / 2  # batching still pays ...
    assert aggregate < prefill_speed(H200, LLAMA3_8B, 8_030_261_248, 256, "vllm").tok_s  # ... up to the roof
    assert aggregate == pytest.approx(GOLDEN_ROOF_AGGREGATE, abs=1)


GOLDEN_ROOF_AGGREGATE = 34324.69
GOLDEN_CONCURRENCY = 112  # 8K sequences of 1 GiB f16 KV each beside 15 GiB of weights in 92% of 141 GB
GOLDEN_AGGREGATE = 3258.7


@pytest.mark.django_db
def test_plan_api_reports_vllm_serving_capacity(seeded):
    from rest_framework.test import APIClient

    body = (
        APIClient()
        .get(
            "/api/v1/plan/",
            {
                "model": "llama-3-1-8b",
                "quant": "BF16",
                "runtime": "vllm",
                "gpu": "nvidia-h200-sxm-141-gb",
                "context": 8192,
            },
        )
        .json()
    )
    assert body["serving"]["max_concurrency"] > 50 and body["serving"]["context"] == 8192
    assert body["serving"]["aggregate_tok_s"] > 10 * body["decode_tok_s"]["tok_s"]
    llama = APIClient().get("/api/v1/plan/", {"model": "llama-3-1-8b", "gpu": "nvidia-h200-sxm-141-gb"}).json()
    assert llama["serving"] is None


def test_vllm_prefill_runs_at_the_matrix_rate_and_llamacpp_on_its_own_fit():
    """A BF16 serving engine's prompt pass on an H200 (measured for Qwen3-8B's shape: 38,110 tok/s at 512 tokens)
    against llama.cpp's on the same card, whose quantized kernels are held back by their shader work."""
    h200 = H200
    vllm = prefill_speed(h200, LLAMA3_8B, 8_030_261_248, 512, "vllm")
    assert vllm.tok_s == pytest.approx(GOLDEN_VLLM_PREFILL, abs=1)
    assert prefill_speed(h200, LLAMA3_8B, 8_030_261_248, 512, "llamacpp").tok_s < vllm.tok_s / 2


GOLDEN_VLLM_PREFILL = 36132


@pytest.mark.parametrize("name", sorted(["vllm", *calibration.PREFILL]))
def test_every_prefill_fit_is_physical(name):
    """No efficiency above the matrix peak, no negative shader or attention cost, a band around 1."""
    fit = calibration.VLLM_PREFILL if name == "vllm" else calibration.PREFILL[name]
    assert 0 < fit["efficiency"] <= 1, name
    assert fit["shader_cost"] >= 0 and fit["attention_cost"] >= 0 and fit["expert_cost"] >= 0, name
    assert 0 < fit["low"] <= 1 <= fit["high"], name


@pytest.mark.parametrize(
    "quant, runtime, backend, expected",
    [
        (Quantization("Q4_K_M", "gguf", 4.5), "llamacpp", "cuda", "int8"),  # MMQ: INT8 MMA on quantized weights
        (Quantization("Q4_K_M", "gguf", 4.5), "llamacpp", "rocm", "int8"),
        (Quantization("Q4_K_M", "gguf", 4.5), "llamacpp", "vulkan", "fp16acc"),  # FP16 tiles, FP16 accumulate
        (Quantization("Q4_K_M", "gguf", 4.5), "llamacpp", "metal", "fp16"),
        (Quantization("F16", "float", 16), "llamacpp", "cuda", "fp16acc"),  # cuBLAS with CUBLAS_COMPUTE_16F
        (Quantization("F16", "float", 16), "llamacpp", "rocm", "fp16"),
        (Quantization("BF16", "float", 16), "vllm", "cuda", "fp16"),  # PyTorch GEMMs accumulate in FP32
        (Quantization("BF16", "float", 16), "llamacpp", "cuda", "fp16"),  # cuBLAS BF16: FP32 accumulate
        (Quantization("F32", "float", 32), "llamacpp", "cuda", "fp32"),  # an FP32 GEMM on the shaders
        (Quantization("FP8", "fp8", 8), "vllm", "cuda", "fp8"),
        (Quantization("AWQ-4bit", "awq", 4), "vllm", "cuda", "fp16"),  # Marlin: BF16 MMA on dequantized tiles
    ],
)
def test_prompt_gemms_run_in_the_runtimes_precision(quant, runtime, backend, expected):
    assert matmul_precision(quant, runtime, backend) == expected


def test_a_part_without_the_precisions_matrix_units_falls_back():
    a100 = Device("a100", 80 * GIB, 1935.0, "nvidia", 19.5, matrix_tflops=312.0, matrix_int8_tops=624.0)
    v100 = Device("v100", 32 * GIB, 900.0, "nvidia", 15.7, matrix_tflops=125.0)  # no INT8 tensor cores
    assert matrix_rate(a100, "fp8") == 312.0  # FP8 checkpoint: Marlin's FP16 path
    assert matrix_rate(a100, "int8") == 624.0
    assert matrix_rate(v100, "int8") is None  # llama.cpp's integer kernels on the shaders
    geforce = Device("rtx-4090", 24 * GIB, 1008.0, "nvidia", 82.6, matrix_tflops=165.2, matrix_fp16acc_tflops=330.3)
    assert matrix_rate(geforce, "fp16acc") == 330.3 and matrix_rate(geforce, "fp16") == 165.2
    assert matrix_rate(a100, "fp16acc") == 312.0  # full rate: the same figure either way


@pytest.mark.parametrize(
    "device, expected",
    [
        # Llama 3 8B Q4_K_M, pp512, with today's INT8 (MMQ) kernels; measured in May 2024, before MMQ was the default:
        # 7,139 on a 4090, 8,125 on an H100 PCIe (cuBLAS FP16); ~720 on an M4 Max
        (
            Device(
                "rtx-4090",
                24 * GIB,
                1008.0,
                "nvidia",
                82.58,
                matrix_tflops=165.2,
                matrix_int8_tops=660.6,
                backend="cuda",
            ),
            11071.61,
        ),
        (
            Device(
                "h100-pcie",
                80 * GIB,
                2039.0,
                "nvidia",
                51.22,
                matrix_tflops=756.5,
                matrix_int8_tops=1513.0,
                backend="cuda",
            ),
            9860.26,
        ),
        (Device("m4-max", 128 * GIB, 546.0, "apple", 18.4, backend="metal"), 776.87),
        # The M5's GPU Neural Accelerators (FP16 matrix = 4 x FP32), which llama.cpp's Metal tensor path drives:
        # its FP16 GEMMs run on them, the dequantizing on the shaders (Mistral 7B Q4_0 pp512 measured at 608)
        (Device("m5", 16 * GIB, 153.6, "apple", 5.7, matrix_tflops=22.8, backend="metal"), 536.29),
        # the other classes' fits: an RX 7900 XTX on ROCm (WMMA), an Arc B580 on SYCL (XMX), Strix Halo on Vulkan
        (
            Device(
                "rx-7900-xtx",
                24 * GIB,
                960.0,
                "amd",
                61.39,
                matrix_tflops=122.8,
                matrix_int8_tops=122.8,
                backend="rocm",
            ),
            3183.64,
        ),
        (
            Device(
                "arc-b580",
                12 * GIB,
                456.0,
                "intel",
                13.67,
                matrix_tflops=109.36,
                matrix_int8_tops=218.72,
                backend="sycl",
            ),
            627.19,
        ),
        (
            Device(
                "8060s",
                128 * GIB,
                256.0,
                "integrated",
                14.85,
                unified_memory=True,
                matrix_tflops=59.39,
                matrix_int8_tops=59.39,
                backend="vulkan",
            ),
            1042.83,
        ),
    ],
)
def test_llamacpp_prefill_golden_values(device, expected):
    speed = prefill_speed(device, LLAMA3_8B, 8_030_261_248, 512, "llamacpp")
    assert speed.tok_s == pytest.approx(expected, abs=1)
    assert speed.low < speed.tok_s < speed.high


def test_a_long_prompt_is_slower_per_token_and_time_to_first_token_counts_it():
    """Attention grows with the prompt: a 32K prompt's first token comes later than 64 × a 512-token one."""
    q4 = Quantization("Q4_K_M", "gguf", 4.5)
    p512 = plan(LLAMA3_8B, q4, Workload(context=512), Setup(devices=(H200,)), Runtime())
    p32k = plan(LLAMA3_8B, q4, Workload(context=32768), Setup(devices=(H200,)), Runtime())
    assert p32k.prefill.tok_s == pytest.approx(p512.prefill.tok_s)  # the pp512 figure people compare
    assert p32k.time_to_first_token_s > 64 * p512.time_to_first_token_s * 1.2
    assert p32k.time_to_first_token_s == pytest.approx(GOLDEN_TTFT_32K, abs=0.01)


GOLDEN_TTFT_32K = 5.31


def test_routed_experts_slow_a_mixture_of_experts_prompt():
    """Mixtral's 2 of 8 experts: (46.7B - 12.9B) x 2 / 6 routed weights per token. Its experts each multiply a
    quarter of a micro-batch, so its prompt pass is slower than a dense model of the same active size
    (gpt-oss-20b pp2048 on an RTX 4090: 8,022 tok/s measured, ~21,000 for a dense 3.6B)."""
    from dataclasses import replace

    from planner.engine.weights import active_params, routed_expert_params

    assert routed_expert_params(MIXTRAL) == (MIXTRAL.params_total - MIXTRAL.params_active) * 2 // 6
    assert routed_expert_params(LLAMA3_8B) == 0
    rtx4090 = Device(
        "rtx-4090", 24 * GIB, 1008.0, "nvidia", 82.58, matrix_tflops=165.2, matrix_int8_tops=660.6, backend="cuda"
    )
    moe = prefill_speed(rtx4090, MIXTRAL, active_params(MIXTRAL), 512).tok_s
    dense = prefill_speed(
        rtx4090,
        replace(MIXTRAL, num_experts=None, experts_per_token=None, params_total=None),
        active_params(MIXTRAL),
        512,
    ).tok_s
    assert calibration.PREFILL["nvidia"]["expert_cost"] > 0 and moe < dense / 1.5
    assert moe == pytest.approx(GOLDEN_MIXTRAL_PP512, abs=1)


GOLDEN_MIXTRAL_PP512 = 2931.11


@pytest.mark.django_db
def test_plan_reports_decode_per_sequence_and_for_the_whole_batch(seeded, client):
    from rest_framework.test import APIClient

    query = {"model": "llama-3-1-8b", "gpu": "nvidia-geforce-rtx-4090", "batch": 8, "context": 4096}
    body = APIClient().get("/api/v1/plan/", query).json()
    assert body["decode_total_tok_s"] == pytest.approx(body["decode_tok_s"]["tok_s"] * 8, abs=0.1)
    page = client.get("/plan/", query).content.decode()
    assert f"{round(body['decode_total_tok_s'])} tok/s for all 8" in page


@pytest.mark.parametrize(
    "measured_on, mmq",
    [("2024-05", False), ("2024-01-10", False), ("2024-06-23", False), ("2024-06", True), ("2023-11 .. 2025", True)]
    + [("2025-2026", True), ("", True)],
)
def test_a_build_before_mmq_was_the_default_multiplied_quantized_prompts_in_fp16(measured_on, mmq):
    from planner.engine.speed import llamacpp_mmq

    assert llamacpp_mmq(measured_on) is mmq
    q4 = Quantization("Q4_K_M", "gguf", 4.5)
    assert matmul_precision(q4, "llamacpp", "cuda", mmq) == ("int8" if mmq else "fp16acc")
    assert matmul_precision(q4, "llamacpp", "rocm", mmq) == "int8"  # ROCm's path is not dated here


def test_a_gpu_without_its_compute_units_gets_the_uncapped_fit_and_its_band():
    from dataclasses import replace

    from planner.engine.speed import decode_fit

    unknown = replace(RTX_3060, compute_units=None)
    assert decode_fit(unknown, "llamacpp") == calibration.DECODE_WITHOUT_UNITS["nvidia"]
    assert decode_fit(RTX_3060, "llamacpp") == calibration.DECODE["nvidia"]
    wide = decode_speed(unknown, 5 * 10**9, layers=32)
    assert wide.high / wide.tok_s == pytest.approx(calibration.DECODE_WITHOUT_UNITS["nvidia"]["high"])


def test_a_layer_split_steps_at_the_slowest_devices_read_rate_not_its_bandwidth():
    """A 360 GB/s card with 28 SMs reads at 308 GB/s; beside a 340 GB/s card with SMs to spare, it is the slower."""
    from dataclasses import replace

    roomy = replace(RTX_3060, name="roomy", bandwidth_gbs=340.0, compute_units=1000)
    q4, work = Quantization("Q4_K_M", "gguf"), Workload(context=4096)
    mixed = plan(LLAMA3_8B, q4, work, Setup(devices=(roomy, RTX_3060)), Runtime())
    same = plan(LLAMA3_8B, q4, work, Setup(devices=(RTX_3060, RTX_3060)), Runtime())
    assert mixed.decode.tok_s == pytest.approx(same.decode.tok_s)


def test_a_mixture_of_experts_without_an_active_count_says_its_decode_is_a_floor():
    from dataclasses import replace

    q4, work, setup = Quantization("Q4_K_M", "gguf"), Workload(context=4096), Setup(devices=(H200,))
    unknown = plan(replace(MIXTRAL, params_active=None), q4, work, setup, Runtime())
    known = plan(MIXTRAL, q4, work, setup, Runtime())
    note = "timed as if every weight were read"
    assert any(note in a for a in unknown.assumptions) and not any(note in a for a in known.assumptions)
    assert unknown.decode.tok_s < known.decode.tok_s
