"""The traffic mix of bench/load.py: people on model pages switching context and quantization (htmx
fragments included), GPU list filters, GPU pages, and tools on the compatible-GPUs and plan APIs.

Most traffic is about a few popular models (a launch spike); LONG_TAIL of it is about any model of the
large catalog, at Q4_K_M (every synthetic model has it), so caches miss as they would in real life.
Cache hits and misses (the X-Cache header) are counted per endpoint and written to $LOCUST_CACHE_STATS.
"""

import json
import os
import random
from collections import Counter

from gevent.lock import Semaphore
from locust import FastHttpUser, between, events, task

# Popular real models (the synthetic copies are reachable too, but people mostly ask about these).
MODELS = [
    "deepseek-r1-distill-llama-8b",
    "llama-3-1-8b",
    "qwen3-8b",
    "qwen3-30b-a3b",
    "gemma-3-27b-it",
    "llama-3-3-70b-instruct",
    "mistral-small-24b-instruct-2501",
    "gpt-oss-20b",
    "phi-4",
    "qwen3-32b",
]
CONTEXTS = [4096, 8192, 16384, 32768, 65536, 131072]
QUANTS = ["Q4_K_M", "Q8_0", "Q5_K_M", "Q6_K", "Q3_K_M"]
GPUS = [
    "nvidia-geforce-rtx-3060-12-gb",
    "nvidia-geforce-rtx-4090",
    "nvidia-geforce-rtx-3090",
    "amd-radeon-rx-7900-xtx",
    "apple-m2-max-32-gb-unified",
    "nvidia-geforce-rtx-4060-ti-16-gb",
    "intel-arc-b580",
]
HEADERS = {"X-Forwarded-Proto": "https"}
LONG_TAIL = 0.2
SETUP_LOCK = Semaphore()
CACHE: Counter[tuple[str, str]] = Counter()  # (endpoint, "hit" | "miss") -> responses


@events.request.add_listener
def count_cache(name, response, exception, **_kwargs):
    if response is not None and not exception:
        CACHE[(name, (response.headers or {}).get("X-Cache", "none"))] += 1


@events.quitting.add_listener
def write_cache_stats(**_kwargs):
    if os.environ.get("LOCUST_CACHE_STATS"):
        with open(os.environ["LOCUST_CACHE_STATS"], "w") as handle:
            json.dump([[name, state, n] for (name, state), n in CACHE.items()], handle)


class Visitor(FastHttpUser):
    wait_time = between(0.05, 0.3)
    catalog: dict = {}  # model slug -> (contexts within its max, its published quants); shared by all users
    tail: list = []  # synthetic models of the large catalog: (slug, contexts within its max)

    def on_start(self):
        with SETUP_LOCK:  # one user fetches the catalog facts; the others wait for it (not 50 fetches)
            if not Visitor.catalog:
                self.fetch_catalog()

    def fetch_catalog(self):
        for slug in MODELS:
            body = self.client.get(f"/api/v1/models/{slug}/", name="(setup) model detail", headers=HEADERS).json()
            published = {q["quant"] for q in body["quantizations"]}
            Visitor.catalog[slug] = (
                [c for c in CONTEXTS if c <= body["max_context"]] or [body["max_context"]],
                [q for q in QUANTS if q in published] or sorted(published)[:1],
            )
        url = "/api/v1/models/?page_size=500&q=syn"
        while url:
            body = self.client.get(url, name="(setup) model list", headers=HEADERS).json()
            Visitor.tail += [
                (m["slug"], [c for c in CONTEXTS if c <= m["max_context"]] or [m["max_context"]])
                for m in body["results"]
            ]
            url = body["next"] and "/api/v1/models/?" + body["next"].split("?", 1)[1]

    def pick(self):
        if self.tail and random.random() < LONG_TAIL:
            model, contexts = random.choice(self.tail)
            return model, random.choice(contexts), "Q4_K_M"
        model = random.choice(MODELS)
        contexts, quants = self.catalog[model]
        return model, random.choice(contexts), random.choice(quants)

    @task(6)
    def model_page(self):
        model, context, quant = self.pick()
        self.client.get(
            f"/models/{model}/?context={context}&quant={quant}&kv_cache=f16&runtime=llamacpp",
            name="model page",
            headers=HEADERS,
        )
        # the htmx fragment when the user moves the context control
        context = random.choice(self.catalog[model][0] if model in self.catalog else [min(4096, context), context])
        self.client.get(
            f"/models/{model}/?context={context}&quant={quant}&kv_cache=f16&runtime=llamacpp",
            name="model page (htmx)",
            headers={**HEADERS, "HX-Request": "true"},
        )

    @task(4)
    def compatible_gpus_api(self):
        model, context, quant = self.pick()
        self.client.get(
            f"/api/v1/models/{model}/gpus/?quant={quant}&context={context}", name="API compatible GPUs", headers=HEADERS
        )

    @task(3)
    def plan_get(self):
        model, context, quant = self.pick()
        self.client.get(
            f"/api/v1/plan/?model={model}&quant={quant}&context={context}&gpu={random.choice(GPUS)}",
            name="API plan GET",
            headers=HEADERS,
        )

    @task(2)
    def plan_post(self):
        model, context, quant = self.pick()
        self.client.post(
            "/api/v1/plan/",
            json={
                "model": model,
                "quant": quant,
                "context": context,
                "gpu": random.choice(GPUS),
                "gpu_count": random.choice([1, 2]),
            },
            name="API plan POST",
            headers=HEADERS,
        )

    @task(2)
    def gpu_list(self):
        vendor = random.choice(["", "NVIDIA", "AMD", "Intel", "Apple"])
        vram = random.choice(["", "8", "12", "16", "24"])
        self.client.get(
            f"/gpus/?vendor={vendor}&min_vram_gb={vram}&sort={random.choice(['vram', 'bandwidth'])}",
            name="GPU list filters",
            headers=HEADERS,
        )

    @task(2)
    def gpu_page(self):
        self.client.get(
            f"/gpus/{random.choice(GPUS)}/?context={random.choice([4096, 8192, 32768])}",
            name="GPU page",
            headers=HEADERS,
        )
