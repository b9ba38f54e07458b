"""Issue 18, item 1: the user's machine, saved once (a cookie), answered on every model page."""

import re

from planner.forms import MachineProfileForm

SAVE = {"gpu": "nvidia-geforce-rtx-3060-12-gb", "gpu_count": "1", "ram_gb": "32", "ram_preset": "ddr4-3200-dual"}


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_saving_the_machine_sets_a_cookie_and_returns_to_the_model(client, seeded):
    response = client.post("/my-machine/", {**SAVE, "next": "/models/llama-3-1-8b-instruct/"})
    assert response.status_code == 302 and response["Location"] == "/models/llama-3-1-8b-instruct/"
    cookie = response.cookies[MachineProfileForm.COOKIE]
    assert "gpu=nvidia-geforce-rtx-3060-12-gb" in cookie.value and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert 'value="32"' in client.get("/my-machine/").content.decode()  # the form shows what is saved


def test_the_model_page_answers_for_the_saved_machine(client, seeded):
    page = client.get("/models/llama-3-1-8b-instruct/").content.decode()
    assert "/my-machine/fit/llama-3-1-8b-instruct/" in page  # loaded over htmx: the cached page stays the same
    assert "Save your GPU and RAM once" in _text(client.get("/my-machine/fit/llama-3-1-8b-instruct/"))
    client.post("/my-machine/", SAVE)
    box = client.get("/my-machine/fit/llama-3-1-8b-instruct/")
    assert box["Cache-Control"] == "private, no-store"
    text = _text(box)
    assert "Runs on your NVIDIA GeForce RTX 3060 12 GB + 32 GB RAM" in text and "Q4_K_M" in text and "tok/s" in text
    assert "<svg" in box.content.decode() and "your GPU" in text  # the VRAM chart, with this GPU's memory as its line
    too_big = _text(client.get("/my-machine/fit/llama-3-1-70b-instruct/"))
    assert "Does not run" in too_big and "It fits at IQ4_XS" in too_big


def test_a_machine_without_a_gpu_is_the_cpu_alone(client, seeded):
    client.post("/my-machine/", {"gpu": "", "ram_gb": "64", "ram_preset": "ddr5-6000-dual"})
    text = _text(client.get("/my-machine/fit/qwen3-30b-a3b/"))
    assert "Runs on your CPU + 64 GB RAM" in text and "tok/s" in text
    assert "cpu_only=on" in client.get("/my-machine/fit/qwen3-30b-a3b/").content.decode()  # the planner link


def test_bad_input_is_a_form_message_and_saves_nothing(client, seeded):
    response = client.post("/my-machine/", {"gpu": "", "ram_gb": ""})
    assert response.status_code == 400 and "Choose a GPU, or give the system RAM" in response.content.decode()
    assert MachineProfileForm.COOKIE not in response.cookies
    client.cookies[MachineProfileForm.COOKIE] = "gpu=no-such-gpu&gpu_count=99"  # a stale or forged cookie
    assert "Save your GPU and RAM once" in _text(client.get("/my-machine/fit/llama-3-1-8b-instruct/"))


def test_next_must_stay_on_the_site(client, seeded):
    response = client.post("/my-machine/", {**SAVE, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/my-machine/?saved=1"


def test_forget_deletes_the_cookie(client, seeded):
    client.post("/my-machine/", SAVE)
    response = client.post("/my-machine/", {"forget": "1"})
    assert response.status_code == 302 and response.cookies[MachineProfileForm.COOKIE].value == ""


def test_the_machine_bar_links_what_it_runs_and_a_planner_filled_in(client, seeded):
    assert "Save your machine" in _text(client.get("/my-machine/bar/"))
    for page in ("/", "/models/", "/gpus/", "/plan/", "/compare/", "/gpus/nvidia-geforce-rtx-4090/"):
        assert "/my-machine/bar/" in client.get(page).content.decode(), page
    client.post("/my-machine/", SAVE)
    bar = client.get("/my-machine/bar/").content.decode()
    assert "Your machine: <strong>NVIDIA GeForce RTX 3060 12 GB + 32 GB RAM</strong>" in bar
    assert "/models/?fits_gpu=nvidia-geforce-rtx-3060-12-gb&amp;fits_ram_gb=32" in bar  # its RAM too
    plan = re.search(r'href="(/plan/\?[^"]+)"', bar).group(1).replace("&amp;", "&")
    form = client.get(plan).content.decode()  # no model yet: the form is prefilled, not an error
    assert 'value="nvidia-geforce-rtx-3060-12-gb" selected' in form and 'value="32"' in form


def test_the_home_gpu_picker_asks_instead_of_defaulting_to_the_first_card(client, seeded):
    page = client.get("/").content.decode()
    assert '<select id="gpu" name="gpu" required><option value="">Choose your GPU</option>' in page


def test_saved_page_without_a_cookie_is_the_empty_form_not_a_500(client, seeded):
    response = client.get("/my-machine/?saved=1")  # a browser that refused the cookie, or a shared link
    assert response.status_code == 200 and "Saved:" not in response.content.decode()


def test_htmx_not_found_is_a_fragment(client, seeded):
    response = client.get("/my-machine/fit/no-such-model/", HTTP_HX_REQUEST="true")
    assert response.status_code == 404 and "<html" not in response.content.decode()


def test_the_model_list_answers_for_a_gpu_and_its_system_ram(client, seeded):
    """The fits column: with the machine's RAM, a model too big for the GPU in any format still runs with part of it
    in RAM, at a format no larger than Q4_K_M; a model that fits the GPU keeps its best format there."""
    gpu = "fits_gpu=nvidia-geforce-rtx-3060-12-gb"
    alone = {m.slug: m for m in client.get(f"/models/?{gpu}").context["page"].paginator.object_list}
    with_ram = {m.slug: m for m in client.get(f"/models/?{gpu}&fits_ram_gb=64").context["page"].paginator.object_list}
    assert "gpt-oss-120b" not in alone and set(alone) < set(with_ram)
    big = with_ram["gpt-oss-120b"]
    assert big.best_fit.name == "Q4_K_M" and (big.best_fit_plan.cpu_moe_layers or big.best_fit_plan.offloaded_layers)
    assert with_ram["gpt-oss-20b"].best_fit.name == alone["gpt-oss-20b"].best_fit.name
    text = _text(client.get(f"/models/?{gpu}&fits_ram_gb=64"))
    assert "with 64 GB of system RAM" in text and "part in RAM" in text


def test_the_gpu_page_takes_the_machines_ram_from_the_bar(client, seeded):
    """The GPU page lists what runs on the card; with the machine's RAM (the bar's link), a model too big for it
    may run with part of it in RAM."""
    client.post("/my-machine/", {**SAVE, "ram_gb": "64"})
    bar = client.get("/my-machine/bar/").content.decode()
    link = re.search(r'href="(/gpus/nvidia-geforce-rtx-3060-12-gb/[^"]*)"', bar).group(1).replace("&amp;", "&")
    assert "ram_gb=64" in link
    alone = {llm.slug for llm, _f, _p in client.get("/gpus/nvidia-geforce-rtx-3060-12-gb/").context["fits"]}
    with_ram = client.get(link)
    fits = {llm.slug: p for llm, _f, p in with_ram.context["fits"]}
    assert "gpt-oss-120b" in fits and "gpt-oss-120b" not in alone and alone < set(fits)
    assert "part in RAM" in _text(with_ram) and "with 64 GB of system RAM" in _text(with_ram)
