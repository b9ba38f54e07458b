"""Run commands for a plan, one per runtime: what a user pastes to run exactly what was sized.

Every option used here is in the stored copy of that runtime's documented options
(fixtures/source/runtime_options/: llama-server's README table from llama.cpp as vendored in
llama-cpp-python 0.3.36, vLLM 0.33.0's EngineArgs, Ollama's envconfig at fb30760); a test checks each.
A runtime that cannot run the plan (a format it does not load, no GGUF repository on record, a checkpoint
nobody publishes) gets None and a reason, never a command that fails.
"""

from dataclasses import dataclass, field

from catalog.models import LLM, QuantFormat
from planner import specs

LABELS = {**specs.RUNTIME_LABELS, "docker": "Docker"}
# Our KV names are llama.cpp's (-ctk/-ctv) and Ollama's (OLLAMA_KV_CACHE_TYPE); vLLM's --kv-cache-dtype
# spells 16-bit as auto/bfloat16 (specs.KV_TYPES_BY_RUNTIME says which runtime offers which).
VLLM_KV = {"bf16": "bfloat16", "fp8": "fp8", "fp8_e4m3": "fp8_e4m3", "fp8_e5m2": "fp8_e5m2"}
# vLLM formats it can apply to a 16-bit checkpoint as it loads it (--quantization); the others need a
# checkpoint already quantized in that format, which the catalog does not record.
VLLM_ONLINE = {"FP8": "fp8", "NF4": "bitsandbytes"}
VLLM_DTYPE = {"F16": "float16", "BF16": "bfloat16", "F32": "float32"}


@dataclass(frozen=True)
class RunRequest:
    llm: LLM
    fmt: QuantFormat
    context: int
    kv_cache: str = "f16"
    runtime: str = "llamacpp"
    gpu_count: int = 1
    gpu_layers: int | None = None  # llama.cpp -ngl when some layers stay in system RAM (0: CPU only); None: all
    parallel: int = 1
    cpu_moe_layers: int = 0  # layers whose routed experts stay in system RAM (--n-cpu-moe)


@dataclass
class Commands:
    llamacpp: str | None = None
    ollama: str | None = None
    vllm: str | None = None
    docker: str | None = None
    notes: dict = field(default_factory=dict)  # runtime -> why there is no command

    def as_dict(self) -> dict:
        return {"llamacpp": self.llamacpp, "ollama": self.ollama, "vllm": self.vllm, "docker": self.docker}

    def rows(self) -> list[tuple[str, str, str | None, str]]:
        """(key, label, command, why not) per runtime, for pages."""
        return [(k, LABELS[k], v, self.notes.get(k, "")) for k, v in self.as_dict().items()]


def _hf_quant(req: RunRequest) -> str:
    """The -hf suffix: the quant llama-server picks the file by (case-insensitive); none for a model's own
    format, whose repositories name it their own way (gpt-oss-20b-mxfp4.gguf)."""
    native = specs.default_quant(req.llm, "llamacpp")
    return "" if req.fmt.name == native and req.llm.native_quant else f":{req.fmt.name}"


def _problem(req: RunRequest, runtime: str) -> str:
    if req.fmt.family not in specs.RUNTIME_FAMILIES[runtime]:
        return f"{LABELS[runtime]} does not load {req.fmt.name}"
    return specs.kv_cache_problem(runtime, req.kv_cache) or ""


def _unlisted(req: RunRequest) -> str:
    """Why no command names this format's file: neither a usual file nor one the repository listing shows."""
    name = req.fmt.name.upper()
    native = specs.default_quant(req.llm, "llamacpp") if req.llm.native_quant else None
    if name in specs.USUAL_GGUF_FILES or name in {q.upper() for q in req.llm.gguf_quants} or req.fmt.name == native:
        return ""
    return f"no {req.fmt.name} file of {req.llm.gguf_repo} is on record"


def llamacpp(req: RunRequest) -> tuple[str | None, str]:
    if why := _problem(req, "llamacpp"):
        return None, why
    if not req.llm.gguf_repo:
        return None, "no GGUF repository on record for this model"
    if unlisted := _unlisted(req):
        return None, unlisted
    parts = ["llama-server", "-hf", req.llm.gguf_repo + _hf_quant(req), "-c", str(req.context * req.parallel)]
    parts += ["-ngl", "all" if req.gpu_layers is None else str(req.gpu_layers), "-fa", "on"]
    if req.cpu_moe_layers:
        parts += ["--n-cpu-moe", str(req.cpu_moe_layers)]
    if req.kv_cache != "f16":
        parts += ["-ctk", req.kv_cache, "-ctv", req.kv_cache]
    if req.parallel > 1:
        parts += ["-np", str(req.parallel)]
    if req.llm.task != LLM.Task.GENERATION:
        # A document is embedded in one micro-batch, so batch and micro-batch take the whole context.
        parts += [
            "--embedding" if req.llm.task == LLM.Task.EMBEDDING else "--rerank",
            "-b",
            str(req.context),
            "-ub",
            str(req.context),
        ]
    return " ".join(parts), ""


