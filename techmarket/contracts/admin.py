from django.contrib import admin

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
    model = Deduction
    extra = 0


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
    readonly_fields = ["technical_amount", "status", "version"]
    raw_id_fields = ["achievements", "owner"]
    inlines = [PartyInline, DeductionInline, InstalmentInline, PaymentInline]
