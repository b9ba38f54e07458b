"""End-to-end in real headless Chromium (Debian's package), driven by Playwright."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from catalog.models import GPU

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def page(live_server, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; only for this test.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed (make test installs Debian's chromium)")
    if not GPU.objects.exists():  # a transactional test before this one flushed the database
        call_command("seed", verbosity=0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        pg = browser.new_page(viewport={"width": 1280, "height": 900})
        pg.csp_violations = []
        pg.on("console", lambda m: "Content Security Policy" in m.text and pg.csp_violations.append(m.text))
        pg.base = live_server.url
        yield pg
        browser.close()
    assert not pg.csp_violations, pg.csp_violations  # our pages load nothing the CSP forbids


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shoot(pg, name):
    for width, height, tag in ((1280, 900, "desktop"), (390, 844, "phone")):
        pg.set_viewport_size({"width": width, "height": height})
        pg.screenshot(path=str(SHOTS / f"{name}-{tag}.png"), full_page=True)
    pg.set_viewport_size({"width": 1280, "height": 900})


def test_search_open_model_and_change_context_and_quant(page):
    page.goto(page.base + "/")
    page.fill("#q", "R1-Distill-Llama-8B")
    page.click("button:has-text('Search')")
    page.click("a:has-text('DeepSeek-R1-Distill-Llama-8B')")
    page.wait_for_selector("text=GPUs that can run this model")
    total = page.locator(".gpu-total")
    before_total = int(total.get_attribute("data-count"))
    assert page.locator("table.gpus tbody tr").count() == min(before_total, 100)
    vram_before = page.locator("table.quants tr.selected td").nth(3).inner_text()
    page.fill("input[name=context]", "131072")
    page.press("input[name=context]", "Tab")  # a change event, as a user leaving the field
    # Locator assertions, not page.wait_for_function: the page's CSP forbids eval, as it should.
    expect(page.locator("table.quants tr.selected td").nth(3)).not_to_have_text(vram_before)
    # 128K of f16 KV cache needs 16 GiB more: fewer cards qualify (the table shows at most 100 of them).
    assert int(total.get_attribute("data-count")) < before_total
    page.select_option("select[name=quant]", "Q8_0")
    page.wait_for_selector("table.quants tr.selected td:has-text('Q8_0')")
    assert "quant=Q8_0" in page.url and "context=131072" in page.url
    shoot(page, "model")


def test_gpu_page_and_planner_permalink(page):
    page.goto(page.base + "/gpus/nvidia-geforce-rtx-3060-12-gb/")
    page.wait_for_selector("text=Models that fit")
    shoot(page, "gpu")
    url = (
        page.base + "/plan/?model=deepseek-r1-distill-llama-8b&quant=Q4_K_M&context=32768&batch=1"
        "&kv_cache=f16&runtime=llamacpp&gpu=nvidia-geforce-rtx-3060-12-gb&gpu_count=1"
    )
    page.goto(url)
    first = page.locator(".verdict").inner_text()
    page.reload()
    assert page.locator(".verdict").inner_text() == first and "Fits" in first
    shoot(page, "planner")


def test_bad_input_shows_a_message_not_a_500(page):
    response = page.goto(page.base + "/models/deepseek-r1-distill-llama-8b/?context=0")
    assert response.status == 400
    assert page.locator(".errors").inner_text().startswith("context")
    response = page.goto(page.base + "/models/not-a-model/")
    assert response.status == 404 and "Page not found" in page.content()


def test_compare_and_custom_model_planner(page):
    page.goto(page.base + "/compare/")
    page.select_option("select[name=model]", "deepseek-r1-distill-llama-8b")
    gpus = page.locator("select[name=gpu]")
    gpus.nth(0).select_option("nvidia-geforce-rtx-3060-12-gb")
    gpus.nth(1).select_option("nvidia-geforce-rtx-4090")
    gpus.nth(2).select_option("apple-m2-max-32-gb-unified")
    page.click("button:has-text('Compare')")
    page.wait_for_selector("table.compare")
    assert page.locator("table.compare thead th").count() == 4
    assert "gpu=nvidia-geforce-rtx-4090" in page.url
    shoot(page, "compare")
    page.goto(page.base + "/plan/")
    page.click("summary:has-text('custom model')")
    for name, value in (
        ("params_b", "8"),
        ("layers", "32"),
        ("hidden_size", "4096"),
        ("heads", "32"),
        ("kv_heads", "8"),
        ("vram_gb", "12"),
        ("bandwidth_gbs", "360"),
    ):
        page.fill(f"input[name={name}]", value)
    page.click("button:has-text('Plan')")
    page.wait_for_selector(".verdict")
    assert "Custom model" in page.locator(".verdict h2").inner_text()
    assert "params_b=8" in page.url
    shoot(page, "planner-custom")


def test_admin_edits_bandwidth_and_the_public_page_shows_it(page):
    from django.contrib.auth.models import User

    User.objects.create_superuser("curator", "curator@example.org", "curator-pass-123")
    gpu = GPU.objects.get(slug="nvidia-geforce-rtx-3060-12-gb")
    page.goto(page.base + "/admin/login/?next=/admin/catalog/gpu/")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "curator-pass-123")
    page.click("input[type=submit]")
    page.fill("#searchbar", "RTX 3060 12")
    page.press("#searchbar", "Enter")
    page.click("a:has-text('GeForce RTX 3060 12 GB')")
    page.fill("#id_bandwidth_gbs", "377.5")
    page.click("input[name=_continue]")
    page.wait_for_selector("text=was changed successfully")
    assert "🔒" in page.content()
    shoot(page, "admin-gpu")
    page.goto(page.base + gpu.get_absolute_url())
    assert "377.5 GB/s" in page.locator("dl.facts").inner_text()
    page.goto(page.base + f"/admin/catalog/gpu/{gpu.pk}/history/")
    assert "bandwidth_gbs" in page.content()
    shoot(page, "admin-history")


@pytest.mark.services
def test_look_up_a_hub_repository_from_the_home_page(page, worker, upstream, settings):
    """A user enters a GGUF reference on the home page, waits on the job page (the real Celery worker reads the
    fake Hub, slowed to show the wait) and lands on the provisional model page with its quantization table."""
    from catalog.models import LLM
    from catalog.tests import hub_repos
    from catalog.tests.upstream import Reply
    from conftest import CELERY_TEST_QUEUE

    settings.HUB_LOOKUP_QUEUE = CELERY_TEST_QUEUE
    upstream.reset()
    LLM.objects.filter(hf_repo_id=hub_repos.PHI4).delete()
    repo = hub_repos.serve(upstream, "gguf")
    listing = upstream.server.routes[f"/api/models/{repo}"]
    upstream.serve(f"/api/models/{repo}", Reply(listing.body, delay_s=0.8))  # under the worker's 1 s timeout
    page.goto(page.base + "/")
    page.fill("#repo-home", f"https://huggingface.co/{repo}:Q4_K_M")
    page.click("button:has-text('Look it up')")
    page.wait_for_selector("#lookup-status")
    assert "/lookup/" in page.url
    shoot(page, "lookup-wait")
    page.wait_for_url("**/models/phi-4/?quant=Q4_K_M", timeout=30_000)
    expect(page.locator(".provisional-note")).to_contain_text("not reviewed")
    expect(page.locator("table.quants tr.selected")).to_contain_text("Q4_K_M")
    shoot(page, "lookup-model")


def test_search_suggests_as_you_type(page):
    """Issue 18, item 2: the home search shows matches while typing, with the forgiving matching."""
    page.goto(page.base + "/")
    page.locator("#q").press_sequentially("rtx3060 12", delay=30)
    suggestion = page.locator("#results a:has-text('GeForce RTX 3060 12 GB')")
    expect(suggestion).to_be_visible()
    assert page.url.rstrip("/") == page.base.rstrip("/")  # no page load: suggestions in place
    expect(page.locator("#results a:has-text('GeForce RTX 3060 8 GB')")).to_have_count(0)
    page.fill("#q", "")
    page.locator("#q").press_sequentially("deepseek-r1:8b", delay=30)
    expect(page.locator("#results a:has-text('DeepSeek-R1-Distill-Llama-8B')")).to_be_visible()
    page.locator("#results a:has-text('DeepSeek-R1-Distill-Llama-8B')").click()
    page.wait_for_selector("text=GPUs that can run this model")


PAGES = [
    "/",
    "/models/",
    "/models/llama-3-1-8b/",
    "/models/deepseek-v3/",
    "/gpus/",
    "/gpus/nvidia-geforce-rtx-4090/",
    "/compare/?gpu=nvidia-geforce-rtx-4090&gpu=apple-m2-max-96-gb-unified&model=llama-3-1-8b",
    "/plan/?model=llama-3-1-8b&gpu=nvidia-geforce-rtx-3060-12-gb",
    "/how-we-estimate/",
    "/search/?q=llama",
    "/models/?fits_gpu=nvidia-geforce-rtx-3060-12-gb",
    "/lookup/config/",
    "/my-machine/",
    "/plan/?model=llama-3-1-8b&cpu_only=on&ram_gb=32",
]


def test_save_my_machine_and_every_model_page_answers_for_it(page):
    """Issue 18, item 1: save the machine once; a model page's box (loaded over htmx) answers for it."""
    page.goto(page.base + "/models/qwen3-30b-a3b/")
    page.click("#my-machine a:has-text('Save your GPU and RAM once')")
    page.select_option("#id_gpu", "nvidia-geforce-rtx-3060-12-gb")
    page.fill("#id_ram_gb", "32")
    page.select_option("#id_ram_preset", "ddr4-3200-dual")
    page.click("button:has-text('Save')")
    expect(page.locator("#my-machine h2")).to_have_text("Runs on your NVIDIA GeForce RTX 3060 12 GB + 32 GB RAM")
    assert page.url.endswith("/models/qwen3-30b-a3b/") and "tok/s" in page.locator("#my-machine").inner_text()
    page.goto(page.base + "/models/llama-3-1-70b-instruct/")  # another model, the same machine
    expect(page.locator("#my-machine h2")).to_contain_text("Does not run on your NVIDIA GeForce RTX 3060")
    shoot(page, "my-machine")
    page.goto(page.base + "/models/")  # the list's bar links the models that fit the machine, its RAM included
    page.click("#machine-bar a:has-text('models that fit its GPU')")
    expect(page.locator("table th", has_text="Best fit")).to_be_visible()
    expect(page.locator("p.note")).to_contain_text("with 32 GB of system RAM")
    row = page.locator("tr", has=page.locator("a", has_text="Qwen3 30B-A3B")).first
    expect(row).to_contain_text("part in RAM")
    shoot(page, "my-machine-fits")


