"""Django's admin app with our default site (studymarket.accounts.admin_site): the admin of every
app registers on it through django.contrib.admin.site as usual. Named in INSTALLED_APPS in place
of "django.contrib.admin"."""

from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    default_site = "studymarket.accounts.admin_site.StaffAdminSite"
