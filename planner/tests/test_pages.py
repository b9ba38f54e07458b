import pytest

from catalog.cache import bump_catalog_version
from catalog.models import GPU, LLM
from catalog.sources.hf_hub import card_markdown
from catalog.tests.upstream import PAYLOADS
from conftest import triple_catalog, uncached_queries
from planner import sizing, specs
from planner.engine.plan import plan
from planner.engine.types import Runtime, Setup, Workload

pytestmark = pytest.mark.django_db

MODEL = "/models/deepseek-r1-distill-llama-8b/"


PAGES = [
    "/",
    "/models/",
    MODEL,
    MODEL + "?context=32768&kv_cache=q8_0&runtime=ollama&quant=Q8_0",
    "/gpus/",
    "/gpus/nvidia-geforce-rtx-3060-12-gb/",
    "/how-we-estimate/",
    "/search/?q=llama",
    "/plan/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp"
    "&gpu=nvidia-geforce-rtx-3060-12-gb&gpu_count=1",
    "/compare/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=8192&gpu=nvidia-geforce-rtx-3060-12-gb"
    "&gpu=nvidia-geforce-rtx-4090&gpu=apple-m2-max-32-gb-unified",
    "/models/?fits_gpu=nvidia-geforce-rtx-3060-12-gb&fits_context=32768",
    "/plan/?params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=8&quant=Q4_K_M&context=8192&batch=1"
    "&kv_cache=f16&runtime=llamacpp&vram_gb=12&bandwidth_gbs=360&gpu_count=1",
]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_renders_with_a_bounded_number_of_queries(client, seeded, url):
    before = uncached_queries(client, url)
    # Triple the catalog (GPUs and models): the query count must not grow with it.
    triple_catalog()
    assert uncached_queries(client, url) == before
    assert before <= 12


def test_model_page_shows_engine_numbers(client, seeded):
    html = client.get(MODEL + "?context=32768&kv_cache=f16&runtime=llamacpp&quant=Q4_K_M").content.decode()
    from catalog.models import LLM

    llm = LLM.objects.get(slug="deepseek-r1-distill-llama-8b")
    row = next(r for r in sizing.quant_rows(llm, Workload(context=32768), Runtime()) if r.fmt.name == "Q4_K_M")
    assert f"{row.plan_memory_bytes / 1024**3:.1f} GB" in html
    assert "GPUs that can run this model" in html and "ollama run deepseek-r1:8b-llama-distill-q4_K_M" in html


def test_changing_context_changes_the_vram_and_the_gpu_list(client, seeded):
    small = client.get(MODEL + "?context=4096&quant=Q4_K_M", HTTP_HX_REQUEST="true")
    big = client.get(MODEL + "?context=131072&quant=Q4_K_M", HTTP_HX_REQUEST="true")
    assert small.context["gpu_total"] > big.context["gpu_total"] > 0
    small = small.content.decode()
    assert "<html" not in small  # htmx gets only the partial


@pytest.mark.parametrize("context, runtime", [(8192, "llamacpp"), (131072, "vllm")])
def test_lazy_gpu_rows_equal_rank_devices_and_their_callouts_the_brute_force_ones(seeded, context, runtime):
    from catalog.models import LLM
    from planner.engine.plan import rank_devices

    llm = LLM.objects.prefetch_related("quantizations__fmt").get(slug="deepseek-r1-distill-llama-8b")
    mq = next(q for q in llm.quantizations.all() if q.fmt.name == "Q4_K_M")
    work, rt = Workload(context=context), Runtime(name=runtime)
    rows = sizing.gpu_rows(llm, specs.model_quant_to_quant(mq), work, rt, older=True)
    gpus = [g for g in GPU.objects.active() if specs.runtime_backend(g, runtime)]
    ranked = rank_devices(
        specs.llm_to_arch(llm), specs.model_quant_to_quant(mq), work, [specs.gpu_to_device(g) for g in gpus], rt
    )
    assert [(r.gpu.slug, r.plan) for r in rows] == [(d.name, p) for d, p in ranked]
    everything = list(rows)
    priced = [r for r in everything if r.gpu.current_price_usd]  # a 2014 launch price is not a current price
    assert len(priced) < len([r for r in everything if r.gpu.price_usd])
    expected = {
        "cheapest": min(priced, key=lambda r: r.gpu.current_price_usd),
        "fastest": max((r for r in everything if r.plan.decode), key=lambda r: r.plan.decode.tok_s),
        "value": max((r for r in priced if r.tok_s_per_dollar), key=lambda r: r.tok_s_per_dollar),
    }
    assert sizing.gpu_rows(llm, specs.model_quant_to_quant(mq), work, rt, older=True).callouts() == expected
    today = sizing.gpu_rows(llm, specs.model_quant_to_quant(mq), work, rt)  # the default: cards sold today
    assert 0 < len(today) < len(rows) and all(r.gpu.sold_today for r in today)
    assert [r.gpu.slug for r in today] == [r.gpu.slug for r in rows if r.gpu.sold_today]