def test_an_htmx_error_replaces_the_stale_results(page):
    """Issue 18, item 5: a 400 from an htmx request is shown in place of the results it invalidates."""
    page.goto(page.base + "/plan/?model=llama-3-1-8b-instruct&gpu=nvidia-geforce-rtx-4090")
    expect(page.locator(".verdict h2")).to_contain_text("Fits")
    page.fill("input[name=vram_gb]", "24")  # a GPU and a custom VRAM size: contradictory
    page.click("button:has-text('Plan')")
    expect(page.locator("#results")).to_contain_text("not both")
    assert page.locator(".verdict").count() == 0  # the old "Fits" is gone
    assert "vram_gb=24" in page.url and "quant=" not in page.url  # the short link, without empty fields
    shoot(page, "planner-error")


def test_no_page_is_wider_than_the_screen(page):
    """Issue 18, item 4: at 390 and 1400 px no page scrolls sideways; wide tables scroll in their own box."""
    too_wide = []
    for width in (390, 1400):
        page.set_viewport_size({"width": width, "height": 900})
        for url in PAGES:
            page.goto(page.base + url)
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            if scroll_width > width:
                too_wide.append((width, url, scroll_width))
            name = url.strip("/").split("?")[0].replace("/", "-") or "home"
            page.screenshot(path=str(SHOTS / f"width-{name}-{width}.png"), full_page=False)
    assert not too_wide, too_wide


def test_the_api_docs_load_under_our_csp(page):
    """Issue 18, item 9: the interactive API docs render from self-hosted assets with no inline script or style (the
    fixture fails the test on any CSP violation)."""
    page.goto(page.base + "/api/v1/docs/")
    expect(page.get_by_text("/api/v1/plan/").first).to_be_visible(timeout=60_000)
    shoot(page, "api-docs")