def ollama(req: RunRequest) -> tuple[str | None, str]:
    if why := _problem(req, "ollama"):
        return None, why
    tag = req.llm.ollama_tags.get(req.fmt.name)
    if not tag and req.llm.gguf_repo and not _unlisted(req):
        tag = f"hf.co/{req.llm.gguf_repo}{_hf_quant(req)}"  # Ollama pulls a GGUF straight from the Hub
    if not tag:
        return None, "no Ollama tag or GGUF repository on record for this format"
    if req.cpu_moe_layers:
        return None, "Ollama offloads whole layers, not a MoE's experts: use llama.cpp for this plan"
    env = [f"OLLAMA_CONTEXT_LENGTH={req.context}", "OLLAMA_FLASH_ATTENTION=1"]
    if req.kv_cache != "f16":
        env.append(f"OLLAMA_KV_CACHE_TYPE={req.kv_cache}")
    if req.parallel > 1:
        env.append(f"OLLAMA_NUM_PARALLEL={req.parallel}")
    serve = " ".join(env) + " ollama serve\n"
    if req.llm.task != LLM.Task.GENERATION:  # embedding models answer on the API, not in a chat
        return serve + f'curl http://localhost:11434/api/embed -d \'{{"model": "{tag}", "input": "…"}}\'', ""
    return serve + f"ollama run {tag}", ""


def vllm(req: RunRequest) -> tuple[str | None, str]:
    if why := _problem(req, "vllm"):
        return None, why
    if req.gpu_layers == 0:
        return None, "a CPU-only plan: vLLM's CPU backend is not modelled here"
    if req.llm.pasted:
        return None, "a pasted config.json names no repository to serve"
    native = req.llm.native_quant
    parts = ["vllm", "serve", req.llm.hf_repo_id]
    if req.fmt.family == "float":
        if native:
            return None, f"{req.llm.name} is published in {native}; no 16-bit checkpoint is on record"
        parts += ["--dtype", VLLM_DTYPE[req.fmt.name]]
    elif req.fmt.name != native:
        # vLLM quantizes a 16-bit checkpoint as it loads it (plain FP8, bitsandbytes NF4); it will not
        # re-quantize an already quantized one.
        method = None if native else VLLM_ONLINE.get(req.fmt.name)
        if method is None:
            return None, f"no {req.fmt.name} checkpoint of {req.llm.name} is on record"
        parts += ["--quantization", method]
    parts += ["--max-model-len", str(req.context)]
    if req.gpu_count > 1:
        parts += ["--tensor-parallel-size", str(req.gpu_count)]
    # DeepSeek V4 runs on vLLM with an FP8 cache only ("DeepseekV4 only supports fp8 kv-cache format"), which is
    # how kv.vllm_csa_bytes sizes it whatever KV type was asked.
    kv_cache = "fp8" if req.llm.attention == LLM.Attention.CSA else req.kv_cache
    if kv_cache != "f16":
        parts += ["--kv-cache-dtype", VLLM_KV[kv_cache]]
    if req.parallel > 1:
        parts += ["--max-num-seqs", str(req.parallel)]
    if req.llm.task != LLM.Task.GENERATION:
        parts += ["--runner", "pooling"]
    return " ".join(parts), ""


def docker(req: RunRequest) -> tuple[str | None, str]:
    """Docker Model Runner, where the catalog records its image for this very format (ai/…:8B-Q4_K_M)."""
    if not req.llm.docker_model or not req.llm.docker_model.upper().endswith("-" + req.fmt.name.upper()):
        return None, "no Docker Model Runner image on record for this format"
    return f"docker model run {req.llm.docker_model}", ""


def commands(req: RunRequest) -> Commands:
    out = Commands()
    for name, build in (("llamacpp", llamacpp), ("ollama", ollama), ("vllm", vllm), ("docker", docker)):
        command, why = build(req)
        setattr(out, name, command)
        if why:
            out.notes[name] = why
    return out
