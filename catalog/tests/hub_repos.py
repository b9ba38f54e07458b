"""Hub repositories for the lookup tests, served by the fake Hub (catalog/tests/upstream.py).

Architectures are verbatim config.json copies (fixtures/source/configs, payloads/hub) and GGUF listings are the
recorded bartowski/phi-4-GGUF one; the model-info objects around them take the Hub API's shape
(payloads/README.md). ``serve(upstream, name)`` registers one scenario and returns the repository id to ask for.
"""

import json
from pathlib import Path

from django.conf import settings

from catalog.tests.upstream import PAYLOADS

CONFIGS = Path(settings.BASE_DIR) / "fixtures" / "source" / "configs"
R1 = "deepseek-ai/DeepSeek-R1-Distill-Llama-8B"
PHI4 = "microsoft/phi-4"
PHI4_GGUF = "bartowski/phi-4-GGUF"
GEMMA = "google/gemma-3-4b-it"
QWEN_VL = "Qwen/Qwen3-VL-8B-Instruct"


def model_info(
    repo_id: str,
    files: list[tuple[str, int]],
    *,
    total: int | None = None,
    gated=False,
    card: dict | None = None,
    pipeline: str = "text-generation",
) -> dict:
    data = {
        "id": repo_id,
        "modelId": repo_id,
        "author": repo_id.split("/")[0],
        "private": False,
        "gated": gated,
        "disabled": False,
        "downloads": 1000,
        "likes": 10,
        "pipeline_tag": pipeline,
        "tags": [],
        "siblings": [{"rfilename": name, "size": size} for name, size in files],
    }
    if total:
        data["safetensors"] = {"parameters": {"BF16": total}, "total": total}
    if card:
        data["cardData"] = card
    return data


def _config(name: str) -> dict:
    return json.loads((CONFIGS / name).read_text())


def _phi4_gguf_listing(card: bool = True) -> dict:
    data = json.loads((PAYLOADS / "hub" / "bartowski__phi-4-GGUF.info.json").read_text())
    if card:
        data["cardData"] = {"base_model": PHI4, "license": "mit"}
    return data


def serve(upstream, name: str) -> str:
    """Register scenario ``name`` on the fake Hub; return the repository id a user would enter."""
    if name == "safetensors":  # the recorded R1 distill: config.json and safetensors, no GGUF anywhere
        upstream.serve_hub_model(R1, card=True)
        return R1
    if name in ("gguf", "split"):  # a GGUF-only repository whose card names its base model
        upstream.serve_json(f"/api/models/{PHI4}", model_info(PHI4, [("config.json", 800)], total=14_000_000_000))
        upstream.serve_json(f"/{PHI4}/resolve/main/config.json", _config("microsoft--phi-4.json"))
        if name == "gguf":
            upstream.serve_json(f"/api/models/{PHI4_GGUF}", _phi4_gguf_listing())
            return PHI4_GGUF
        split = "someone/phi-4-split-GGUF"  # a Q8_0 in two parts, the way large files are published
        upstream.serve_json(
            f"/api/models/{split}",
            model_info(
                split,
                [
                    ("phi-4-Q8_0-00001-of-00002.gguf", 8_000_000_000),
                    ("phi-4-Q8_0-00002-of-00002.gguf", 7_600_000_000),
                    ("phi-4-Q4_K_M.gguf", 9_050_000_000),
                ],
                card={"base_model": [PHI4]},
            ),
        )
        return split
    if name == "gated":  # model info is public, the files are not
        upstream.serve_json(f"/api/models/{GEMMA}", model_info(GEMMA, [("config.json", 900)], gated="manual"))
        upstream.serve_json(
            f"/{GEMMA}/resolve/main/config.json",
            {"error": "gated"},
            status=401,
            headers=(("X-Error-Code", "GatedRepo"),),
        )
        return GEMMA
    if name == "multimodal":  # Qwen3-VL: the language model's dimensions are under text_config
        upstream.serve_json(
            f"/api/models/{QWEN_VL}",
            model_info(QWEN_VL, [("config.json", 900)], total=8_000_000_000, pipeline="image-text-to-text"),
        )
        upstream.serve_json(f"/{QWEN_VL}/resolve/main/config.json", _config("Qwen--Qwen3-VL-8B-Instruct.json"))
        return QWEN_VL
    if name == "garbage":  # a config.json that describes no model
        repo = "someone/not-a-model"
        upstream.serve_json(f"/api/models/{repo}", model_info(repo, [("config.json", 30)]))
        upstream.serve_json(f"/{repo}/resolve/main/config.json", {"model_type": "mystery", "hello": "world"})
        return repo
    if name == "no-config":  # files, but nothing that states an architecture
        repo = "someone/weights-only"
        upstream.serve_json(f"/api/models/{repo}", model_info(repo, [("model.safetensors", 10**9)]))
        return repo
    if name == "missing":  # the fake Hub answers 404 RepoNotFound for anything it does not serve
        return "nobody/nothing-here"
    raise ValueError(name)


SCENARIOS = ("safetensors", "gguf", "split", "gated", "multimodal", "garbage", "no-config", "missing")
