from flask import Blueprint, render_template

projects = Blueprint("projects", __name__, url_prefix="/projects", template_folder="templates")

PROJECTS = [
    {"name": "Kiln logger", "post": "kiln-log"},
    {"name": "Loom pattern editor", "post": None},
]


@projects.get("/")
def index():
    return render_template("projects/index.html", projects=PROJECTS)
