from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from editorial.desk import account as account_views
from editorial.desk import views as desk_views
from editorial.public import syndication
from editorial.public import views as public
from editorial.public.cache import cached_page
from newsroom import health


@require_GET
def healthz(request):
    status = health.check()
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(status, status=200 if healthy else 503)


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("login/", desk_views.LoginView.as_view(), name="login"),
    path("login/code/", account_views.sign_in_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("editorial.desk.account_urls")),
    path("desk/", include("editorial.desk.urls")),
    # The admin site signs in through the desk's page, behind the same lockout.
    path("admin/login/", desk_views.admin_login, name="admin-login"),
    path("admin/", admin.site.urls),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include("editorial.api.urls")),
    # The public site.
    path("", public.index, name="public-index"),
    path("keywords/<str:name>/", public.keyword, name="public-keyword"),
    path("articles/<slug:slug>/", public.article, name="public-article"),
    path("feed/", syndication.rss, name="public-rss"),
    path("feed/atom/", syndication.atom, name="public-atom"),
    path("sitemap.xml", cached_page(sitemap_view), {"sitemaps": {"articles": syndication.ArticleSitemap}},
         name="django.contrib.sitemaps.views.sitemap"),
    path("robots.txt", public.robots, name="robots"),
]

handler400 = "editorial.api.errors.json_400"
handler404 = "editorial.api.errors.json_404"
handler500 = "editorial.api.errors.json_500"
