"""Build the seed fixtures from the curated CSVs in ``shared/data`` (see its SOURCES.md).

Pure functions from CSV rows to fixture objects (natural keys, no primary keys), so
``manage.py build_fixtures`` is repeatable and the mapping is testable. Facts that the CSVs do
not carry (tied embeddings, FFN widths, expert counts, run commands, benchmark scores) live in
``fixtures/source/*.csv`` with a source on every row.
"""

import copy
import csv
import re
from datetime import date
from pathlib import Path

from catalog import seed_models
from catalog.hf_config import NATIVE_GGUF, architecture_fields
from catalog.models import RECOMMENDED_KEYS

GIB = 1024**3
FIXTURE_SOURCE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "source"

# The quantizations a model page lists by default (the usual GGUF ladder plus 16-bit).
USUAL_GGUF = ["Q2_K", "Q3_K_M", "Q4_K_M", "Q5_K_M", "Q6_K", "Q8_0", "F16"]
# Natively published formats that a model page should also list.
NATIVE_FORMATS = {
    "openai/gpt-oss-20b": ["MXFP4_MOE"],
    "openai/gpt-oss-120b": ["MXFP4_MOE"],
    "deepseek-ai/DeepSeek-V3": ["FP8-Block-128x128"],
    "deepseek-ai/DeepSeek-R1": ["FP8-Block-128x128"],
    "moonshotai/Kimi-K2-Instruct": ["FP8-Block-128x128"],
}
# Exact GGUF sizes from shared/data/gguf_sizes_public.csv, by the catalog model whose tensors they match.
EXACT_SIZE_MODELS = {"Meta-Llama-3-8B-Instruct": "meta-llama/Meta-Llama-3-8B"}


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_optional_csv(path: Path) -> list[dict]:
    """A fixtures/source table that a checkout may not have yet: no file, no rows."""
    return read_csv(path) if path.exists() else []


def _num(value: str, kind=float):
    value = (value or "").strip()
    if not value:
        return None
    return kind(float(value)) if kind is int else kind(value)


def _date(value: str) -> tuple[str | None, bool]:
    value = (value or "").strip()
    if not value:
        return None, False
    if re.fullmatch(r"\d{4}", value):
        return date(int(value), 1, 1).isoformat(), True
    return value, False


def gpu_slug(vendor: str, name: str) -> str:
    return slugify(name if name.lower().startswith(vendor.lower()) else f"{vendor} {name}")


def gpu_fixture(row: dict) -> dict:
    released, year_only = _date(row["release_date"])
    price = _num(row["launch_price_usd"])
    return {
        "model": "catalog.gpu",
        "fields": {
            "vendor": row["vendor"],
            "name": row["name"],
            "slug": gpu_slug(row["vendor"], row["name"]),
            "architecture": row["architecture"],
            "release_date": released,
            "release_year_only": year_only,
            "memory_bytes": round(float(row["memory_gb"]) * GIB),
            "memory_type": row["memory_type"],
            "bus_width_bits": _num(row["memory_bus_bits"], int),
            "bandwidth_gbs": _num(row["bandwidth_gbs"]),
            "fp16_tflops": _num(row["fp16_tflops"]),
            "fp32_tflops": _num(row["fp32_tflops"]),
            "tdp_w": _num(row["tdp_w"], int),
            "launch_price_usd": f"{price:.2f}" if price is not None else None,
            "availability": "retail",  # gpu_availability.csv names the GPUs sold only in systems, clouds or laptops
            "segment": row["segment"],
            "is_active": True,
            "source": row["source"],
            "locked_fields": [],
        },
    }


def lock(fields: dict, name: str) -> None:
    """A sourced correction of a figure the shared GPU table holds is locked like an admin's edit: the GPU feed
    (the table's upstream) would otherwise put the table's figure back. Figures the table lacks (prices, tensor
    rates, compute units) are not locked: a blank in the feed never erases them, and a feed that knows one wins."""
    if name not in fields["locked_fields"]:
        fields["locked_fields"].append(name)


