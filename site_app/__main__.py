"""``python -m site_app``: the build without MkDocs, and the live preview.

python -m site_app build             # every example mkdocs.yml's pages need, for any builder
python -m site_app freeze hello      # run the pages' blocks, freeze one example, list its files
python -m site_app preview           # every example live on http://127.0.0.1:5000/ (nox -s preview)
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .author.project import read_project
from .errors import SiteAppError
from .model import Settings
from .orchestrate.builder import Builder
from .orchestrate.engine import run_pages

PACKAGE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m site_app", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=Path, default=Path("docs"), help="pages (default: docs)")
    parser.add_argument("--snippets", type=Path, default=Path("snippets"), help="examples")
    parser.add_argument(
        "--cache", type=Path, default=Path(".cache/flask-examples"), help="build cache"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "build", help="run every example the pages need; write the files a site publishes"
    )
    run.add_argument("-f", "--config-file", type=Path, default=Path("mkdocs.yml"))
    run.add_argument(
        "--out", type=Path, help="folder of the site's files (default: <cache_dir>/site-files)"
    )
    one = commands.add_parser("freeze", help="freeze the examples the pages use; list one")
    one.add_argument("example", help="name of an example's folder")
    live = commands.add_parser("preview", help="serve every example live, restarting on edits")
    live.add_argument("--host", default="127.0.0.1")
    live.add_argument("--port", type=int, default=5000)
    live.add_argument("--only", help="serve this example only")
    live.add_argument(
        "--debug",
        action="store_true",
        help="run Werkzeug's debugger (it runs code typed in a page)",
    )
    live.add_argument("--interval", type=float, default=1.0, help="seconds between checks")
    live.add_argument(
        "--no-reload", action="store_true", help="serve once; do not watch for changes"
    )
    args = parser.parse_args(argv)
    if args.command == "preview":
        return preview(args)
    if args.command == "build":
        return build(args.config_file, args.out)

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


def build(config_file: Path, out: Path | None) -> int:
    """The engine alone: the pages' examples into the cache, the site's files into ``out``.

    A builder that runs no plugin (Zensical) then renders the pages, the
    fences finding each block's view in the cache; ``out`` joins its site.
    """
    started = time.perf_counter()
    try:
        project = read_project(config_file)
        pages = project.pages()
        roots = {page: project.site_root(page) for page in pages}
        output = out or project.settings.cache_dir / "site-files"
        runner_url = project.runner_url if project.browser_runner else None
        result = run_pages(
            project.settings, pages, output, roots=roots, runner_url=runner_url, log=_log
        )
    except SiteAppError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{len(result.frozen)} examples, {result.urls_frozen} URLs frozen, "
        f"{result.requests_sent} requests captured in {time.perf_counter() - started:.2f} s; "
        f"the site's files are in {output}",
        file=sys.stderr,
    )
    return 0


def _log(message: str) -> None:
    print(message, file=sys.stderr)


def watched_files(folders: list[Path]) -> dict[str, int]:
    """Every file under ``folders`` with its modification time; caches and dot folders aside.

    Only these folders are read, by polling: never the project's other folders
    (.nox/, node_modules/, site/), and no inotify watch is taken.
    """
    found: dict[str, int] = {}
    for folder in folders:
        for top, dirs, files in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            for name in files:
                if name.endswith((".pyc", ".pyo")) or name.startswith("."):
                    continue
                path = os.path.join(top, name)
                try:
                    found[path] = os.stat(path).st_mtime_ns
                except FileNotFoundError:  # deleted while walking
                    continue
    return found


def preview(args: argparse.Namespace) -> int:
    """Serve the preview in a child process; restart it when a watched file changes."""
    snippets = args.snippets.resolve()
    if args.no_reload:
        from .execute.preview import serve  # imports Flask; only the serving process does

        serve(snippets, args.host, args.port, args.only, debug=args.debug)
        return 0
    folders = [snippets, PACKAGE]
    command = [sys.executable, "-m", "site_app", "--snippets", str(snippets), "preview"]
    command += ["--host", args.host, "--port", str(args.port), "--no-reload"]
    if args.only:
        command += ["--only", args.only]
    if args.debug:
        command += ["--debug"]
    state = watched_files(folders)
    shown = ", ".join(f"{folder}/" for folder in folders)
    print(f" * watching {len(state)} files under {shown}", flush=True)
    # Stopped by a signal (a test, a process manager), stop the server too.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    child = subprocess.Popen(command)
    try:
        while True:
            time.sleep(args.interval)
            now = watched_files(folders)
            if now == state:
                continue
            changed = sorted(k for k in now.keys() | state.keys() if now.get(k) != state.get(k))
            state = now
            print(f" * {changed[0]} changed, restarting the preview", flush=True)
            child.terminate()
            child.wait()
            child = subprocess.Popen(command)
    except KeyboardInterrupt:
        return 0
    finally:
        if child.poll() is None:
            child.terminate()
            child.wait()


if __name__ == "__main__":
    sys.exit(main())
