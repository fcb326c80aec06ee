from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studymarket.catalog.selectors import listing_search_basic
from studymarket.catalog.views import listing_page

# Longer input is cut, not refused: people paste whole sentences into search boxes.
QUERY_MAX_LENGTH = 200


def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:QUERY_MAX_LENGTH]
    page_obj = listing_page(request, listing_search_basic(query=query)) if query else None
    return render(request, "storefront/search.html", {"query": query, "page_obj": page_obj})
