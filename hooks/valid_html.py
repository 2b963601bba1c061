"""Give Material's search dialog an accessible name (MkDocs only).

Material 9's ``partials/search.html`` renders ``role="dialog"`` without a name (axe and
Lighthouse: ``aria-dialog-name``). Zensical's own search partial names its dialog, so a shared
template override cannot be used here: Zensical would render Material's search form instead of
its own. The repairs that both builders need live in the templates (``overrides/main.html``,
``overrides/partials/toc.html``), which MkDocs and Zensical both render.
"""

from __future__ import annotations

from typing import Any

_NAMELESS = '<div class="md-search" data-md-component="search" role="dialog">'
_NAMED = '<div class="md-search" data-md-component="search" role="dialog" aria-label="Søg">'


def fix_html(output: str) -> str:
    return output.replace(_NAMELESS, _NAMED)


def on_post_page(output: str, page: Any, config: Any) -> str:
    return fix_html(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    return fix_html(output_content) if template_name.endswith(".html") else output_content
