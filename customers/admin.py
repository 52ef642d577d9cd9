from django.contrib import admin

from customers.models import Company, Customer, CustomerEmail, CustomerPhone


class CustomerEmailInline(admin.TabularInline):
    model = CustomerEmail
    extra = 0


class CustomerPhoneInline(admin.TabularInline):
    model = CustomerPhone
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["__str__", "company", "locale", "last_activity_at"]
    search_fields = ["name", "first_name", "last_name", "emails__email"]
    list_select_related = ["company"]
    inlines = [CustomerEmailInline, CustomerPhoneInline]
    raw_id_fields = ["company"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
