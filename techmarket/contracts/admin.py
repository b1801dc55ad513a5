from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from techmarket.audit.admin import AuditedModelAdmin

from .models import ContractParty, ContractType, Deduction, Instalment, Payment, TechContract


@admin.register(ContractType)
class ContractTypeAdmin(AuditedModelAdmin):
    list_display = ["type_name", "subtype_name", "legal_basis", "is_active", "sort_order"]
    list_editable = ["is_active", "sort_order"]


class PartyInline(admin.TabularInline):
    model = ContractParty
    extra = 0


class DeductionInline(admin.TabularInline):
    """Read-only: 技术交易额 is computed from the deductions by the service, so they change through the contract form."""

    model = Deduction
    extra = 0
    can_delete = False
    readonly_fields = ["item", "amount"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class InstalmentInline(admin.TabularInline):
    model = Instalment
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(TechContract)
class TechContractAdmin(AuditedModelAdmin):
    list_display = ["title", "contract_type", "signed_on", "total_amount", "technical_amount", "status"]
    list_filter = ["status", "contract_type"]
    search_fields = ["title", "registration_number", "contract_number"]
    # Amounts go through services.contract_update (技术交易额 = 成交额 − Σ 非技术性费用), never the admin.
    readonly_fields = ["total_amount", "technical_amount", "status", "version"]
    raw_id_fields = ["achievements", "owner"]
    inlines = [PartyInline, DeductionInline, InstalmentInline, PaymentInline]
