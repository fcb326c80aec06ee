from django.urls import path

from studymarket.support import leak_views, views
from studymarket.support.money import approval_views, report_views
from studymarket.support.money import views as money_views

app_name = "support"
urlpatterns = [
    path("uploads/", views.upload_queue, name="upload_queue"),
    path("uploads/<int:version_id>/", views.upload_review, name="upload_review"),
    path("uploads/<int:version_id>/besluit/", views.upload_decide, name="upload_decide"),
    path("lekken/", leak_views.leak_trace_page, name="leak_trace"),
    # The money back office. Dutch path segments: none of them is an app label, so nothing here
    # hides a page of Django's admin, which is mounted at beheer/ after these (config/urls.py).
    # The one exception is on purpose: this dashboard answers beheer/ itself, and links the
    # admin's raw data pages.
    path("", money_views.dashboard, name="dashboard"),
    path("bestellingen/", money_views.order_list, name="order_list"),
    path("bestellingen/<str:number>/", money_views.order_detail, name="order_detail"),
    path("terugbetalingen/", money_views.refund_queue, name="refund_queue"),
    path("terugbetalingen/<int:request_id>/besluit/", money_views.refund_decide, name="refund_decide"),
    path("uitbetalingen/", money_views.payout_queue, name="payout_queue"),
    path("uitbetalingen/mislukt/", money_views.payout_failed, name="payout_failed"),
    path("uitbetalingen/bestand/", money_views.payout_batch_make, name="payout_batch_create"),
    path(
        "uitbetalingen/bestand/<int:batch_id>/",
        money_views.payout_batch_download,
        name="payout_batch_download",
    ),
    path("uitbetalingen/<int:payout_id>/betaald/", money_views.payout_paid, name="payout_paid"),
    path("uitbetalingen/<int:payout_id>/mislukt/", money_views.payout_fail, name="payout_fail"),
    path("uitbetalingen/<int:payout_id>/voorstellen/", approval_views.payout_propose, name="payout_propose"),
    # Two staff approvals (ledger.approvals): proposals above the threshold wait here.
    path("goedkeuringen/", approval_views.approval_queue, name="approval_queue"),
    path("goedkeuringen/<int:approval_id>/besluit/", approval_views.approval_decide, name="approval_decide"),
    path("grootboek/", money_views.ledger_status, name="ledger_status"),
    path("grootboek/controleren/", money_views.ledger_check_now, name="ledger_check"),
    path("grootboek/correctie/", money_views.adjustment, name="adjustment"),
    path("rapporten/", report_views.report_index, name="reports"),
    path("rapporten/btw/", report_views.report_vat, name="report_vat"),
    path("rapporten/btw.csv", report_views.report_vat_csv, name="report_vat_csv"),
    path("rapporten/omzet/", report_views.report_revenue, name="report_revenue"),
    path("rapporten/omzet.csv", report_views.report_revenue_csv, name="report_revenue_csv"),
    path("rapporten/verkopers/", report_views.report_payables, name="report_payables"),
    path("rapporten/verkopers.csv", report_views.report_payables_csv, name="report_payables_csv"),
]