def apply_apple_variants(gpus: list[dict], source_dir: Path) -> None:
    """Apple Silicon by GPU cores (fixtures/source/apple_variants.csv, each row with its source): a chip × memory
    row gets the core count of the Mac that shipped with that memory at its base price (the row's price is that
    Mac's), and a ``new_name`` row adds the chip's other bin with the same memory. The shared table's FP32 figure is
    the chip's top bin (huggingface.js hardware.ts, e.g. "M4 Max 18.4 (FP32, 40 cores)"); a bin's is that × cores /
    top cores, since one chip's GPU cores are identical and share its clock (FP32 = cores × 128 ALUs × 2 × clock:
    philipturner/metal-benchmarks). A bin with its own bandwidth (a 30-core M3 Max: 300 GB/s) says so."""
    by_name = {g["fields"]["name"]: g for g in gpus if g["fields"]["vendor"] == "Apple"}
    untouched = copy.deepcopy(by_name)  # a new bin starts from the shared table's row, not from the base bin's edits
    for row in read_optional_csv(source_dir / "apple_variants.csv"):
        base = by_name[row["name"]]
        if row["new_name"]:
            base = copy.deepcopy(untouched[row["name"]])
            base["fields"].update(name=row["new_name"], slug=gpu_slug("Apple", row["new_name"]), launch_price_usd=None)
            gpus.append(base)
        fields, cores, top = base["fields"], int(row["gpu_cores"]), int(row["top_cores"])
        fields["compute_units"] = cores
        top_fp32 = untouched[row["name"]]["fields"]["fp32_tflops"]
        if top_fp32 is not None:
            fields["fp32_tflops"] = round(top_fp32 * cores / top, 2)
            lock(fields, "fp32_tflops")
        if row["bandwidth_gbs"]:
            fields["bandwidth_gbs"] = float(row["bandwidth_gbs"])
            lock(fields, "bandwidth_gbs")
        fields["source"] += f" | {cores}-core GPU (FP32 × {cores}/{top} of the top bin): {row['source']}"


def apply_gpu_facts(gpus: list[dict], source_dir: Path) -> None:
    """Prices (fixtures/source/gpu_prices.csv: launch MSRP or dated retail), how the GPUs no one sells on their own
    are sold (gpu_availability.csv) and spec figures (gpu_spec_fixes.csv) the shared GPU table lacks, each with its
    source. A launch MSRP never replaces
    one the table has; a retail price becomes the street price with the date it was seen (the newest wins)."""
    by_key = {(g["fields"]["vendor"], g["fields"]["name"]): g["fields"] for g in gpus}
    for row in sorted(read_optional_csv(source_dir / "gpu_prices.csv"), key=lambda r: r["price_date"]):
        fields = by_key[(row["vendor"], row["name"])]
        price = f"{float(row['price_usd']):.2f}"
        if row["price_kind"] == "retail":
            fields["street_price_usd"], fields["street_price_observed_at"] = price, row["price_date"]
        elif fields["launch_price_usd"] is None:
            fields["launch_price_usd"] = price
        else:
            continue
        fields["source"] += f" | {row['price_kind']} price ({row['price_date']}): {row['source']}"
    for row in read_optional_csv(source_dir / "gpu_availability.csv"):  # sold only in systems, the cloud, laptops
        fields = by_key[(row["vendor"], row["name"])]
        fields["availability"] = row["availability"]
        fields["source"] += f" | availability ({row['availability']}): {row['source']}"
    for row in read_optional_csv(source_dir / "gpu_spec_fixes.csv"):
        fields = by_key[(row["vendor"], row["name"])]
        fields[row["field"]] = float(row["value"]) if row["field"] == "bandwidth_gbs" else row["value"]
        lock(fields, row["field"])
        fields["source"] += f" | {row['field']}: {row['source']}"


FP16_ACCUMULATE = re.compile(r"FP16-acc = ([\d.]+)")  # gpu_tensor.csv's note on a half-rate FP32-accumulate part


