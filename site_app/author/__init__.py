"""What a writer typed: examples on disk, blocks in pages, and the project's rules.

Imports neither Flask nor MkDocs.
"""
