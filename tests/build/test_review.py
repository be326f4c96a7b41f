"""The committed outputs in tests/outputs/ match what this build shows readers."""

from dataclasses import replace

import pytest

from site_app import Builder
from tests.helpers import ROOT
from tools import review

pytestmark = pytest.mark.build


def test_committed_outputs_match_the_build(guide):
    # Same cache as the guide's clean build, so nothing runs twice.
    settings = replace(
        review.guide_settings(ROOT / "mkdocs.yml"), cache_dir=guide.site.parent / "cache"
    )
    builder = Builder(settings, log=lambda m: None)
    rendered = review.render(review.build_pages(ROOT / "docs", builder))
    outcome = review.compare(ROOT / "tests/outputs", rendered)
    assert outcome.clean, (
        "what readers see changed; if that is intended, run `nox -s review` and commit "
        "tests/outputs/\n" + "\n".join(outcome.diffs.values())
    )
    assert len(rendered) >= 10
