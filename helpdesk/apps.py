"""Django admin, opened to operators whose role is admin. The app config lives apart from the
site (`helpdesk/admin_site.py`), which Django imports only once the models are loaded."""

from django.contrib.admin.apps import AdminConfig


class HelpdeskAdminConfig(AdminConfig):
    default_site = "helpdesk.admin_site.HelpdeskAdminSite"
