"""Build-time code of the static site that MkDocs and Zensical both run.

Only Python-Markdown extensions and the macros module live here: neither builder-specific
hooks nor plugins, so the same ``mkdocs.yml`` gives the same site under both builders.
"""
