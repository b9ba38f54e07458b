from django.contrib import admin
from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from catalog.api import GPUViewSet, LLMViewSet, QuantFormatViewSet
from config.health import healthz, readyz
from planner.api import GPUModelsView, LookupJobView, LookupView, ModelGPUsView, PlanView


class FaviconRedirect(RedirectView):
    """The static URL is read per request: at import time the production manifest may not exist yet
    (``manage.py check`` and ``collectstatic`` itself import the URLconf before it is written)."""

    permanent = True

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.svg")


router = DefaultRouter()
router.register("models", LLMViewSet, basename="model")
router.register("gpus", GPUViewSet, basename="gpu")
router.register("quantizations", QuantFormatViewSet, basename="quantization")

api_v1 = [
    path("models/lookup/", LookupView.as_view(), name="model-lookup"),
    path("models/lookup/<uuid:pk>/", LookupJobView.as_view(), name="model-lookup-job"),
    path("models/<slug:slug>/gpus/", ModelGPUsView.as_view(), name="model-gpus"),
    path("gpus/<slug:slug>/models/", GPUModelsView.as_view(), name="gpu-models"),
    path("plan/", PlanView.as_view(), name="plan"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    *router.urls,
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Browsers and crawlers ask for /favicon.ico whatever the page links: send them to the SVG.
    path("favicon.ico", FaviconRedirect.as_view(), name="favicon"),
    path("readyz", readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("planner.urls")),
]


def handler404(request, exception=None):
    """JSON for API paths, the site's 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if request.headers.get("HX-Request"):  # swapped into part of a page: a message, not a second page
        return HttpResponse('<p class="errors" role="alert">Not found: it may have been removed.</p>', status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
