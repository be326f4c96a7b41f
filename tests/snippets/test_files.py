import csv
import io
import re
from pathlib import Path

import pytest

from snippets.files.app import create_app

SAMPLES = Path(__file__).parents[2] / "snippets" / "files" / "samples"


@pytest.fixture
def app(tmp_path):
    return create_app({"SECRET_KEY": "test-key", "UPLOAD_FOLDER": str(tmp_path / "up")})


@pytest.fixture
def client(app):
    return app.test_client()


def upload(client, content, filename):
    page = client.get("/files/").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)[1]
    data = {"csrf_token": token, "document": (io.BytesIO(content), filename)}
    return client.post("/files/", data=data, content_type="multipart/form-data")


def test_an_upload_is_saved_under_a_safe_name_and_can_be_downloaded(client, tmp_path):
    response = upload(client, b"hello", "../../notes for Ada.txt")
    assert response.headers["Location"] == "/files/"
    page = client.get("/files/").text
    assert "Saved &#39;../../notes for Ada.txt&#39; as &#39;notes_for_Ada.txt&#39;." in page
    assert 'href="/files/notes_for_Ada.txt"' in page
    assert (tmp_path / "up" / "notes_for_Ada.txt").read_bytes() == b"hello"
    with client.get("/files/notes_for_Ada.txt") as download:
        assert download.data == b"hello"


def test_the_empty_folder_says_so(client):
    assert "No files yet." in client.get("/files/").text


@pytest.mark.parametrize(
    ("content", "filename", "error"),
    [(b"MZ", "tool.exe", "Text and CSV files only."), (b"", "", "This field is required.")],
)
def test_a_refused_upload_shows_why(client, content, filename, error):
    response = upload(client, content, filename)
    assert response.status_code == 200
    assert error in response.text


def test_a_body_over_the_limit_gets_413(client):
    big = (SAMPLES / "big.csv").read_bytes()
    assert len(big) > 4 * 1024
    response = upload(client, big, "big.csv")
    assert response.status_code == 413
    assert "up to 4 KB" in response.text


@pytest.mark.parametrize("name", ["../app.py", "missing.txt"])
def test_only_files_in_the_folder_are_served(client, name):
    assert client.get(f"/files/{name}").status_code == 404


def test_the_report_is_an_attachment_listing_every_file(client):
    upload(client, b"12345", "a.txt")
    response = client.get("/report.csv")
    assert response.headers["Content-Disposition"] == "attachment; filename=report.csv"
    assert list(csv.reader(io.StringIO(response.text))) == [["file", "bytes"], ["a.txt", "5"]]


def test_the_squares_are_streamed(client):
    response = client.get("/squares.csv")
    assert response.is_streamed
    assert "Content-Length" not in response.headers
    lines = response.text.splitlines()
    assert lines[:3] == ["n,square", "1,1", "2,4"]
    assert lines[-1] == "100000,10000000000"
    assert round(len(response.data) / 1_000_000, 1) == 1.6  # "about 1.6 MB", says app.py


def test_the_app_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app()


def test_the_stream_stops_where_asked_within_a_limit(client):
    assert client.get("/squares.csv?upto=3").text == "n,square\n1,1\n2,4\n3,9\n"
    lines = client.get("/squares.csv?upto=5000000").text.splitlines()
    assert len(lines) == 1_000_001
