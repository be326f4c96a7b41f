"""Links of frozen pages the frozen site cannot follow become text; the others stay."""

from site_app.execute.frozen_links import make_unfollowable_links_plain

ACCOUNT = """<!doctype html>
<html lang="en"><head><title>Account</title></head>
<body>
<nav><a href="../index.html">Home</a> <a href="index.html#top" class="here">Account</a>
<a href='../notes/'>Notes</a> <A HREF=../api/books title="The books">Books</A></nav>
<p><a href="../files/notes_for_Ada.txt">notes_for_Ada.txt</a>
<a href="index.html?tab=2">Second tab</a> <a href="?tab=2">Same file</a>
<a href="#top">Top</a> <a href="/login/">Absolute</a> <a href="https://flask.palletsprojects.com/">Flask</a>
<a href="mailto:ada@example.com">Mail</a> <a href="../../other/">Outside</a>
<a>No href</a> <a href="">Empty</a></p>
<map name="m"><area href="../gone.html" alt="Gone"></map>
<script>var s = '<a href="missing.html">';</script>
</body></html>
"""


def test_links_to_what_the_frozen_site_lacks_become_text(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes/index.html").write_text("<p>notes</p>")
    (tmp_path / "index.html").write_text('<a href="account/">Account</a> <a href="notes/">N</a>')
    (tmp_path / "account").mkdir()
    preview = tmp_path / "account/preview-0123456789ab.html"
    preview.write_text(ACCOUNT)

    changed = make_unfollowable_links_plain(
        tmp_path, {"account/preview-0123456789ab.html": "account/index.html"}
    )

    page = preview.read_text()
    # Kept: pages the frozen site holds, anchors, absolute paths, other hosts and schemes,
    # links outside the example's folder, and what a script merely writes.
    assert '<a href="../index.html">Home</a>' in page
    assert "<a href='../notes/'>Notes</a>" in page
    assert '<a href="?tab=2">Same file</a>\n<a href="#top">Top</a>' in page
    assert '<a href="/login/">Absolute</a>' in page
    assert '<a href="https://flask.palletsprojects.com/">Flask</a>' in page
    assert '<a href="mailto:ada@example.com">Mail</a>' in page
    assert '<a href="../../other/">Outside</a>' in page
    assert '<a>No href</a> <a href="">Empty</a>' in page
    assert "var s = '<a href=\"missing.html\">';" in page
    # The preview's own URL, not frozen (it redirects a stranger): the preview itself.
    assert '<a href="preview-0123456789ab.html#top" class="here">Account</a>' in page
    # Not in the frozen site: plain text that says where it led.
    assert (
        '<a data-ffg-unfrozen="../files/notes_for_Ada.txt" title="Not in the frozen site: '
        'only the running app serves /files/notes_for_Ada.txt">notes_for_Ada.txt</a>' in page
    )
    assert '<A data-ffg-unfrozen="../api/books" title="The books">Books</A>' in page
    assert (
        '<a data-ffg-unfrozen="index.html?tab=2" title="Not in the frozen site: only the '
        'running app serves /account/">Second tab</a>' in page
    )
    assert '<area data-ffg-unfrozen="../gone.html" title=' in page
    assert changed == [
        "account/preview-0123456789ab.html: index.html#top",
        "account/preview-0123456789ab.html: ../api/books",
        "account/preview-0123456789ab.html: ../files/notes_for_Ada.txt",
        "account/preview-0123456789ab.html: index.html?tab=2",
        "account/preview-0123456789ab.html: ../gone.html",
        "index.html: account/",
    ]
    # A frozen page's link to a folder without its page is made plain too.
    assert (
        (tmp_path / "index.html")
        .read_text()
        .startswith(
            '<a data-ffg-unfrozen="account/" title="Not in the frozen site: only the running app '
            'serves /account/">Account</a> <a href="notes/">N</a>'
        )
    )


def test_a_site_whose_links_all_resolve_is_left_byte_for_byte(tmp_path):
    page = tmp_path / "index.html"
    page.write_bytes(b'<p>caf\xc3\xa9 <a href="index.html">me</a>\r\n<a href="#x">x</a></p>')
    before = page.read_bytes()
    assert make_unfollowable_links_plain(tmp_path, {}) == []
    assert page.read_bytes() == before
