import pytest

from snippets.templates_demo.app import create_app


@pytest.fixture
def client():
    return create_app({"TESTING": True}).test_client()


def test_guestbook_lists_every_entry_with_filters_applied(client):
    page = client.get("/").text
    assert "<p>3 visitors signed it.</p>" in page
    assert "<strong>Ada Lovelace</strong>" in page
    assert "<strong>Grace Hopper</strong>" in page
    assert page.index("Ada Lovelace") < page.index("Grace Hopper") < page.index("Mallory")


def test_hostile_message_is_escaped(client):
    page = client.get("/").text
    assert "<script>" not in page
    assert "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>" in page


def test_pages_share_the_layout_and_fill_its_blocks(client):
    home, about = client.get("/").text, client.get("/about/").text
    assert "<title>Home · Guestbook</title>" in home
    assert "<title>About · Guestbook</title>" in about
    for page in (home, about):
        assert '<link rel="stylesheet" href="/static/style.css">' in page
        assert '<a href="/about/">About</a>' in page


def test_super_keeps_the_parent_block(client):
    assert "<footer>A Flask Field Guide example.</footer>" in client.get("/").text
    footer = "<footer>A Flask Field Guide example. This page added to the footer.</footer>"
    assert footer in client.get("/about/").text


def test_no_blank_lines_where_tags_stood(client):
    lines = client.get("/").text.splitlines()
    assert all(line.strip() for line in lines)


def test_static_file_is_served(client):
    response = client.get("/static/style.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert b".entries li" in response.data
    response.close()


def test_runs_without_test_config():
    assert create_app().test_client().get("/about/").status_code == 200
