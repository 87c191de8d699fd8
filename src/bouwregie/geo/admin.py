from django.contrib import admin

from bouwregie.geo.models import Municipality, MunicipalityMerger, Province, Region


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    exclude = ["geometry"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    list_filter = ["province"]
    search_fields = ["code", "name"]
    exclude = ["geometry"]


@admin.register(MunicipalityMerger)
class MunicipalityMergerAdmin(admin.ModelAdmin):
    list_display = ["former_code", "former_name", "successor", "date"]
    search_fields = ["former_name", "former_code"]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind"]
    filter_horizontal = ["municipalities"]
    raw_id_fields = ["projects"]