def apply_gpu_tensor(gpus: list[dict], source_dir: Path) -> None:
    """Dense matrix throughput per GPU with matrix units, from fixtures/source/gpu_tensor.csv: FP16/BF16 (FP32
    accumulate), FP8 and INT8, each the vendor's figure or its derivation from the architecture's per-clock rate,
    with its source (gpu_tensor_NOTES.md has the method and the gaps; a blank is a precision the part lacks or
    a figure nobody publishes)."""
    by_slug = {g["fields"]["slug"]: g["fields"] for g in gpus}
    for row in read_optional_csv(source_dir / "gpu_tensor.csv"):
        fields = by_slug.get(row["slug"])
        if fields is None or row["has_matrix_units"] != "true" or not row["tensor_fp16_tflops"]:
            continue
        for field in ("tensor_fp16_tflops", "tensor_fp8_tflops", "tensor_int8_tops"):
            fields[field] = float(row[field]) if row[field] else None
        if acc16 := FP16_ACCUMULATE.search(row["fp16_note"]):  # GeForce: FP32-accumulate at half the FP16 rate
            fields["tensor_fp16acc_tflops"] = float(acc16.group(1))
        fields["source"] += f" | tensor rates ({row['fp16_note']}): {row['source']}"


def apply_gpu_units(gpus: list[dict], source_dir: Path) -> None:
    """Compute units per GPU (NVIDIA SMs, AMD CUs, Intel Xe cores) from fixtures/source/gpu_units.csv, written by
    bench/gpu_units.py from TechPowerUp's figures, each row with its source."""
    by_slug = {g["fields"]["slug"]: g["fields"] for g in gpus}
    for row in read_optional_csv(source_dir / "gpu_units.csv"):
        fields = by_slug.get(row["slug"])
        if fields is not None:
            fields["compute_units"] = int(row["compute_units"])
            fields["source"] += f" | compute units: {row['source']}"


def apply_gpu_backends(gpus: list[dict], source_dir: Path) -> None:
    """Compute backends per architecture (fixtures/source/gpu_backends.csv) and per GPU where it differs or
    a compute capability / gfx target is pinned (gpu_backend_exceptions.csv), each with its source."""
    by_arch = {(r["vendor"], r["architecture"]): r for r in read_optional_csv(source_dir / "gpu_backends.csv")}
    exceptions = {(r["vendor"], r["name"]): r for r in read_optional_csv(source_dir / "gpu_backend_exceptions.csv")}
    for obj in gpus:
        fields = obj["fields"]
        arch = by_arch.get((fields["vendor"], fields["architecture"]))
        if arch is None:
            continue
        row = {**arch, **{k: v for k, v in exceptions.get((fields["vendor"], fields["name"]), {}).items() if v}}
        fields["backends"] = ",".join(b.strip() for b in row["backends"].split(";") if b.strip())
        fields["cuda_cc"] = row["cuda_cc"]
        fields["gfx_target"] = row["gfx"]
        fields["backends_source"] = arch["source"] + (
            f" | this GPU: {row['source']}" if row is not arch and row["source"] != arch["source"] else ""
        )


def quality_pct(row: dict) -> float | None:
    """100 × PPL(F16 baseline) / PPL(quant), both from the same measurement series."""
    ppl, base = _num(row["ppl_llama3_8b"]), _num(row["ppl_f16_baseline"])
    if not ppl or not base:
        return None
    return round(min(100.0, 100.0 * base / ppl), 2)


def format_blocks(row: dict) -> dict:
    """A format's bulk tensor type and block, as the curated CSV states them, checked against its bits per weight
    (block bytes × 8 / block weights): a row that disagrees stops the build. The engine sizes GGUF files from its
    own tables (planner.engine.weights.GGML_TYPES); a planner test holds these fields to them."""
    weights, size = _num(row["block_weights"], int), _num(row["block_bytes"])
    if weights and size and abs(size * 8 / weights - float(row["nominal_bpw"])) > 1e-5:
        raise ValueError(f"quant_types.csv {row['name']}: its block gives {size * 8 / weights} bits per weight")
    return {"base_type": row["base_ggml_type"], "block_weights": weights, "block_bytes": size}


def quant_fixtures(rows: list[dict]) -> list[dict]:
    out, seen = [], set()
    for order, row in enumerate(rows):
        name = row["name"]
        if name in seen:  # NVFP4 exists both as a GGUF type and as NVIDIA's checkpoint format
            name = f"{name} ({row['format_family']})"
        seen.add(name)
        out.append(
            {
                "model": "catalog.quantformat",
                "fields": {
                    "name": name,
                    "family": row["format_family"],
                    **format_blocks(row),
                    "bits_per_weight": float(row["nominal_bpw"]),
                    "file_bpw_reference": _num(row["file_bpw_llama31_8b"]),
                    "quality_pct": quality_pct(row),
                    "perplexity": _num(row["ppl_llama3_8b"]),
                    "kl_divergence": _num(row["kld_llama3_8b"]),
                    "quality_source": row["quality_source_model"],
                    "recipe_notes": row["recipe_notes"],
                    "sort_order": order,
                    "source": row["source"],
                },
            }
        )
    return out


