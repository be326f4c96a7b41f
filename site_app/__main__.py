"""``python -m site_app``: the build without MkDocs.

python -m site_app freeze hello      # run the pages' blocks, freeze one example, list its files
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import SiteAppError
from .model import Settings
from .orchestrate.builder import Builder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_app", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="pages (default: docs)")
    parser.add_argument("--snippets", type=Path, default=Path("snippets"), help="examples")
    parser.add_argument(
        "--cache", type=Path, default=Path(".cache/flask-examples"), help="build cache"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("freeze", help="freeze the examples the pages use; list one")
    one.add_argument("example", help="name of an example's folder")
    args = parser.parse_args(argv)

    root = Path.cwd().resolve()
    settings = Settings(root, args.snippets.resolve(), args.cache.resolve())
    pages = {
        path.resolve().relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(args.docs.resolve().rglob("*.md"))
    }
    try:
        result = Builder(settings, log=lambda m: print(m, file=sys.stderr)).build(pages)
    except SiteAppError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    frozen = result.frozen.get(args.example)
    if frozen is None:
        print(f"error: no page shows an example named '{args.example}'", file=sys.stderr)
        return 1
    print(frozen.directory)
    for name in frozen.all_files():
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
