"""Time the engine's rankings: all catalog GPUs for one model, all models × quantizations for one GPU.
Target (issue 3): well under 50 ms each. Run: make bench-engine"""

import time

from common import GPU, LLM, ensure_seeded

from planner import specs
from planner.engine.plan import best_quant, rank_devices
from planner.engine.types import Setup, Workload

ensure_seeded()
devices = [specs.gpu_to_device(g) for g in GPU.objects.all()]
llms = list(LLM.objects.prefetch_related("quantizations__fmt"))
model = next(m for m in llms if m.slug == "deepseek-r1-distill-llama-8b")
arch = specs.llm_to_arch(model)
q4 = specs.model_quant_to_quant(next(q for q in model.quantizations.all() if q.fmt.name == "Q4_K_M"))
gpu = specs.gpu_to_device(GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb"))


def best_of(runs, fn):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return min(times), sorted(times)[len(times) // 2]


def rank_gpus():
    return rank_devices(arch, q4, Workload(context=8192), devices)


def models_on_gpu():
    for m in llms:
        options = [(specs.model_quant_to_quant(q), q.fmt.quality_pct or 0) for q in m.quantizations.all()]
        best_quant(specs.llm_to_arch(m), options, Workload(context=8192), Setup(devices=(gpu,)))


for name, fn in (
    ("rank every catalog GPU for one model", rank_gpus),
    ("best quant of 60 models on one GPU", models_on_gpu),
):
    best, median = best_of(20, fn)
    print(f"{name}: best {best:.1f} ms, median {median:.1f} ms")
