from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from editorial.desk import views as desk_views
from newsroom import health


@require_GET
def healthz(request):
    status = health.check()
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", desk_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("desk/", include("editorial.desk.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("editorial.api.urls")),
]

handler400 = "editorial.api.errors.json_400"
handler404 = "editorial.api.errors.json_404"
handler500 = "editorial.api.errors.json_500"
