"""A shared folder: upload files, list them, download them, and stream a big report."""

import csv
import io
import os

from flask import (
    Flask,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    send_from_directory,
    stream_with_context,
    url_for,
)
from flask_wtf import CSRFProtect, FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from werkzeug.utils import secure_filename

csrf = CSRFProtect()


# --8<-- [start:form]
class UploadForm(FlaskForm):
    document = FileField(
        "A text or CSV file",
        validators=[FileRequired(), FileAllowed(["txt", "csv"], "Text and CSV files only.")],
    )


# --8<-- [end:form]


def create_app(test_config=None):
    app = Flask(__name__)
    # --8<-- [start:config]
    app.config.from_mapping(
        UPLOAD_FOLDER=os.path.join(app.instance_path, "uploads"),
        # Werkzeug refuses a larger request body with 413 before any view runs.
        # Tiny on purpose, so this chapter can show it; pick your own limit.
        MAX_CONTENT_LENGTH=4 * 1024,
    )
    # --8<-- [end:config]
    app.config.from_prefixed_env()  # FLASK_SECRET_KEY becomes SECRET_KEY
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: set FLASK_SECRET_KEY.")
    csrf.init_app(app)
    os.makedirs(app.config["UPLOAD_FOLDER"], exist_ok=True)

    # --8<-- [start:upload]
    @app.route("/files/", methods=["GET", "POST"])
    def files():
        form = UploadForm()
        folder = app.config["UPLOAD_FOLDER"]
        if form.validate_on_submit():
            upload = form.document.data  # a werkzeug FileStorage
            # The browser chose this name: make it a plain file name first.
            name = secure_filename(upload.filename)
            upload.save(os.path.join(folder, name))
            flash(f"Saved {upload.filename!r} as {name!r}.")
            return redirect(url_for("files"))
        stored = sorted(os.listdir(folder))
        return render_template("files.html", form=form, stored=stored)

    @app.get("/files/<path:name>")
    def download(name):
        # Only files inside the folder; a name with ../ gives 404.
        return send_from_directory(app.config["UPLOAD_FOLDER"], name)

    # --8<-- [end:upload]

    @app.errorhandler(413)
    def too_large(error):
        limit = app.config["MAX_CONTENT_LENGTH"] // 1024
        return render_template("too_large.html", limit=limit), 413

    # --8<-- [start:send_file]
    @app.get("/report.csv")
    def report():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["file", "bytes"])
        for name in sorted(os.listdir(app.config["UPLOAD_FOLDER"])):
            size = os.path.getsize(os.path.join(app.config["UPLOAD_FOLDER"], name))
            writer.writerow([name, size])
        data = io.BytesIO(buffer.getvalue().encode())
        # as_attachment: the browser saves it under download_name instead of showing it.
        return send_file(data, mimetype="text/csv", as_attachment=True, download_name="report.csv")

    # --8<-- [end:send_file]

    # --8<-- [start:stream]
    @app.get("/squares.csv")
    def squares():
        last = min(request.args.get("upto", 100_000, type=int), 1_000_000)

        @stream_with_context
        def rows():
            yield "n,square\n"
            for n in range(1, last + 1):  # 100,000 rows: about 1.6 MB, never in memory at once
                yield f"{n},{n * n}\n"

        # A generator as the body: Flask sends each piece as it is made.
        return app.response_class(rows(), mimetype="text/csv")

    # --8<-- [end:stream]

    return app