def _swa_split(pattern: str) -> tuple[int | None, int | None, str]:
    """Read "5 local : 1 global" / "1 sliding (128) : 1 full" / "3 chunked-local (8192) : 1 global"."""
    match = re.match(r"\s*(\d+)\s+([a-z-]+).*?:\s*(\d+)", pattern or "")
    if not match:
        return None, None, ""
    kind = "chunked" if "chunked" in match.group(2) else "sliding"
    return int(match.group(1)), int(match.group(3)), kind


def llm_tags(row: dict) -> list[str]:
    """Tags from the repo id and architecture; rules, not opinions."""
    repo = row["hf_repo_id"].lower()
    tags = set()
    # DeepSeek-R1 (and its distills) and DeepSeek-V3 are the chat-tuned releases (their -Base repos are the base).
    # Qwen3.5/3.6 publish their chat models without "Instruct" in the name; a "-Base" repo is the base either way.
    chat_repos = (
        "instruct",
        "-it",
        "chat",
        "phi-4",
        "gpt-oss",
        "command-r",
        "qwen3-",
        "qwen3.",
        "kimi",
        "deepseek-r1",
        "deepseek-v3",
        "qwq",
    )
    if any(k in repo for k in chat_repos) and "-base" not in repo:
        tags.add("chat")
    if "distill" in repo:
        tags.update({"distilled", "reasoning"})
    if any(k in repo for k in ("deepseek-r1", "qwen3-", "qwen3.", "gpt-oss", "qwq", "thinking")):
        tags.add("reasoning")
    # Models that think aloud between <think> tags before answering (their cards' chat templates).
    if any(k in repo for k in ("deepseek-r1", "qwq", "thinking", "qwen3-", "qwen3.")) and "-base" not in repo:
        tags.add("thinking")
    if any(k in repo for k in ("llama-4", "gemma-3-4b", "gemma-3-12b", "gemma-3-27b", "-vl", "vision")) or row.get(
        "vision"
    ) not in (None, "", "{}"):
        tags.add("vision")
    if row["architecture"] == "moe":
        tags.add("moe")
    task = row.get("task") or "generation"
    if task != "generation":
        tags.add(task)
    elif not tags & {"chat"}:
        tags.add("base")
    return sorted(tags)


TAG_NAMES = {
    "base": "Base",
    "chat": "Chat",
    "code": "Code",
    "distilled": "Distilled",
    "moe": "Mixture of experts",
    "reasoning": "Reasoning",
    "thinking": "Thinking",
    "vision": "Vision",
    "embedding": "Embedding",
    "reranking": "Reranking",
}


def llm_slug(repo_id: str) -> str:
    return slugify(repo_id.split("/", 1)[1])


def _describe(row: dict, params_b: float | None) -> str:
    size = f"{params_b:g}B-parameter " if params_b else ""
    kind = "mixture-of-experts" if row["architecture"] == "moe" else "dense"
    ctx = int(row["max_context"])
    return (
        f"{row['name']} is a {size}{kind} model from {row['developer']} ({row['family']} family) "
        f"with a {ctx:,}-token context window, {row['num_layers']} layers and "
        f"{row['num_kv_heads']} KV heads."
    )


def _identity(row: dict, described: dict, params_b: float | None) -> dict:
    """The fields every catalog model takes from its CSV row, whichever way its architecture was read."""
    released, _ = _date(row["release_date"])
    return {
        "name": row["name"],
        "slug": llm_slug(row["hf_repo_id"]),
        "hf_repo_id": row["hf_repo_id"],
        "family": row["family"],
        "developer": row["developer"],
        "release_date": released,
        "license": row["license"][:60],
        "description": _describe(described, params_b),
        "tags": [[t] for t in llm_tags(described)],
    }


