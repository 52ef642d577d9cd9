"""A URLconf that mounts the project under /elsewhere/, for tests of URLs keyed by URLconf."""

from django.urls import include, path

urlpatterns = [path("elsewhere/", include("kustomer_clone.urls"))]
