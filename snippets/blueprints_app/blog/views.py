from flask import Blueprint, abort, render_template

blog = Blueprint("blog", __name__, url_prefix="/blog", template_folder="templates")

POSTS = {
    "hello": {
        "title": "Hello, blueprints",
        "body": "This blog is one blueprint; the projects are another.",
    },
    "kiln-log": {
        "title": "Logging a kiln firing",
        "body": "A sensor writes the kiln's temperature once a minute.",
    },
}


@blog.get("/")
def index():
    return render_template("blog/index.html", posts=POSTS)


@blog.get("/<slug>/")
def post(slug):
    if slug not in POSTS:
        abort(404)
    return render_template("blog/post.html", post=POSTS[slug])
