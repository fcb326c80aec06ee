"""The seller's pages, under /verkopen/ (config/urls.py)."""

from django.urls import path

from studymarket.selling import bundle_views, info_views, statement_views, views

app_name = "selling"
urlpatterns = [
    path("", views.dashboard, name="sell_dashboard"),
    path("uploaden/", views.upload, name="sell_upload"),
    path("documenten/<int:pk>/", views.document_detail, name="sell_document"),
    path("documenten/<int:pk>/status/", views.document_status, name="sell_status"),
    path("documenten/<int:pk>/nieuwe-versie/", views.new_version, name="sell_new_version"),
    path("documenten/<int:pk>/opnieuw-verwerken/", views.retry, name="sell_retry"),
    path("documenten/<int:pk>/verwijderen/", views.delete, name="sell_delete"),
    path("prijs/", views.price_preview, name="sell_price"),
    # Bundles of the seller's listings (issue 17, slice "bundles").
    path("bundels/", bundle_views.bundle_list, name="sell_bundles"),
    path("bundels/nieuw/", bundle_views.bundle_new, name="sell_bundle_new"),
    path("bundels/<int:pk>/", bundle_views.bundle_edit, name="sell_bundle"),
    # For visitors too: what selling means, before signing in.
    path("zo-werkt-het/", info_views.sell_info, name="sell_info"),
    path("zo-werkt-het/prijs/", info_views.sell_info_price, name="sell_info_price"),
    path("zoeken/vakken/", views.course_suggestions, name="sell_courses"),
    path("zoeken/instellingen/", views.institution_suggestions, name="sell_institutions"),
    path("zoeken/opleidingen/", views.programme_suggestions, name="sell_programmes"),
    path("zoeken/boek/", views.book_lookup, name="sell_book"),
    # The yearly earnings statement (slice "seller-identity").
    path("jaaroverzicht/", statement_views.statement, name="sell_statement"),
    path("jaaroverzicht/<int:year>/pdf/", statement_views.statement_pdf, name="sell_statement_pdf"),
    path("jaaroverzicht/<int:year>/csv/", statement_views.statement_csv, name="sell_statement_csv"),
]