def test_planner_numbers_equal_the_engine(client, seeded):
    url = next(u for u in PAGES if u.startswith("/plan/?model="))
    response = client.get(url)
    p = response.context["result"].plan
    from catalog.models import LLM

    llm = LLM.objects.get(slug="deepseek-r1-distill-llama-8b")
    mq = llm.quantizations.get(fmt__name="Q4_K_M")
    device = specs.gpu_to_device(GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb"))
    direct = plan(
        specs.llm_to_arch(llm), specs.model_quant_to_quant(mq), Workload(context=8192), Setup(devices=(device,))
    )
    assert p == direct


@pytest.mark.parametrize(
    "url,field",
    [
        (MODEL + "?context=0", "context"),
        (MODEL + "?context=999999999", "context"),
        (MODEL + "?quant=Q9_Z", "quant"),
        (MODEL + "?runtime=vllm&kv_cache=q4_0", "runtime"),
        (
            "/compare/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=8192&kv_cache=f16&runtime=llamacpp"
            "&gpu=nvidia-geforce-rtx-4090",
            "gpu",
        ),
        (
            "/compare/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=8192&kv_cache=f16&runtime=llamacpp"
            "&gpu=nvidia-geforce-rtx-4090&gpu=no-such-gpu",
            "gpu",
        ),
        (
            "/compare/?model=deepseek-r1-distill-llama-8b&quant=Q9&context=8192&kv_cache=f16&runtime=llamacpp"
            "&gpu=nvidia-geforce-rtx-4090&gpu=nvidia-geforce-rtx-3060-12-gb",
            "quant",
        ),
        ("/models/?fits_gpu=no-such-gpu", "fits_gpu"),
        (
            "/plan/?model=deepseek-r1-distill-llama-8b&params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=8"
            "&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&vram_gb=12&gpu_count=1",
            "model",
        ),
        (
            "/plan/?params_b=8&hidden_size=4096&heads=32&kv_heads=8"
            "&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&vram_gb=12&gpu_count=1",
            "layers",
        ),
        (
            "/plan/?params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=7"
            "&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&vram_gb=12&gpu_count=1",
            "kv_heads",
        ),
        (
            "/plan/?params_b=8&layers=32&hidden_size=4096&heads=32&kv_heads=8"
            "&quant=AWQ-4bit-g128&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&vram_gb=12&gpu_count=1",
            "quant",
        ),
        ("/plan/?model=nope&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&gpu_count=1", "model"),
        (
            "/plan/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=abc&batch=1&kv_cache=f16&runtime=llamacpp&gpu_count=0",
            "context",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, seeded, url, field):
    response = client.get(url)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_unknown_pages_are_404(client, seeded):
    assert client.get("/models/no-such-model/").status_code == 404
    assert client.get("/gpus/no-such-gpu/").status_code == 404


def test_models_list_keeps_only_models_that_fit_on_the_gpu(client, seeded):
    from catalog.models import LLM

    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb")
    response = client.get("/models/?fits_gpu=nvidia-geforce-rtx-3060-12-gb&fits_context=8192")
    listed = {m.slug for m in response.context["page"].object_list}
    fitting = {
        llm.slug
        for llm, _mq, _p in sizing.best_fit_per_model(
            gpu, LLM.objects.prefetch_related("quantizations__fmt"), Workload(context=8192), Runtime()
        )
    }
    assert listed == fitting or (len(listed) == 24 and listed < fitting)
    assert "deepseek-r1-distill-llama-8b" in fitting and "deepseek-r1" not in fitting


def test_compare_shows_each_gpu_with_the_engine_plan(client, seeded):
    url = (
        "/compare/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=32768&kv_cache=f16&runtime=llamacpp"
        "&gpu=nvidia-geforce-rtx-4090&gpu=nvidia-geforce-rtx-3060-12-gb&gpu=nvidia-geforce-rtx-4090"
    )
    response = client.get(url)
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [g.slug for g, _ in columns] == ["nvidia-geforce-rtx-4090", "nvidia-geforce-rtx-3060-12-gb"]
    from catalog.models import LLM

    llm = LLM.objects.get(slug="deepseek-r1-distill-llama-8b")
    mq = llm.quantizations.get(fmt__name="Q4_K_M")
    for gpu, result in columns:
        direct = plan(
            specs.llm_to_arch(llm),
            specs.model_quant_to_quant(mq),
            Workload(context=32768),
            Setup(devices=(specs.gpu_to_device(gpu),)),
        )
        assert result.plan == direct


def test_custom_architecture_matches_its_catalog_twin_within_rounding(client, seeded):
    """Llama-3.1-8B described by hand sizes like the catalog row (FFN width inferred from the parameter count)."""
    base = "&quant=Q4_K_M&context=8192&batch=1&kv_cache=f16&runtime=llamacpp&vram_gb=12&bandwidth_gbs=360&gpu_count=1"
    custom = client.get(
        "/plan/?params_b=8.03&layers=32&hidden_size=4096&heads=32&kv_heads=8&vocab_size=128256" + base
    ).context["result"]
    catalog = client.get("/plan/?model=llama-3-1-8b" + base).context["result"]
    assert custom.plan.memory.kv_cache_bytes == catalog.plan.memory.kv_cache_bytes
    assert (
        abs(custom.plan.memory.weights_bytes - catalog.plan.memory.weights_bytes)
        < 0.03 * catalog.plan.memory.weights_bytes
    )
    assert custom.best_quant and custom.max_context > 8192


def test_planner_link_with_only_a_gpu_preselects_it(client, seeded):
    response = client.get("/plan/?gpu=nvidia-geforce-rtx-4090")
    assert response.status_code == 200
    assert response.context["result"] is None
    assert 'value="nvidia-geforce-rtx-4090" selected' in response.content.decode()


def test_home_gpu_picker_works_without_javascript(client, seeded):
    response = client.get("/gpus/?gpu=nvidia-geforce-rtx-3060-12-gb")
    assert response.status_code == 302 and response["Location"] == "/gpus/nvidia-geforce-rtx-3060-12-gb/"


def test_catalog_version_is_read_once_per_request_and_afresh_outside_requests(db):
    from django.core.cache import cache
    from django.core.signals import request_finished, request_started

    from catalog import cache as versions

    request_started.send(sender=None)
    try:
        first = versions.catalog_version()
        cache.set(versions.KEY, first + 1, timeout=None)  # another process changes the catalog
        assert versions.catalog_version() == first  # this request keeps the version it began with
        versions.bump_catalog_version()  # this request changes the catalog itself
        assert versions.catalog_version() not in (first, first + 1)
    finally:
        request_finished.send(sender=None)
    cache.set(versions.KEY, 123, timeout=None)
    assert versions.catalog_version() == 123  # outside a request: read afresh every time


def test_gpu_table_tag_renders_exactly_what_the_template_loop_did(seeded):
    from django.template import Context, Template

    from catalog.models import LLM
    from planner.templatetags.sizes import GPU_ROW_TEMPLATE, gpu_table_rows

    llm = LLM.objects.prefetch_related("quantizations__fmt").get(slug="deepseek-r1-distill-llama-8b")
    mq = next(q for q in llm.quantizations.all() if q.fmt.name == "Q4_K_M")
    from dataclasses import replace

    rows = list(sizing.gpu_rows(llm, specs.model_quant_to_quant(mq), Workload(context=8192), Runtime()))
    rows.append(replace(rows[0], plan=replace(rows[0].plan, decode=None)))  # every catalog GPU has a bandwidth now
    assert any(r.gpu.price_usd for r in rows) and any(not r.gpu.price_usd for r in rows)
    loop = Template("{% load sizes %}" + GPU_ROW_TEMPLATE).render(Context({"gpu_rows": rows}))
    assert gpu_table_rows(rows) == loop


def test_model_page_error_keeps_what_the_user_chose(client, seeded):
    response = client.get(MODEL + "?context=32768&quant=Q8_0&kv_cache=q8_0&runtime=vllm")
    html = response.content.decode()
    assert response.status_code == 400 and "vLLM has no q8_0 KV cache" in html
    assert 'value="32768"' in html and "<option selected>Q8_0</option>" in html


def test_a_hybrid_model_page_sizes_its_attention_layers_and_state(client, seeded):
    page = client.get("/models/qwen3-5-27b/?context=32768&quant=Q4_K_M&kv_cache=f16&runtime=llamacpp")
    assert page.status_code == 200
    html = page.content.decode()
    assert "48 recurrent + 16 full attention layers" in html
    assert "GPUs that can run this model" in html


def test_a_design_the_engine_cannot_size_gets_facts_and_a_notice_not_a_number(client, seeded):
    page = client.get("/models/minimax-m1-80k/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Not sized yet" in html and "MiniMax lightning attention" in html
    assert "GPUs that can run this model" not in html
    api = client.get("/api/v1/plan/?model=minimax-m1-80k&quant=Q4_K_M&gpu=nvidia-h100-sxm5-80-gb")
    assert api.status_code == 400 and "not supported" in str(api.json())


def test_deepseek_v4_is_sized_on_llama_cpp_and_vllm(client, seeded):
    """Its compressed CSA/HCA caches as llama.cpp allocates them, and as vLLM does (FP8 layout, per-request
    reservation: test_hybrid has both formulas), with the vLLM assumptions said."""
    html = client.get("/models/deepseek-v4-flash/", {"context": 1048576}).content.decode()
    assert "Not sized yet" not in html and "GPUs that can run this model" in html
    assert "2 sliding-window + 21 compressed ¼ (CSA) + 20 compressed 1/128 (HCA)" in html
    plan = client.get("/api/v1/plan/", {"model": "deepseek-v4-flash", "quant": "Q4_K_M", "context": 1048576}).json()
    assert plan["memory"]["kv_cache_bytes"] == 7_260_225_536  # 6.76 GiB: test_hybrid has the formula
    vllm = client.get("/api/v1/plan/", {"model": "deepseek-v4-flash", "runtime": "vllm", "context": 1048576}).json()
    assert vllm["memory"]["kv_cache_bytes"] == 4_965_096_960
    assert any("DeepSeek V4 on vLLM" in line for line in vllm["assumptions"])


def test_model_page_carries_the_cards_facts_settings_benchmark_groups_and_family(client, seeded):
    html = client.get("/models/deepseek-r1-distill-llama-8b/").content.decode()
    for fact in (
        "English, Chinese",
        "Tool calling",
        "Text → text",
        "2024-05 <small>(estimated)</small>",
        'href="https://arxiv.org/abs/2501.12948"',
        'href="https://github.com/deepseek-ai/DeepSeek-R1/blob/main/LICENSE"',
        "Recommended settings",
        "0.6 <small>(0.5–0.7)</small>",
        "<code>&lt;think&gt;\\n</code>",
        "<h3>Math</h3>",
        "<h3>Code</h3>",
        'href="/models/deepseek-r1-distill-llama-70b/"',
    ):
        assert fact in html, fact
    assert "Not fetched yet" in html  # the seed carries no card: the refresh fetches it


def test_model_card_from_the_hub_is_rendered_without_anything_that_runs(client, seeded):
    text = (PAYLOADS / "hub" / "deepseek-ai__DeepSeek-R1-Distill-Llama-8B.README.md").read_text()
    LLM.objects.filter(slug="deepseek-r1-distill-llama-8b").update(card_markdown=card_markdown(text))
    bump_catalog_version()
    html = client.get("/models/deepseek-r1-distill-llama-8b/").content.decode()
    card = html[html.index('<div class="card-body">') :]
    assert "<td>MATH-500</td>" in card and '<a href="https://example.org/ok" rel="nofollow' in card
    assert 'href="https://huggingface.co/deepseek-ai/DeepSeek-R1-Distill-Llama-8B/blob/main/LICENSE"' in card
    assert "example.net" not in card.split("another host")[0][-80:]
    card = card[: card.index("</details>")]
    for hostile in ("<script", "onerror", "onclick", 'href="javascript:', "<img", "license: mit", 'alert("card")'):
        assert hostile not in card, hostile


def test_popular_means_downloads_on_the_home_page_and_the_default_model_list(client, seeded):
    ranked = list(
        LLM.objects.filter(hf_downloads__isnull=False).order_by("-hf_downloads").values_list("name", flat=True)
    )
    unknown = LLM.objects.filter(hf_downloads__isnull=True).values_list("name", flat=True).first()
    assert len(ranked) > 100 and unknown  # the seed's dated snapshot covers most models, not all
    home = client.get("/").content.decode()
    assert ranked[0] in home and home.index(ranked[0]) < home.index(ranked[1])
    listing = client.get("/models/").content.decode()
    assert listing.index(ranked[0]) < listing.index(ranked[1]) < listing.index(ranked[5])
    last = client.get("/models/?page=last").content.decode()
    assert unknown in last or unknown not in listing  # models with no count come after every counted one


def test_r1_distill_page_has_the_seed_pages_tags_and_architecture(client, seeded):
    html = client.get("/models/deepseek-r1-distill-llama-8b/").content.decode()
    for tag in ("Chat", "Reasoning", "Thinking", "Distilled"):
        assert f'<span class="tag">{tag}</span>' in html
    assert "Dense <small>(llama)</small>" in html


@pytest.mark.parametrize(
    "value, text",
    [
        (131_072, "128K"),
        (128_000, "128K"),
        (10_485_760, "10M"),
        (32_768, "32K"),
        (1_000_000, "1M"),
        (40_960, "40K"),
        (4_097, "4,097"),
        (None, "–"),
    ],
)
def test_context_lengths_read_as_model_cards_write_them(value, text):
    from planner.templatetags.sizes import tokens

    assert tokens(value) == text


@pytest.mark.parametrize(
    "value, text", [(1_026_408_232_448, "1.03T"), (8_030_261_248, "8.03B"), (494_032_768, "494M"), (None, "–")]
)
def test_parameter_counts_read_as_published(value, text):
    from planner.templatetags.sizes import params_b

    assert params_b(value) == text


def test_model_page_lists_every_fitting_gpu_a_page_at_a_time_in_the_chosen_order(client, seeded):
    """Issue 18, item 3: the list stopped at the 100 GPUs with the least memory; the 4090 and 5090 were out of reach."""
    import re

    url = "/models/llama-3-1-8b/"
    first = client.get(url).content.decode()
    total = int(re.search(r'data-count="(\d+)"', first).group(1))
    assert total > 100 and "Next 100" in first and "GeForce RTX 5090<" not in first
    pages = -(-total // 100)
    last = client.get(url, {"gpu_page": pages}).content.decode()
    assert f"Page {pages} of {pages}" in last and "Previous 100" in last and "Next 100" not in last
    assert client.get(url, {"gpu_page": 999}).status_code == 200  # past the end: the last page
    fastest = client.get(url, {"gpu_sort": "speed"}).context["gpu_rows"]
    speeds = [row.plan.decode.tok_s for row in fastest]
    assert speeds == sorted(speeds, reverse=True)
    cheapest = client.get(url, {"gpu_sort": "price"}).context["gpu_rows"]
    prices = [float(r.gpu.current_price_usd) for r in cheapest if r.gpu.current_price_usd]
    assert prices == sorted(prices) and cheapest[0].gpu.current_price_usd is not None
    value = client.get(url, {"gpu_sort": "value"}).context["gpu_rows"]
    assert value[0].tok_s_per_dollar == max(r.tok_s_per_dollar or 0 for r in value)
    assert client.get(url, {"gpu_sort": "nonsense"}).status_code == 400


def test_model_page_lists_cards_sold_today_with_a_toggle_for_older_ones(client, seeded):
    """Issue 18, item 3: by default the GPUs people buy today; 2014's FirePro cards only behind the toggle."""
    import re

    def total(url):
        return int(re.search(r'data-count="(\d+)"', client.get(url).content.decode()).group(1))

    page = client.get("/models/llama-3-1-8b-instruct/").content.decode()
    assert "include older cards" in page and "FirePro" not in page
    assert total("/models/llama-3-1-8b-instruct/?older=on") > total("/models/llama-3-1-8b-instruct/")


def test_compare_names_apple_machines_once(client, seeded):
    """Issue 18, item 4: "Apple Apple M2 Max" in the compare page's menus and headers."""
    page = client.get("/compare/?gpu=apple-m2-max-96-gb-unified&gpu=nvidia-geforce-rtx-4090&model=llama-3-1-8b")
    page = page.content.decode()
    assert "Apple Apple" not in page and ">Apple M2 Max (96 GB unified)</a>" in page


def test_home_lists_recently_released_models(client, seeded):
    from catalog.models import LLM

    newest = LLM.objects.reviewed().exclude(release_date=None).order_by("-release_date", "name").first()
    page = client.get("/").content.decode()
    assert "Recently released" in page and newest.name in page.split("Recently released", 1)[1]


def test_gpu_list_price_sort_uses_the_current_price(client, seeded):
    """The GPU list's "cheapest first" ranks by the price the callouts and filters use: a 2014 card's launch
    price is not a price today, so it sorts with the unpriced cards, last."""
    from catalog.models import GPU

    page = client.get("/gpus/", {"sort": "price"}).context["page"]
    prices = [g.current_price_usd for g in page.object_list]
    assert None not in prices and prices == sorted(prices)
    assert "nvidia-tesla-k80" not in [g.slug for g in page.object_list]
    assert GPU.objects.get(slug="nvidia-tesla-k80").current_price_usd is None


def test_a_gpu_no_one_sells_on_its_own_says_so_instead_of_a_blank_price(client, seeded):
    """fixtures/source/gpu_availability.csv: the A10G is AWS's (only rented), a cancelled part is never offered as
    a card people buy today, and the API carries the same field."""
    from catalog.models import GPU

    a10g = GPU.objects.get(slug="nvidia-a10g")
    assert a10g.availability == "cloud" and a10g.price_usd is None and "G5 instances use NVIDIA A10G" in a10g.source
    page = client.get(a10g.get_absolute_url()).content.decode()
    assert "Not sold on its own: only rented in the cloud" in page
    cancelled = GPU.objects.get(name="Data Center GPU Max 1350")
    assert cancelled.availability == "cancelled" and not cancelled.sold_today
    assert client.get(f"/api/v1/gpus/{a10g.slug}/").json()["availability"] == "cloud"
    listing = client.get("/gpus/", {"q": "A10G"}).content.decode()
    assert 'title="Only rented in the cloud">not sold alone' in listing


@pytest.mark.parametrize(
    "query",
    [
        {"vendor": "nvidia"},
        {"vendor": "AMD", "segment": "consumer"},
        {"max_price": "700"},
        {"vendor": "nvidia", "segment": "datacenter", "max_price": "40000"},
    ],
)
def test_the_snapshot_gpu_filter_agrees_with_the_filterset(seeded, query):
    """The model page filters its in-memory snapshot (no SQL per request); the lists and the API filter in SQL
    (catalog.filters.GPUFilterSet). The two must pick the same active GPUs."""
    from catalog.filters import GPUFilterSet
    from planner import snapshot

    in_sql = GPUFilterSet(query, queryset=GPU.objects.active())
    assert in_sql.is_valid()
    in_memory = snapshot.filter_gpus(
        snapshot.active_gpus(),
        vendor=query.get("vendor", ""),
        segment=query.get("segment", ""),
        max_price=query.get("max_price"),
    )
    assert {g.slug for g, _ in in_memory} == set(in_sql.qs.values_list("slug", flat=True))
    assert in_memory


def test_an_invalid_model_list_does_not_claim_a_fit(client, seeded):
    response = client.get("/models/?fits_gpu=nvidia-geforce-rtx-3060-12-gb&min_params_b=abc")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Best fit" not in page and "models run on" not in page and "model runs on" not in page
