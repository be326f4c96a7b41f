"""Markdown and HTML for a block, and the CSS it needs. Imports neither Flask nor MkDocs."""
