"""``python -m tools``: the guide's own commands (run them in the nox docs venv).

python -m tools review            # do the committed outputs match a fresh build?
python -m tools review --update   # write them anew (also: nox -s review)
python -m tools new NAME          # scaffold an example, its test and a page (nox -s new)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from site_app import Builder, SiteAppError

from . import review, scaffold


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools", description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=Path("mkdocs.yml"), help="mkdocs.yml")
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser("review", help="compare or update the committed outputs")
    check.add_argument("--outputs", type=Path, default=Path("tests/outputs"))
    check.add_argument("--update", action="store_true", help="write the outputs anew")
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
        page = made.page.relative_to(Path.cwd()).as_posix()
        print(
            f"next: replace the lines starting with 'TODO:' in {page} (the build refuses "
            f"them), check the example's coverage with nox -s cov -- {args.name}, "
            "then record its outputs with nox -s review"
        )
        return 0

    settings = review.guide_settings(args.config)
    builder = Builder(settings, log=lambda m: print(m, file=sys.stderr))
    try:
        result = review.build_pages(settings.root / "docs", builder)
    except SiteAppError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
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
