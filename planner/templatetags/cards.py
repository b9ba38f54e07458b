"""A model card (Markdown from the Hub, written by whoever publishes the model) as HTML safe to embed.

markdown-it renders CommonMark plus tables, keeping the raw HTML cards use (centred headers, <details>);
nh3 (the ammonia sanitiser) then keeps only structural tags: no scripts, event handlers, styles, forms,
iframes or images (a card's images are third-party requests from our pages), and only http(s)/mailto links.
"""

import nh3
from django import template
from django.utils.safestring import mark_safe
from markdown_it import MarkdownIt

register = template.Library()

_MARKDOWN = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table").enable("strikethrough")
CARD_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "details",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
CARD_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "td": {"align"}, "th": {"align"}}


def _card_link(repo_id: str):
    """Links as the card means them: relative ones point into the model's repository on the Hub, and
    protocol-relative ones (//host) are dropped rather than resolved against our site."""
    base = f"https://huggingface.co/{repo_id}/blob/main/"

    def rewrite(tag, attribute, value):
        if tag != "a" or attribute != "href":
            return value
        if value.startswith("//"):
            return None
        if value.startswith(("http://", "https://", "mailto:", "#")):
            return value
        return base + value.lstrip("./")

    return rewrite


def card_html(markdown: str, repo_id: str = "") -> str:
    html = _MARKDOWN.render(markdown or "")
    return nh3.clean(
        html,
        tags=CARD_TAGS,
        clean_content_tags={"script", "style"},
        attributes=CARD_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
        attribute_filter=_card_link(repo_id),
    )


@register.filter(name="card_html")
def card_html_filter(markdown: str, repo_id: str = "") -> str:
    return mark_safe(card_html(markdown, repo_id))  # noqa: S308 — sanitised above
