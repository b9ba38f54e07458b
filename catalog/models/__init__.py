"""The catalog: open-weight LLMs, quantization formats, a model's published quantizations,
benchmark scores and the GPU catalog.

Invariants are database constraints; every row has a natural key so fixtures survive primary-key
churn. Sizes are stored in bytes, bandwidth in GB/s (10^9 bytes per second), prices in USD.
"""

from .common import GIB, not_in_the_future
from .gpu import GPU, GPU_LIMITS, GPUManager, GPUQuerySet, Measurement, MeasurementManager
from .llm import (
    LLM,
    RECOMMENDED_KEYS,
    BenchmarkScore,
    BenchmarkScoreManager,
    LLMManager,
    LLMQuerySet,
    ModelQuant,
    ModelQuantManager,
    QuantFormat,
    QuantFormatManager,
    Tag,
    TagManager,
    validate_recommended,
)
from .records import ChangeRecord, CSVImport, HubLookup, RefreshRun, RefreshRunQuerySet

__all__ = [
    "GIB",
    "not_in_the_future",
    "TagManager",
    "Tag",
    "QuantFormatManager",
    "QuantFormat",
    "LLMQuerySet",
    "LLMManager",
    "RECOMMENDED_KEYS",
    "validate_recommended",
    "LLM",
    "ModelQuantManager",
    "ModelQuant",
    "BenchmarkScoreManager",
    "BenchmarkScore",
    "GPU_LIMITS",
    "GPUQuerySet",
    "GPUManager",
    "GPU",
    "MeasurementManager",
    "Measurement",
    "ChangeRecord",
    "RefreshRunQuerySet",
    "RefreshRun",
    "CSVImport",
    "HubLookup",
]
