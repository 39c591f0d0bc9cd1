from django.urls import path

from . import views

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("articles/", views.ArticleListView.as_view(), name="api-articles"),
    path("articles/<int:article_id>/", views.ArticleDetailView.as_view(), name="api-article"),
    path("articles/<int:article_id>/actions/<str:action>/", views.ArticleActionView.as_view(), name="api-action"),
    path("articles/<int:article_id>/segments/<int:segment_id>/", views.SegmentView.as_view(), name="api-segment"),
    path("articles/<int:article_id>/history/", views.HistoryView.as_view(), name="api-history"),
    path("articles/<int:article_id>/history/<int:revision_id>/", views.RevisionView.as_view(),
         name="api-revision"),
    path("articles/<int:article_id>/history/<int:revision_id>/revert/", views.RevertView.as_view(),
         name="api-revert"),
    path("articles/<int:article_id>/diff/", views.DiffView.as_view(), name="api-diff"),
    path("jobs/<int:job_id>/", views.JobView.as_view(), name="api-job"),
    path("jobs/<int:job_id>/retry/", views.JobRetryView.as_view(), name="api-job-retry"),
    path("users/", views.UserListView.as_view(), name="api-users"),
    path("users/<int:user_id>/", views.UserDetailView.as_view(), name="api-user"),
]
