from snippets.hello.app import app


def test_home_page_greets_the_reader():
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert b"<h1>Hello, Flask!</h1>" in response.data


def test_unknown_page_is_404():
    assert app.test_client().get("/nope").status_code == 404