def llm_fixture(row: dict, extra: dict) -> dict:
    total_b, active_b = _num(row["params_total_b"]), _num(row["params_active_b"])
    local, glob, window_kind = _swa_split(row["swa_layer_pattern"])
    attention = row["attention"]
    if attention != "swa-hybrid":
        # Phi-3's config window covers all layers and runtimes ignore it: treat as plain attention.
        local, glob, window_kind = None, None, ""
    fields = {
        **_identity(row, row, total_b),
        "architecture": row["architecture"],
        "params_total": round(total_b * 1e9) if total_b else None,
        "params_active": round(active_b * 1e9) if active_b else None,
        "num_layers": int(row["num_layers"]),
        "hidden_size": int(row["hidden_size"]),
        "num_attention_heads": int(row["num_attention_heads"]),
        "num_kv_heads": int(row["num_kv_heads"]),
        "head_dim": _num(row["head_dim"], int),
        "vocab_size": int(row["vocab_size"]),
        "max_context": int(row["max_context"]),
        "attention": attention,
        "window_kind": window_kind,
        "sliding_window": _num(row["sliding_window"], int) if attention == "swa-hybrid" else None,
        "swa_local_layers": local,
        "swa_global_layers": glob,
        "swa_pattern_text": row["swa_layer_pattern"],
        "mla_kv_lora_rank": _num(row["mla_kv_lora_rank"], int),
        "mla_rope_dim": _num(row["mla_rope_head_dim"], int),
        "tied_embeddings": False,
        "intermediate_size": None,
        "num_experts": None,
        "num_experts_per_token": None,
        "ollama_tag": "",
        "docker_model": "",
        "run_commands_source": "",
        "source": row["source"],
    }
    if extra:
        fields["tied_embeddings"] = extra["tied_embeddings"].strip().lower() == "true"
        fields["intermediate_size"] = _num(extra["intermediate_size"], int)
        fields["num_experts"] = _num(extra["num_experts"], int)
        fields["num_experts_per_token"] = _num(extra["experts_per_token"], int)
        fields["ollama_tag"] = extra["ollama_tag"]
        fields["docker_model"] = extra["docker_model"]
        fields["run_commands_source"] = extra["run_commands_source"]
        if extra["source"]:
            fields["source"] += " | architecture extras: " + extra["source"]
    return {"model": "catalog.llm", "fields": fields}


def apply_curated_configs(llms: list[dict], source_dir: Path) -> None:
    """What a curated model's own config.json adds to its transcribed architecture, where we hold a copy:
    the vision encoder's dimensions and whether it is an encoder."""
    for obj in llms:
        fields = obj["fields"]
        path = seed_models.config_path(source_dir, fields["hf_repo_id"])
        if path.exists():
            arch = architecture_fields(seed_models.load_config(source_dir, fields["hf_repo_id"]))
            fields["vision"] = arch.get("vision", {})
            fields["causal"] = arch.get("causal", True)
            fields["gated_ffn"] = arch.get("gated_ffn", True)
            fields["native_quant"] = arch.get("native_quant", "")
            fields["model_type"] = arch.get("model_type", "")
            if fields["architecture"] == "moe":
                fields["first_dense_layers"] = arch.get("first_dense_layers", 0)


def config_llm_fixture(row: dict, source_dir: Path) -> dict | None:
    """A model from fixtures/source/models.csv whose architecture is its own config.json (seed_models);
    None when the config lacks what every catalog model needs."""
    config = seed_models.load_config(source_dir, row["hf_repo_id"])
    fields = seed_models.config_llm_fields(row, config)
    if fields is None:
        return None
    described = {**row, **{k: str(v) for k, v in fields.items() if v is not None}}
    params_b = fields["params_total"] / 1e9 if fields["params_total"] else None
    fields.update(
        {
            **_identity(row, described, round(params_b, 1) if params_b else None),
            "ollama_tag": row["ollama_tag"],
            "docker_model": "",
            "run_commands_source": "",
            "config_source": row["config_source"],
            "source": f"config.json: {row['config_source']} | facts: {row['facts_source']}"
            + "".join(f" | {basis}" for basis in [seed_models.model_params(row, config)[2]] if basis),
        }
    )
    return {"model": "catalog.llm", "fields": fields}


