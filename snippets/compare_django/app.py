import json

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_GET, require_POST

# A whole Django project in one module: settings, views and URLs.
if not settings.configured:  # settings can be configured once per process
    settings.configure(ROOT_URLCONF=__name__)

BOOKS = {1: {"id": 1, "title": "Dune", "year": 1965}}


@require_GET
def get_book(request, book_id):
    if book_id not in BOOKS:
        return JsonResponse({"error": f"There is no book {book_id}."}, status=404)
    return JsonResponse(BOOKS[book_id])


@require_POST
def create_book(request):
    try:
        data = json.loads(request.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return JsonResponse({"error": "Send a JSON object."}, status=400)
    title, year = data.get("title"), data.get("year")
    if not isinstance(title, str) or not title:
        return JsonResponse({"error": "'title' must be a non-empty string."}, status=400)
    if not isinstance(year, int):
        return JsonResponse({"error": "'year' must be an integer."}, status=400)
    book = {"id": max(BOOKS) + 1, "title": title, "year": year}
    BOOKS[book["id"]] = book
    return JsonResponse(book, status=201)


urlpatterns = [
    path("api/books/<int:book_id>", get_book),
    path("api/books", create_book),
]

application = get_wsgi_application()
