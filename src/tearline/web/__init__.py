"""The web face: the duty officer's desk (pages and JSON API) and the public pages."""

from tearline.web.app import create_app

__all__ = ["create_app"]
