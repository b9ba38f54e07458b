"""Issue 18, item 7: provenance notes render as short citations, never as build notes."""

from planner.templatetags.cite import citations


def test_a_note_becomes_labelled_links_each_once():
    note = (
        "arch: github.com/Lightning-AI/litgpt@2685705 litgpt/config.py (transcribed HF config; vocab=padded) | "
        "params: github.com/o/r@1b33775 out/research-x/model.json; date: github.com/o/r@1b33775 out/research-x/"
        "model.json | launch_price_usd: https://example.org/a/very/long/path/that/goes/on/and/on/forever.html"
    )
    html = str(citations(note))
    assert html.count("<a ") == 3
    assert 'arch: <a href="https://github.com/Lightning-AI/litgpt/blob/2685705/litgpt/config.py"' in html
    assert ">Lightning-AI/litgpt › config.py</a>" in html and "params, date: <a" in html
    assert "launch price: <a" in html and "…</a>" in html
    assert "vocab=" not in html and "research-x" not in html.split(">", 1)[1].split("href")[0]


def test_a_note_without_links_is_kept_short_and_escaped():
    assert citations("Llama 2 paper (Touvron et al. 2023) Table 1") == "Llama 2 paper (Touvron et al. 2023) Table 1"
    assert "<script>" not in str(citations('<script>x</script> github.com/a/b@abcdef1 x"/><script>.py'))
    assert citations("") == ""


def test_model_page_shows_citations_not_build_notes(client, seeded):
    page = client.get("/models/deepseek-r1-distill-llama-8b/").content.decode()
    assert "daniel-p-green/alain-ai-learning-platform › model.json</a>" in page
    assert "out/research-deepseek" not in page.replace(
        'href="https://github.com/daniel-p-green/alain-ai-learning-platform/blob/1b33775/out/research-deepseek', ""
    )


def test_a_sentences_full_stop_is_not_part_of_the_address():
    html = str(citations("datasheet: https://example.org/a30-datasheet.pdf. More text"))
    assert 'href="https://example.org/a30-datasheet.pdf"' in html
