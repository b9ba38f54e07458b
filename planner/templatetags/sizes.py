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
def tokens(value):
    if not value:
        return "–"
    return f"{value // 1024}K" if value >= 1024 and value % 1024 == 0 else f"{value:,}"


@register.filter
def params_b(value):
    if not value:
        return "–"
    return f"{value / 1e9:.3g}B"


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
    return f"{speed.tok_s:.0f} tok/s" if speed.tok_s >= 10 else f"{speed.tok_s:.1f} tok/s"


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
    '<td>{{ r.gpu.bandwidth_gbs|default:"–" }} GB/s</td>'
    "<td>{{ r.plan.headroom_bytes|gib }} <small>{{ r.plan|offload_note }}</small></td>"
    "<td>{{ r.plan.decode|tok_s }} <small>{{ r.plan.decode|band }}</small></td>"
    "<td>{% if r.gpu.price_usd %}${{ r.gpu.price_usd|floatformat:0 }}{% else %}–{% endif %}</td></tr>{% endfor %}"
)


@register.simple_tag
def gpu_table_rows(rows, speed="decode"):
    """``speed``: the plan's "decode" figure, or "prefill" for models that generate nothing (embedding)."""
    return format_html_join("", (
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{} GB/s</td><td>{} <small>{}</small></td>'
        "<td>{} <small>{}</small></td><td>{}</td></tr>"
    ), (
        (r.gpu.get_absolute_url(), r.gpu.name, r.gpu.vendor, gib(r.gpu.memory_bytes),
         localize(r.gpu.bandwidth_gbs) if r.gpu.bandwidth_gbs else "–", gib(r.plan.headroom_bytes),
         offload_note(r.plan),
         tok_s(getattr(r.plan, speed)), band(getattr(r.plan, speed)),
         f"${floatformat(r.gpu.price_usd, 0)}" if r.gpu.price_usd else "–")
        for r in rows
    ))
