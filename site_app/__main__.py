"""``python -m site_app``: use the build without MkDocs.

python -m site_app review            # do the committed outputs match a fresh build?
python -m site_app review --update   # write them anew (also: nox -s review)
python -m site_app freeze hello      # freeze one example and list its files
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import review, scaffold
from .build import Builder
from .errors import SiteAppError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_app", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="pages (default: docs)")
    parser.add_argument("--snippets", type=Path, default=Path("snippets"), help="examples")
    parser.add_argument(
        "--cache", type=Path, default=Path(".cache/flask-examples"), help="build cache"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("review", help="compare or update the committed outputs")
    check.add_argument("--outputs", type=Path, default=Path("tests/outputs"))
    check.add_argument("--update", action="store_true", help="write the outputs anew")
    one = commands.add_parser("freeze", help="freeze the examples a page set uses; list one")
    one.add_argument("example", help="name of a directory under snippets/")
    new = commands.add_parser("new", help="scaffold an example, its test and a page")
    new.add_argument("name", help="the example's name: lower case, digits, underscores")
    new.add_argument("--title", help="the page's title (default: from the name)")
    args = parser.parse_args(argv)

    if args.command == "new":
        try:
            made = scaffold.new_example(Path.cwd(), args.name, args.title)
        except SiteAppError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        for path in (made.app, made.test, made.page):
            print(f"created {path.relative_to(Path.cwd()).as_posix()}")
        print(f"added to mkdocs.yml nav: {made.nav_line.strip()}")
        return 0

    builder = Builder(args.snippets, args.cache, log=lambda m: print(m, file=sys.stderr))
    try:
        result = review.build_pages(args.docs, builder)
    except SiteAppError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    if args.command == "freeze":
        frozen = result.frozen.get(args.example)
        if frozen is None:
            print(f"error: no page shows an example named '{args.example}'", file=sys.stderr)
            return 1
        print(frozen.directory)
        for name in frozen.all_files():
            print(f"  {name}")
        return 0

    rendered = review.render(result)
    if args.update:
        changed = review.update(args.outputs, rendered)
        print(f"wrote {len(rendered)} output files to {args.outputs}/; {len(changed)} changed")
        for name in changed:
            print(f"  {name}")
        return 0
    outcome = review.compare(args.outputs, rendered)
    if outcome.clean:
        print(f"{len(rendered)} output files in {args.outputs}/ match this build")
        return 0
    for diff in outcome.diffs.values():
        print(diff)
    print(
        f"{len(outcome.diffs)} output file(s) differ from this build. If the change is "
        "intended, run `nox -s review` and commit tests/outputs/.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
