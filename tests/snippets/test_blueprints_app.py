import pytest
from flask import url_for

from snippets.blueprints_app import create_app


@pytest.fixture
def app():
    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    return app.test_client()


def test_each_blueprint_has_its_url_prefix(app):
    rules = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert rules["blog.index"] == "/blog/"
    assert rules["blog.post"] == "/blog/<slug>/"
    assert rules["projects.index"] == "/projects/"
    assert rules["home"] == "/"


def test_endpoint_names_build_urls(app):
    with app.test_request_context():
        assert url_for("blog.post", slug="hello") == "/blog/hello/"
        assert url_for("projects.index") == "/projects/"


def test_every_page_links_to_both_blueprints(client):
    for url in ("/", "/blog/", "/blog/hello/", "/projects/"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="/blog/"' in page
        assert 'href="/projects/"' in page


def test_blog_index_links_each_post(client):
    page = client.get("/blog/").get_data(as_text=True)
    assert 'href="/blog/hello/"' in page
    assert 'href="/blog/kiln-log/"' in page


def test_post_uses_the_blog_template(client):
    page = client.get("/blog/kiln-log/").get_data(as_text=True)
    assert "<h1>Logging a kiln firing</h1>" in page
    assert "<title>Logging a kiln firing - Ada's workshop</title>" in page


def test_projects_link_into_the_blog_blueprint(client):
    page = client.get("/projects/").get_data(as_text=True)
    assert page.count('href="/blog/kiln-log/"') == 1
    assert "Loom pattern editor</li>" in page


def test_unknown_post_is_404(client):
    assert client.get("/blog/nope/").status_code == 404


def test_each_call_makes_a_new_app():
    first, second = create_app(), create_app({"SECRET_KEY": "x"})
    assert first is not second
    assert second.config["SECRET_KEY"] == "x"
    assert first.config["SECRET_KEY"] is None
