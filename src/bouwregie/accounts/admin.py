from django.contrib import admin

from bouwregie.accounts.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]
