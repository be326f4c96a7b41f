import pytest

from snippets.routing.app import create_app


@pytest.fixture
def client():
    return create_app({"TESTING": True}).test_client()


def test_home_links_to_every_recipe_and_shelf(client):
    page = client.get("/").text
    for number in (1, 2, 3):
        assert f'href="/recipes/{number}/"' in page
    for shelf in ("baking", "baking/bread", "soups"):
        assert f'href="/browse/{shelf}/"' in page


def test_int_converter_passes_an_int(client):
    response = client.get("/recipes/3/")
    assert response.status_code == 200
    assert "<h1>Leek soup</h1>" in response.text
    assert 'href="/tags/quick/"' in response.text


def test_int_converter_rejects_other_text(client):
    assert client.get("/recipes/one/").status_code == 404


def test_unknown_recipe_is_404(client):
    assert client.get("/recipes/99/").status_code == 404


def test_recipe_without_tags_says_so(client):
    assert "none" in client.get("/recipes/2/").text


def test_missing_trailing_slash_redirects_permanently(client):
    response = client.get("/recipes/1")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/recipes/1/")


def test_default_converter_matches_one_segment(client):
    page = client.get("/tags/vegan/").text
    assert "Sourdough loaf" in page
    assert "Leek soup" in page
    assert "Lemon cake" not in page
    assert client.get("/tags/a/b/").status_code == 404


def test_unknown_tag_lists_nothing(client):
    response = client.get("/tags/spicy/")
    assert response.status_code == 200
    assert "No recipes here yet." in response.text


@pytest.mark.parametrize(
    ("category", "titles"),
    [("baking", {"Lemon cake"}), ("baking/bread", {"Sourdough loaf"})],
)
def test_path_converter_takes_slashes_too(client, category, titles):
    page = client.get(f"/browse/{category}/").text
    shown = {title for title in ("Sourdough loaf", "Lemon cake", "Leek soup") if title in page}
    assert shown == titles


@pytest.mark.parametrize("category", ["bak", "baking/bre", "bread", "drinks"])
def test_unknown_category_is_404(client, category):
    assert client.get(f"/browse/{category}/").status_code == 404


def test_post_adds_a_suggestion_then_redirects_to_the_form(client):
    response = client.post("/suggest/", data={"dish": " Pea soup "})
    assert response.status_code == 302
    assert response.headers["Location"] == "/suggest/"
    assert "<li>Pea soup</li>" in client.get("/suggest/").text


def test_empty_suggestion_is_refused(client):
    response = client.post("/suggest/", data={"dish": "  "})
    assert response.status_code == 400
    assert "Give the dish a name." in response.text
    assert "Nothing yet." in response.text


def test_other_methods_are_not_allowed(client):
    response = client.delete("/suggest/")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_not_found_uses_the_custom_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<h1>Page not found</h1>" in response.text
    assert 'href="/"' in response.text


def test_each_app_has_its_own_suggestions():
    first, second = create_app().test_client(), create_app().test_client()
    first.post("/suggest/", data={"dish": "Pea soup"})
    assert "Pea soup" not in second.get("/suggest/").text
