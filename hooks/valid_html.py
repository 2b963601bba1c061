"""Repair the few spots where Material's templates emit HTML the Nu Html Checker rejects.

Each fix changes markup only, never behaviour:
- ``tabindex=""`` on navigation labels is not an integer; the empty attribute is dropped
  (the labels are focusable through their checkbox anyway).
- ``autocomplete`` is not allowed on checkboxes; Material sets it on its hidden toggles.
- A ``label for="__toc"`` on pages whose layout has no ``#__toc`` toggle points nowhere.
- The search dialog has no accessible name (axe/Lighthouse ``aria-dialog-name``).
"""

from __future__ import annotations

import re
from typing import Any

_EMPTY_TABINDEX = re.compile(r'(<label\b[^>]*?)\s+tabindex=""')
_CHECKBOX_AUTOCOMPLETE = re.compile(r'(<input\b[^>]*\btype="checkbox"[^>]*?)\s+autocomplete="off"')


def fix_html(output: str) -> str:
    output = _EMPTY_TABINDEX.sub(r"\1", output)
    output = _CHECKBOX_AUTOCOMPLETE.sub(r"\1", output)
    output = output.replace(
        '<div class="md-search" data-md-component="search" role="dialog">',
        '<div class="md-search" data-md-component="search" role="dialog" aria-label="Søg">',
    )
    if 'id="__toc"' not in output:
        output = output.replace(
            '<label class="md-nav__title" for="__toc">', '<label class="md-nav__title">'
        )
    return output


def on_post_page(output: str, page: Any, config: Any) -> str:
    return fix_html(output)


def on_post_template(output_content: str, template_name: str, config: Any) -> str:
    return fix_html(output_content) if template_name.endswith(".html") else output_content
