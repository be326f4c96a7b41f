from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI()

BOOKS = {1: {"id": 1, "title": "Dune", "year": 1965}}


class NewBook(BaseModel):
    title: str = Field(min_length=1)
    year: int


@app.get("/api/books/{book_id}")
def get_book(book_id: int):
    if book_id not in BOOKS:
        raise HTTPException(status_code=404, detail=f"There is no book {book_id}.")
    return BOOKS[book_id]


@app.post("/api/books", status_code=201)
def create_book(new_book: NewBook):
    book = {"id": max(BOOKS) + 1, **new_book.model_dump()}
    BOOKS[book["id"]] = book
    return book