def apply_llm_facts(llms: list[dict], source_dir: Path) -> None:
    """Facts the curated CSV lacks (fixtures/source/llm_facts.csv: one field per row, with its source).
    ``*_b`` fields are billions of parameters."""
    by_repo = {obj["fields"]["hf_repo_id"]: obj["fields"] for obj in llms}
    for row in read_optional_csv(source_dir / "llm_facts.csv"):
        fields = by_repo[row["hf_repo_id"]]  # a fact about a model not in the catalog is an error
        name, value = row["field"], row["value"]
        if name.endswith("_b"):
            name, value = name[:-2], round(float(value) * 1e9)
        fields[name] = value
        fields["source"] += f" | {name}: {row['source']}"


CARD_TEXT = ("license_url", "paper_url", "languages", "input_modalities", "output_modalities", "knowledge_cutoff")
CARD_RECOMMENDED = (
    "temperature",
    "temperature_min",
    "temperature_max",
    "top_p",
    "system_prompt",
    "thinking_prefix",
    "prompt_tip",
)


def apply_card_facts(llms: list[dict], source_dir: Path) -> None:
    """What a model's card says beyond its architecture (fixtures/source/model_cards.csv, one row per model
    with its source): links, languages, tool calling, modalities, knowledge cutoff, recommended settings."""
    by_repo = {obj["fields"]["hf_repo_id"]: obj["fields"] for obj in llms}
    for row in read_optional_csv(source_dir / "model_cards.csv"):
        fields = by_repo[row["hf_repo_id"]]  # a card for a model not in the catalog is an error
        fields.update({name: row[name].strip() for name in CARD_TEXT})
        tool = row["tool_calling"].strip().lower()
        fields["tool_calling"] = {"true": True, "false": False}.get(tool)
        fields["knowledge_cutoff_estimated"] = row["knowledge_cutoff_estimated"].strip().lower() == "true"
        recommended = {}
        for name in CARD_RECOMMENDED:
            value = row[name].strip()
            if value:
                recommended[name] = value if RECOMMENDED_KEYS[name] is str else float(value)
        fields["recommended"] = recommended
        fields["card_source"] = row["source"]


def apply_hub_stats(llms: list[dict], source_dir: Path) -> None:
    """A dated snapshot of Hub downloads (last 30 days) and likes (fixtures/source/hf_stats.csv, with sources);
    the Hub refresh keeps them current."""
    by_repo = {obj["fields"]["hf_repo_id"]: obj["fields"] for obj in llms}
    for row in read_optional_csv(source_dir / "hf_stats.csv"):
        fields = by_repo[row["hf_repo_id"]]
        fields["hf_downloads"] = _num(row["downloads"], int)
        fields["hf_likes"] = _num(row["likes"], int)
        fields["hf_stats_date"] = row["snapshot_date"]
        period = {"last_30_days": "downloads in the 30 days before"}.get(row["period"], "downloads (window unstated)")
        fields["hf_stats_source"] = f"{period} {row['snapshot_date']}: {row['source']}"


OLLAMA_QUANTS = {"FP16": "F16"}  # the library's quant names that differ from ours


def _default_tag(rows: list[dict]) -> dict:
    """The tag `ollama run` should name: the shortest Q4_K_M tag (what Ollama's own short tags point at),
    else the shortest tag."""
    q4 = [r for r in rows if r["quant"].lower() == "q4_k_m"]
    return min(q4 or rows, key=lambda r: (len(r["ollama_tag"]), r["ollama_tag"]))


def apply_ollama_tags(llms: list[dict], source_dir: Path) -> None:
    """Ollama library tags per model and quantization (fixtures/source/ollama_tags.csv, a dated registry scrape):
    they replace older hand-collected tags, since a short tag can move to a newer release."""
    by_repo = {obj["fields"]["hf_repo_id"]: obj["fields"] for obj in llms}
    tags: dict[str, list[dict]] = {}
    for row in read_optional_csv(source_dir / "ollama_tags.csv"):
        tags.setdefault(row["hf_repo_id"], []).append(row)
    for repo, rows in tags.items():
        fields, tag = by_repo[repo], _default_tag(rows)
        fields["ollama_tag"] = tag["ollama_tag"]
        per_quant = {}
        for row in sorted(rows, key=lambda r: (len(r["ollama_tag"]), r["ollama_tag"]), reverse=True):
            # The shortest tag of each quant wins; a tag with no quant is the model's own format (gpt-oss: MXFP4).
            quant = OLLAMA_QUANTS.get(row["quant"].upper(), row["quant"].upper()) or NATIVE_GGUF.get(
                fields.get("native_quant", ""), ""
            )
            per_quant[quant] = row["ollama_tag"]
        fields["ollama_tags"] = {q: t for q, t in sorted(per_quant.items()) if q}
        fields["run_commands_source"] = "; ".join(
            filter(None, [f"Ollama tag {tag['ollama_tag']}: {tag['source']}", fields["run_commands_source"]])
        )


