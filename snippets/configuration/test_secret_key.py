import pytest

from snippets.configuration.app import create_app


def test_production_refuses_to_start_without_a_key(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_CONFIG", raising=False)  # means production
    monkeypatch.delenv("FLASK_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY is not set"):
        create_app(instance_path=tmp_path)


def test_the_key_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("FLASK_CONFIG", raising=False)
    monkeypatch.setenv("FLASK_SECRET_KEY", "a-long-random-value")
    app = create_app(instance_path=tmp_path)
    assert app.config["SECRET_KEY"] == "a-long-random-value"
    report = app.test_client().get("/settings")
    assert report.json["CONFIG_NAME"] == "production"
    assert "a-long-random-value" not in report.get_data(as_text=True)
