from django.contrib import admin

from bouwregie.accounts.models import Membership, Organisation, ProjectParty


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "province", "municipality"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(ProjectParty)
class ProjectPartyAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "role", "added_at"]
    list_filter = ["role"]
    search_fields = ["project__code", "organisation__name"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["project"]
