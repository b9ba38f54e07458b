"""How the GPU labels of shared/data/measurements_public.csv map to catalog GPUs.

Each label maps to a gpus.csv name (memory/compute from the catalog) and, where the label itself
states a bandwidth for a lower bin (e.g. a 32-core M4 Max at 410 GB/s), that bandwidth.
Labels left out (laptops, partial offload, loosely named parts) are not used for calibration.
An Apple label that names its GPU cores maps to that bin (fixtures/source/apple_variants.csv); one that does not keeps
the chip's top bin, whose FP32 figure the catalog held before it had bins.
"""

LABELS = {
    # fixtures/source/measurements_extra.csv (gathered 2026-12-07, each row with its source)
    "AMD Radeon 8060S Graphics (Ryzen AI Max+ 395, Strix Halo, gfx1151)": (
        "Radeon 8060S (Ryzen AI Max+ 395, 128 GB unified)",
        None,
    ),
    "AMD Instinct MI300X": ("Radeon Instinct MI300X", None),
    "NVIDIA GeForce RTX 5060 Ti (16GB)": ("GeForce RTX 5060 Ti 16 GB", None),
    "NVIDIA GeForce RTX 5070 Ti (16GB)": ("GeForce RTX 5070 Ti", None),
    "NVIDIA GeForce RTX 5080 (16GB)": ("GeForce RTX 5080", None),
    "NVIDIA GeForce RTX 5090 (32GB)": ("GeForce RTX 5090", None),
    "Apple M3 Ultra (512GB, 80 GPU cores)": ("Apple M3 Ultra (512 GB unified)", None),
    "Apple M4 Max (36GB)": ("Apple M4 Max (36 GB unified)", None),
    "Apple M4 Pro (Mac mini, 64GB)": ("Apple M4 Pro 20-core GPU (64 GB unified)", None),
    "AMD Radeon RX 9070 XT (16GB)": ("Radeon RX 9070 XT", None),
    # shared/data/measurements_public.csv
    "AMD Radeon AI PRO R9700": ("Radeon AI PRO R9700", None),
    "AMD Radeon Pro W7700": ("Radeon PRO W7700", None),
    "AMD Radeon RX 470": ("Radeon RX 470", None),
    "AMD Radeon RX 6800 XT": ("Radeon RX 6800 XT", None),
    "AMD Radeon RX 6900 XT": ("Radeon RX 6900 XT", None),
    "AMD Radeon RX 7800 XT": ("Radeon RX 7800 XT", None),
    "AMD Radeon RX 9070": ("Radeon RX 9070", None),
    "AMD Ryzen AI Max+ 395 (Radeon 8060S iGPU)": ("Radeon 8060S (Ryzen AI Max+ 395, 128 GB unified)", None),
    "AMD Ryzen AI Max+ 395 (Radeon 8060S iGPU, 256 GB/s)": ("Radeon 8060S (Ryzen AI Max+ 395, 128 GB unified)", None),
    "Apple M1 Max": ("Apple M1 Max 32-core GPU (64 GB unified)", None),
    "Apple M1 Max (24-core GPU, 400 GB/s)": ("Apple M1 Max (64 GB unified)", 400),
    "Apple M1 Max (64GB)": ("Apple M1 Max 32-core GPU (64 GB unified)", None),
    "Apple M1 Max 64GB": ("Apple M1 Max 32-core GPU (64 GB unified)", None),
    "Apple M2 Ultra": ("Apple M2 Ultra 76-core GPU (192 GB unified)", None),
    "Apple M2 Ultra (76-core GPU, 800 GB/s)": ("Apple M2 Ultra 76-core GPU (192 GB unified)", 800),
    "Apple M2 Ultra 76-Core GPU 192GB": ("Apple M2 Ultra 76-core GPU (192 GB unified)", None),
    "Apple M3 (10-core GPU, 100 GB/s)": ("Apple M3 (24 GB unified)", 100),
    "Apple M3 Ultra (60-core GPU, 800 GB/s)": ("Apple M3 Ultra (96 GB unified)", 800),
    "Apple M4 Max": ("Apple M4 Max (128 GB unified)", None),
    "Apple M4 Max (32-core GPU, 410 GB/s)": ("Apple M4 Max (36 GB unified)", 410),
    "Apple M4 Pro (16-core GPU, 273 GB/s)": ("Apple M4 Pro (24 GB unified)", 273),
    "Intel Arc A770": ("Arc A770", None),
    "Intel Arc B580": ("Arc B580", None),
    "Apple M5": ("Apple M5 (16 GB unified)", None),  # the base M5 (10-core GPU, 153.6 GB/s at every memory size)
    "Intel Data Center GPU Flex 170": ("Data Center GPU Flex 170", None),
    "NVIDIA A100 80GB": ("A100 SXM4 80 GB", None),
    "NVIDIA A100-SXM4-40GB": ("A100 SXM4 40 GB", None),
    "NVIDIA GeForce GTX 1080 Ti": ("GeForce GTX 1080 Ti", None),
    "NVIDIA GeForce RTX 2080 Ti": ("GeForce RTX 2080 Ti", None),
    "NVIDIA GeForce RTX 3060": ("GeForce RTX 3060 12 GB", None),
    "NVIDIA GeForce RTX 3080": ("GeForce RTX 3080", None),
    "NVIDIA GeForce RTX 3080 10GB": ("GeForce RTX 3080", None),
    "NVIDIA GeForce RTX 4090": ("GeForce RTX 4090", None),
    "NVIDIA GeForce RTX 4090 24GB": ("GeForce RTX 4090", None),
    "NVIDIA GeForce RTX 5080": ("GeForce RTX 5080", None),
    "NVIDIA GeForce RTX 5090": ("GeForce RTX 5090", None),
    "NVIDIA H100 PCIe 80GB": ("H100 PCIe 80 GB", None),
    "NVIDIA RTX 4000 Ada 20GB": ("RTX 4000 Ada Generation", None),
    "NVIDIA RTX A400": ("RTX A400", None),
    "NVIDIA RTX A6000 (Ampere)": ("RTX A6000", None),
    "NVIDIA RTX A6000 48GB": ("RTX A6000", None),
    "NVIDIA RTX PRO 6000 Blackwell": ("RTX PRO 6000 Blackwell", None),
    "NVIDIA Tesla V100-PCIE-16GB": ("Tesla V100 PCIe 16 GB", None),
}