GGUF_PUBLISHERS = ("ggml-org", "unsloth", "bartowski", "lmstudio-community")  # after the model's own org


def apply_gguf_repos(llms: list[dict], config_rows: list[dict], source_dir: Path) -> None:
    """A GGUF repository per model for `llama-server -hf`: the one models.csv names, else from the Hub file
    listings in fixtures/source/gguf_files.csv, the publisher's own first, then ggml-org, unsloth, bartowski."""
    by_repo = {obj["fields"]["hf_repo_id"]: obj["fields"] for obj in llms}
    candidates: dict[str, set[str]] = {}
    listed: dict[tuple[str, str], set[str]] = {}
    for row in read_optional_csv(source_dir / "gguf_files.csv"):
        if row["hf_repo_id"] in by_repo and row["gguf_repo"]:
            candidates.setdefault(row["hf_repo_id"], set()).add(row["gguf_repo"])
            if row["quant"]:
                listed.setdefault((row["hf_repo_id"], row["gguf_repo"]), set()).add(row["quant"].upper())
    for row in config_rows:
        if row.get("gguf_repo"):
            candidates[row["hf_repo_id"]] = {row["gguf_repo"]}
    for repo, repos in candidates.items():
        org = repo.split("/")[0].lower()
        rank = {p: i for i, p in enumerate((org, *GGUF_PUBLISHERS))}
        chosen = min(repos, key=lambda r: (rank.get(r.split("/")[0].lower(), 99), r))
        by_repo[repo]["gguf_repo"] = chosen
        by_repo[repo]["gguf_quants"] = sorted(listed.get((repo, chosen), ()))


def config_model_rows(source_dir: Path, known_repos: set[str]) -> list[dict]:
    """models.csv rows to seed: not already in the curated CSV, and not a format variant of a model the
    catalog has (a checkpoint published only as FP8, like Laguna XS.2, is the model itself)."""
    rows = [r for r in read_optional_csv(source_dir / seed_models.MODELS_CSV) if r["hf_repo_id"] not in known_repos]
    names = {r["hf_repo_id"].split("/", 1)[1].lower() for r in rows} | {r.split("/", 1)[1].lower() for r in known_repos}
    out, variants = [], {}
    for r in rows:
        if not seed_models.is_format_variant(r["hf_repo_id"]):
            out.append(r)
        elif seed_models.variant_base(r["hf_repo_id"]) not in names:
            # One entry per unpublished base: the FP8 checkpoint if there is one (closest to the original).
            base = seed_models.variant_base(r["hf_repo_id"])
            if base not in variants or "FP8" in r["hf_repo_id"].upper():
                variants[base] = r
    return out + sorted(variants.values(), key=lambda r: r["hf_repo_id"])


def model_quant_fixtures(llm_rows: list[dict], quant_names: set[str], gguf_rows: list[dict]) -> list[dict]:
    exact = {}
    for row in gguf_rows:
        target = EXACT_SIZE_MODELS.get(row["model"])
        if target and row["size_bytes_exact"] and row["quant"] in quant_names:
            exact[(target, row["quant"])] = row
    out = []
    for row in llm_rows:
        repo = row["hf_repo_id"]
        for fmt in USUAL_GGUF + NATIVE_FORMATS.get(repo, []):
            size_row = exact.get((repo, fmt))
            out.append(
                {
                    "model": "catalog.modelquant",
                    "fields": {
                        "llm": [llm_slug(repo)],
                        "fmt": [fmt],
                        "file_size_bytes": int(size_row["size_bytes_exact"]) if size_row else None,
                        "repo_id": size_row["repo"] if size_row else "",
                        "filename": size_row["filename"] if size_row else "",
                        "source": (
                            f"{size_row['source']} ({size_row['model']}: same tensor shapes as {repo})"
                            if size_row
                            else ""
                        ),
                    },
                }
            )
    return out


