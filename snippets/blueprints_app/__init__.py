from flask import Flask, render_template

from .blog.views import blog
from .projects.views import projects


def create_app(test_config=None):
    app = Flask(__name__)
    if test_config:
        app.config.update(test_config)

    app.register_blueprint(blog)
    app.register_blueprint(projects)

    @app.get("/")
    def home():
        return render_template("home.html")

    return app
