"""The parent side: the worker pool, the cache and the Builder. Never imports Flask."""
