from flask import Flask, request

app = Flask(__name__)

BOOKS = {1: {"id": 1, "title": "Dune", "year": 1965}}


@app.get("/api/books/<int:book_id>")
def get_book(book_id):
    if book_id not in BOOKS:
        return {"error": f"There is no book {book_id}."}, 404
    return BOOKS[book_id]


@app.post("/api/books")
def create_book():
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return {"error": "Send a JSON object."}, 400
    title, year = data.get("title"), data.get("year")
    if not isinstance(title, str) or not title:
        return {"error": "'title' must be a non-empty string."}, 400
    if not isinstance(year, int):
        return {"error": "'year' must be an integer."}, 400
    book = {"id": max(BOOKS) + 1, "title": title, "year": year}
    BOOKS[book["id"]] = book
    return book, 201
