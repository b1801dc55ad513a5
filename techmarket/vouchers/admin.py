from django.contrib import admin

from .models import Voucher, VoucherBatch, VoucherUse


@admin.register(VoucherBatch)
class VoucherBatchAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "budget", "valid_from", "valid_until"]
    search_fields = ["name"]


@admin.register(Voucher)
class VoucherAdmin(admin.ModelAdmin):
    list_display = ["code", "holder", "amount", "balance", "valid_until", "status"]
    search_fields = ["code", "holder__name"]
    list_filter = ["status"]
    raw_id_fields = ["batch", "holder", "issued_by"]
    readonly_fields = ["balance"]  # only the services move a balance


@admin.register(VoucherUse)
class VoucherUseAdmin(admin.ModelAdmin):
    list_display = ["voucher", "provider", "amount", "status", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["voucher", "booking", "provider", "spent_by", "claimed_by", "settled_by"]
    readonly_fields = ["status", "amount"]
