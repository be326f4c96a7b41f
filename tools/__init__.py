"""The guide's own tooling around site_app: scaffold, output review, project pages.

Not part of the library: these know this repository's layout.
"""
