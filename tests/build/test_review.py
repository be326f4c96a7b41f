"""The committed outputs in tests/outputs/ match what this build shows readers."""

import pytest

from tools import review
from site_app import Builder, Settings
from tests.helpers import ROOT

pytestmark = pytest.mark.build


def test_committed_outputs_match_the_build(guide):
    # Same cache as the guide's clean build, so nothing runs twice.
    builder = Builder(ROOT / "snippets", guide.site.parent / "cache", log=lambda m: None)
    rendered = review.render(review.build_pages(ROOT / "docs", builder))
    outcome = review.compare(ROOT / "tests/outputs", rendered)
    assert outcome.clean, (
        "what readers see changed; if that is intended, run `nox -s review` and commit "
        "tests/outputs/\n" + "\n".join(outcome.diffs.values())
    )
    assert len(rendered) >= 10
