from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html_join

register = template.Library()


@register.filter
def gib(value):
    """Bytes as GB the way VRAM is sold (GiB), one decimal."""
    if value in (None, ""):
        return "–"
    return f"{value / 1024**3:.1f} GB"


@register.filter
def gb(value):
    """Bytes as decimal GB (10^9), the way Hugging Face and Ollama print file sizes, one decimal."""
    if value in (None, ""):
        return "–"
    return f"{value / 1e9:.1f} GB"


@register.filter
def tokens(value):
    """A context length the way model cards write it: 131,072 and 128,000 are both "128K", 10,485,760 is "10M";
    anything else in full."""
    if not value:
        return "–"
    for unit, binary, decimal in (("M", 1024**2, 10**6), ("K", 1024, 1000)):
        if value >= decimal and (value % binary == 0 or value % decimal == 0):
            return f"{value // (decimal if value % decimal == 0 else binary)}{unit}"
    return f"{value:,}"


@register.filter
def params_b(value):
    """A parameter count as it is published: 1.03T, 8.03B, 494M."""
    if not value:
        return "–"
    for size, unit in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if value >= size:
            return f"{value / size:.3g}{unit}"
    return f"{value:,}"


@register.filter
def compact(value):
    """A count the way the Hub shows it: 2.9M, 48.1K, 950."""
    if value in (None, ""):
        return "–"
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:,}"


@register.filter
def offload_note(p):
    """What of a plan sits in system RAM, for a table cell ("" when nothing does)."""
    mode = getattr(p, "offload_mode", "none")
    if mode == "experts":
        return f"experts of {p.cpu_moe_layers} layers in RAM"
    if mode == "layers":
        return f"{p.offloaded_layers} layers in RAM"
    return ""


@register.filter
def tok_s(speed):
    if not speed:
        return "–"
    return f"{rate(speed.tok_s)} tok/s"


@register.filter
def rate(value):
    """A tokens/s figure to the precision it deserves: whole numbers from 10 up, one decimal below."""
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


@register.filter
def band(speed):
    if not speed:
        return ""
    fmt = "{:.0f}" if speed.tok_s >= 10 else "{:.1f}"
    return f"likely {fmt.format(speed.low)}–{fmt.format(speed.high)}"


# The rows of a model page's GPU table, as the loop in GPU_ROW_TEMPLATE would render them. Django's
# template engine spends ~46 µs per row resolving its variables and filters; 100 rows were 4.6 of the
# 8.5 ms of template time of every uncached model page (bench/README.md). A test checks the output
# equals the loop's, character for character.
GPU_ROW_TEMPLATE = (
    '{% for r in gpu_rows %}<tr><td><a href="{{ r.gpu.get_absolute_url }}">{{ r.gpu.name }}</a></td>'
    "<td>{{ r.gpu.vendor }}</td><td>{{ r.gpu.memory_bytes|gib }}</td>"
    "<td>{% if r.gpu.bandwidth_gbs %}{{ r.gpu.bandwidth_gbs }} GB/s{% else %}–{% endif %}</td>"
    "<td>{{ r.plan.headroom_bytes|gib }} <small>{{ r.plan|offload_note }}</small></td>"
    "<td>{{ r.plan.decode|tok_s }} <small>{{ r.plan.decode|band }}</small></td>"
    "<td>{% if r.gpu.price_usd %}${{ r.gpu.price_usd|floatformat:0 }}{% else %}–{% endif %}</td></tr>{% endfor %}"
)


@register.simple_tag
def gpu_table_rows(rows, speed="decode"):
    """``speed``: the plan's "decode" figure, or "prefill" for models that generate nothing (embedding)."""
    return format_html_join(
        "",
        (
            '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{} <small>{}</small></td>'
            "<td>{} <small>{}</small></td><td>{}</td></tr>"
        ),
        (
            (
                r.gpu.get_absolute_url(),
                r.gpu.name,
                r.gpu.vendor,
                gib(r.gpu.memory_bytes),
                f"{localize(r.gpu.bandwidth_gbs)} GB/s" if r.gpu.bandwidth_gbs else "–",
                gib(r.plan.headroom_bytes),
                offload_note(r.plan),
                tok_s(getattr(r.plan, speed)),
                band(getattr(r.plan, speed)),
                f"${floatformat(r.gpu.price_usd, 0)}" if r.gpu.price_usd else "–",
            )
            for r in rows
        ),
    )
