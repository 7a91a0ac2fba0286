"""The after-action review as a document: its charts (SVG), its HTML and its PDF, written
from the figures ``workflow/after_action.py`` computes (plain dicts; no database here)."""

from tearline.review.document import FORMATS, render_body, render_html, render_pdf

__all__ = ["FORMATS", "render_body", "render_html", "render_pdf"]