def benchmark_fixtures(rows: list[dict]) -> list[dict]:
    return [
        {
            "model": "catalog.benchmarkscore",
            "fields": {
                "llm": [llm_slug(row["hf_repo_id"])],
                "name": row["benchmark"],
                "category": row["category"],
                "score": float(row["score"]),
                "source": row["source"],
            },
        }
        for row in rows
    ]


def measurement_fixtures(rows: list[dict]) -> list[dict]:
    """Published speed measurements (fixtures/source/measurements.csv, written by bench/export_measurements.py)."""
    return [
        {
            "model": "catalog.measurement",
            "fields": {
                "key": row["key"],
                "llm": [row["llm"]],
                "model_label": row["model_label"],
                "gpu": [row["gpu"]],
                "gpu_label": row["gpu_label"],
                "n_gpus": int(row["n_gpus"]),
                "bandwidth_gbs": _num(row["bandwidth_gbs"]),
                "quant": row["quant"],
                "file_size_bytes": int(float(row["file_size_gib"]) * GIB),
                "runtime": row["runtime"],
                "backend": row["backend"],
                "test": row["test"],
                "kind": row["kind"],
                "depth": int(row["depth"]),
                "tok_s": float(row["tok_s"]),
                "build": row["build"],
                "measured_on": row["measured_on"],
                "source": row["source"],
                "notes": row["notes"],
                "created_at": "2026-12-07T00:00:00Z",
            },
        }
        for row in rows
    ]


def build_all(data_dir: Path, source_dir: Path = FIXTURE_SOURCE_DIR) -> dict[str, list[dict]]:
    """Return fixture file name -> objects, in load order."""
    gpus = [gpu_fixture(r) for r in read_csv(data_dir / "gpus.csv")]
    apply_apple_variants(gpus, source_dir)
    apply_gpu_facts(gpus, source_dir)
    apply_gpu_tensor(gpus, source_dir)
    apply_gpu_units(gpus, source_dir)
    apply_gpu_backends(gpus, source_dir)
    quants = quant_fixtures(read_csv(data_dir / "quant_types.csv"))
    llm_rows = read_csv(data_dir / "llm_models.csv")
    extras = {r["hf_repo_id"]: r for r in read_csv(source_dir / "llm_extra.csv")}
    llms = [llm_fixture(r, extras.get(r["hf_repo_id"], {})) for r in llm_rows]
    apply_curated_configs(llms, source_dir)
    config_rows, config_llms = [], []
    for row in config_model_rows(source_dir, {r["hf_repo_id"] for r in llm_rows}):
        fixture = config_llm_fixture(row, source_dir)
        if fixture:  # a config that leaves its shape to library defaults waits for a fuller copy
            config_rows.append(row)
            config_llms.append(fixture)
    llms += config_llms
    apply_llm_facts(llms, source_dir)
    apply_card_facts(llms, source_dir)
    apply_hub_stats(llms, source_dir)
    apply_ollama_tags(llms, source_dir)
    apply_gguf_repos(llms, config_rows, source_dir)
    tags_used = sorted({t[0] for obj in llms for t in obj["fields"]["tags"]})
    tags = [{"model": "catalog.tag", "fields": {"slug": t, "name": TAG_NAMES.get(t, t.title())}} for t in tags_used]
    quant_names = {q["fields"]["name"] for q in quants}
    model_quants = model_quant_fixtures(
        llm_rows + config_rows, quant_names, read_csv(data_dir / "gguf_sizes_public.csv")
    )
    benchmarks = benchmark_fixtures(read_csv(source_dir / "benchmarks.csv"))
    return {
        "01_tags.json": tags,
        "02_quant_formats.json": quants,
        "03_gpus.json": gpus,
        "04_llms.json": llms,
        "05_model_quants.json": model_quants,
        "06_benchmarks.json": benchmarks,
        "07_measurements.json": measurement_fixtures(read_optional_csv(source_dir / "measurements.csv")),
    }
