"""Search finds what people type (issue 18, item 2): the queries of the issue, on the seeded catalog, through the
search page, the model and GPU lists and the API."""

import pytest
from rest_framework.test import APIClient

from catalog import search
from catalog.models import GPU, LLM

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query, first",
    [
        ("llama 8b", "Llama 3 8B"),
        ("LLAMA-3.1 8B", "Llama 3.1 8B"),
        ("qwen 2.5 7b", "Qwen2.5 7B"),
        ("deepseek-r1:8b", "DeepSeek-R1-Distill-Llama-8B"),  # the Ollama tag our own page shows
        ("gemma3 27b", "Gemma 3 27B IT"),
        ("gpt oss 20", "gpt-oss-20b"),
    ],
)
def test_model_queries_find_the_model_first(seeded, query, first):
    found = list(search.models(LLM.objects.listed(searching=True), query, limit=20).values_list("name", flat=True))
    assert found and found[0] == first, found[:5]


@pytest.mark.parametrize(
    "query, first",
    [
        ("3060 12gb", "GeForce RTX 3060 12 GB"),
        ("rtx3060 12", "GeForce RTX 3060 12 GB"),
        ("RTX-4090", "GeForce RTX 4090"),
        ("m4 max 128", "Apple M4 Max (128 GB unified)"),
        ("geforse 5090", "GeForce RTX 5090"),  # one typo
    ],
)
def test_gpu_queries_find_the_gpu_first(seeded, query, first):
    found = list(search.gpus(GPU.objects.all(), query, limit=20).values_list("name", flat=True))
    assert found and found[0] == first, found[:5]


def test_numbers_match_exactly_and_typos_need_a_long_word(seeded):
    sevens = search.models(LLM.objects.all(), "qwen 7b")
    assert sevens.exists() and not sevens.filter(name__icontains="72B").exists()  # "7" is not "72"
    assert search.models(LLM.objects.all(), "mistrall").filter(name__startswith="Mistral 7B").exists()
    assert not search.models(LLM.objects.all(), "qwn").exists()  # three letters: no typo allowance
    assert search.models(LLM.objects.all(), "qxen").exists()  # four: one typo allowed
    assert search.rank("", [(1, "anything", "anything", 0)]) == []


def test_one_edit():
    assert search._one_edit("mistrall", "mistral") and search._one_edit("lama", "llama")
    assert search._one_edit("geforse", "geforce") and search._one_edit("gmema", "gemma")
    assert not search._one_edit("gemma", "llama") and not search._one_edit("qwen", "qwen36")
    assert search._one_edit("qwen", "qwen")  # within one edit


def test_the_search_page_lists_and_the_api_use_the_same_matching(seeded, client):
    page = client.get("/search/", {"q": "rtx3060"}).content.decode()
    assert "GeForce RTX 3060 12 GB" in page
    page = client.get("/search/", {"q": "deepseek-r1:8b"}).content.decode()
    assert "DeepSeek-R1-Distill-Llama-8B" in page
    assert "Llama 3.1 8B" in client.get("/models/", {"q": "llama3.1 8b"}).content.decode()
    assert "GeForce RTX 3060 12 GB" in client.get("/gpus/", {"q": "3060 12gb"}).content.decode()
    api = APIClient()
    names = [m["name"] for m in api.get("/api/v1/models/", {"q": "qwen 2.5 7b"}).json()["results"]]
    assert "Qwen2.5 7B" in names and all("2.5" in n or "2.5" in n.replace("2_5", "2.5") for n in names)
    gpus = [g["slug"] for g in api.get("/api/v1/gpus/", {"q": "rtx3060"}).json()["results"]]
    assert "nvidia-geforce-rtx-3060-12-gb" in gpus and all("3060" in s for s in gpus)


def test_ollama_tags_give_their_name_and_size_never_their_quantization():
    assert search._tag_base("deepseek-r1:8b-llama-distill-q8_0") == "deepseek-r1:8b"
    assert search._tag_base("glm-4.7-flash:q4_K_M") == "glm-4.7-flash"  # the size part is a quantization
    assert search._tag_base("llama3") == "llama3"
    odd = {"name": "X", "hf_repo_id": "a/x", "ollama_tag": None, "ollama_tags": ["not", "a", "dict"]}
    assert "a/x" in search.model_text(odd)  # a list where a dict belongs raises nothing
