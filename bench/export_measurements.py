"""Copy the public measurements (shared/data/measurements_public.csv and the project's own
fixtures/source/measurements_extra.csv, same columns) whose GPU and model the catalog holds into
fixtures/source/measurements.csv, with catalog slugs, so that they load as catalog.Measurement rows: what
bench/calibrate.py fits on and what the site shows beside its estimates. Staff add more in the admin.

GPU labels map through measured_gpus.LABELS, models through common.MODEL_KEYS (a catalog model with the same
tensor shapes); rows whose depth, file size, GPU or model cannot be named are left out. Run after changing either
mapping, then `manage.py build_fixtures`: python bench/export_measurements.py
"""

import csv
import hashlib

from common import MODEL_KEYS, ROOT, depth_of, read
from measured_gpus import LABELS

from catalog.models import GPU, LLM

COLUMNS = [
    "key",
    "gpu",
    "gpu_label",
    "n_gpus",
    "bandwidth_gbs",
    "llm",
    "model_label",
    "quant",
    "file_size_gib",
    "runtime",
    "backend",
    "test",
    "kind",
    "depth",
    "tok_s",
    "build",
    "measured_on",
    "source",
    "notes",
]


# llama-bench prints file types by their long names; the catalog names formats as llama.cpp's quantize does.
QUANT_NAMES = {
    "Q4_K - Medium": "Q4_K_M",
    "Q4_K - Small": "Q4_K_S",
    "Q5_K - Medium": "Q5_K_M",
    "Q2_K - Medium": "Q2_K",
    "Q3_K - Medium": "Q3_K_M",
    "Q6_K": "Q6_K",
    # llama.cpp's gpt-oss file type (MXFP4 experts, Q8_0 elsewhere), however a source names it: not the catalog's
    # MXFP4 checkpoint format, whose other weights are BF16
    "MXFP4 MoE": "MXFP4_MOE",
    "MXFP4": "MXFP4_MOE",
}


def runtime_of(backend: str) -> str:
    return "ollama" if backend.lower().startswith("ollama") else "llamacpp"


def quant_of(label: str) -> str:
    return QUANT_NAMES.get(label.strip(), label.split()[0])


def main():
    gpus = {g.name: g.slug for g in GPU.objects.all()}
    llms = {m.hf_repo_id: m.slug for m in LLM.objects.all()}
    out = []
    extra = ROOT / "fixtures" / "source" / "measurements_extra.csv"
    with open(extra, newline="", encoding="utf-8") as handle:
        ours = list(csv.DictReader(handle))
    for r in read("measurements_public.csv") + ours:
        label = LABELS.get(r["gpu"])
        repo = next((repo for key, repo in MODEL_KEYS if key in r["model"]), None)
        depth = depth_of(r["test"], r["test_kind"])
        if label is None or label[0] not in gpus or repo not in llms or depth is None or not r["file_size_gib"]:
            continue
        ident = "|".join(r[c] for c in ("gpu", "n_gpus", "model", "quant", "test", "backend", "tokens_per_s", "source"))
        out.append(
            {
                "key": "pub-" + hashlib.sha1(ident.encode()).hexdigest()[:16],
                "gpu": gpus[label[0]],
                "gpu_label": r["gpu"],
                "n_gpus": r["n_gpus"],
                "bandwidth_gbs": label[1] or "",
                "llm": llms[repo],
                "model_label": r["model"],
                "quant": quant_of(r["quant"]),
                "file_size_gib": r["file_size_gib"],
                "runtime": runtime_of(r["backend"]),
                "backend": r["backend"],
                "test": r["test"],
                "kind": r["test_kind"],
                "depth": depth,
                "tok_s": r["tokens_per_s"],
                "build": r["build"],
                "measured_on": r["date"],
                "source": r["source"],
                "notes": r["notes"],
            }
        )
    path = ROOT / "fixtures" / "source" / "measurements.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS)
        writer.writeheader()
        writer.writerows(out)
    print(f"{path}: {len(out)} measurements ({sum(r['n_gpus'] == '1' for r in out)} on one GPU)")


if __name__ == "__main__":
    main()
