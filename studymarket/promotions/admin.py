"""Discount codes in the admin (/beheer/): staff see every code with its uses, make platform
campaigns (no seller: the platform pays for them) and switch codes off, all through the services."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from studymarket.accounts.models import User
from studymarket.core.admin import ReadOnlyAdmin
from studymarket.core.errors import ApplicationError
from studymarket.promotions.codes import code_normalise, code_well_formed
from studymarket.promotions.models import DiscountCode, DiscountKind, DiscountRedemption
from studymarket.promotions.selectors import ACTIVE_ORDER_STATUSES
from studymarket.promotions.services import discount_code_create, discount_code_disable


class CampaignForm(forms.ModelForm):
    """A platform campaign: every document, paid for by the platform."""

    class Meta:
        model = DiscountCode
        fields = ("code", "kind", "percent", "amount_cents", "valid_from", "valid_until", "max_uses")
        help_texts = {
            "code": gettext_lazy("6 tot 20 letters en cijfers; leeg: we maken een code van 10 tekens.")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False

    def clean_code(self) -> str:
        code = code_normalise(self.cleaned_data.get("code") or "")
        if code and not code_well_formed(code):
            raise forms.ValidationError(
                _("Een code heeft 6 tot 20 letters en cijfers, zonder spaties of tekens.")
            )
        if code and DiscountCode.objects.filter(code=code).exists():
            raise forms.ValidationError(_("Deze code bestaat al. Kies een andere."))
        return code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == DiscountKind.PERCENT and data.get("percent") is None:
            self.add_error("percent", _("Vul het percentage in, bijvoorbeeld 10."))
        if kind == DiscountKind.AMOUNT and data.get("amount_cents") is None:
            self.add_error("amount_cents", _("Vul het bedrag in centen in, bijvoorbeeld 250."))
        if kind == DiscountKind.PERCENT:
            data["amount_cents"] = None
        elif kind == DiscountKind.AMOUNT:
            data["percent"] = None
        return data

    def _post_clean(self) -> None:
        # The model's checks run in discount_code_create; the code is still empty when generated.
        pass


class RedemptionInline(admin.TabularInline):
    model = DiscountRedemption
    fields = ("created_at", "buyer", "order", "total_cents")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DiscountCode)
class DiscountCodeAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "seller",
        "kind",
        "percent",
        "amount_cents",
        "valid_from",
        "valid_until",
        "max_uses",
        "uses",
        "disabled_at",
    )
    list_filter = ("kind", ("seller", admin.EmptyFieldListFilter))
    search_fields = ("code", "seller__display_name")
    list_select_related = ("seller",)
    inlines = (RedemptionInline,)
    actions = ("disable",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[DiscountCode]:
        queryset: QuerySet[DiscountCode] = super().get_queryset(request)
        return queryset.annotate(
            active_uses=Count("redemptions", filter=Q(redemptions__order__status__in=ACTIVE_ORDER_STATUSES))
        )

    @admin.display(description=gettext_lazy("gebruikt"), ordering="active_uses")
    def uses(self, obj: DiscountCode) -> int:
        return int(obj.active_uses)  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else self.inlines  # a new campaign has no uses yet

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CampaignForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return CampaignForm.Meta.fields
        return super().get_fields(request, obj)

    def save_model(self, request: HttpRequest, obj: DiscountCode, form: Any, change: bool) -> None:
        """A new platform campaign, made by the service (which audits it)."""
        assert not change
        assert isinstance(request.user, User)
        data = form.cleaned_data
        made = discount_code_create(
            seller=None,
            created_by=request.user,
            code=data["code"],
            kind=data["kind"],
            percent=data["percent"],
            amount_cents=data["amount_cents"],
            valid_from=data["valid_from"],
            valid_until=data["valid_until"],
            max_uses=data["max_uses"],
        )
        obj.pk, obj.code, obj.created_at = made.pk, made.code, made.created_at

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        pass  # a campaign covers every document; nothing else to save

    @admin.action(description=gettext_lazy("Geselecteerde codes uitzetten"))
    def disable(self, request: HttpRequest, queryset: QuerySet[DiscountCode]) -> None:
        assert isinstance(request.user, User)
        count = 0
        for code in queryset:
            try:
                discount_code_disable(code_id=code.pk, seller=code.seller, actor=request.user)
            except ApplicationError as error:
                messages.error(request, error.message)
            else:
                count += 1
        messages.success(request, _("Codes uitgezet: %(count)d.") % {"count": count})
