from django.urls import path

import newsroom.converters  # noqa: F401 - registers <id:>

from . import feeds, published, reports, snapshots, targets, views, xliff

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="api-token"),
    path("articles/", views.ArticleListView.as_view(), name="api-articles"),
    path("articles/<id:article_id>/", views.ArticleDetailView.as_view(), name="api-article"),
    path("articles/<id:article_id>/actions/<str:action>/", views.ArticleActionView.as_view(), name="api-action"),
    path("articles/<id:article_id>/segments/<id:segment_id>/", views.SegmentView.as_view(), name="api-segment"),
    path("articles/<id:article_id>/history/", views.HistoryView.as_view(), name="api-history"),
    path("articles/<id:article_id>/history/<id:revision_id>/", views.RevisionView.as_view(),
         name="api-revision"),
    path("articles/<id:article_id>/history/<id:revision_id>/revert/", views.RevertView.as_view(),
         name="api-revert"),
    path("articles/<id:article_id>/diff/", views.DiffView.as_view(), name="api-diff"),
    path("articles/<id:article_id>/xliff/", xliff.ArticleXliffView.as_view(), name="api-xliff"),
    path("articles/<id:article_id>/segments/<id:segment_id>/overrides/", views.OverrideView.as_view(),
         name="api-override"),
    path("articles/<id:article_id>/snapshots/", snapshots.SnapshotListView.as_view(), name="api-snapshots"),
    path("articles/<id:article_id>/snapshots/<id:snapshot_id>/raw/", snapshots.SnapshotRawView.as_view(),
         name="api-snapshot-raw"),
    path("articles/<id:article_id>/watch/check/", snapshots.WatchCheckView.as_view(), name="api-watch-check"),
    path("articles/<id:article_id>/watch/", snapshots.WatchSwitchView.as_view(), name="api-watch"),
    path("articles/<id:article_id>/watch/decision/", snapshots.WatchDecisionView.as_view(),
         name="api-watch-decision"),
    path("memory/", views.MemoryView.as_view(), name="api-memory"),
    path("jobs/<id:job_id>/", views.JobView.as_view(), name="api-job"),
    path("jobs/<id:job_id>/retry/", views.JobRetryView.as_view(), name="api-job-retry"),
    path("mt/", views.MachineTranslationView.as_view(), name="api-mt"),
    path("published/", published.PublishedListView.as_view(), name="api-published"),
    path("published/<slug:slug>/", published.PublishedDetailView.as_view(), name="api-published-article"),
    path("users/", views.UserListView.as_view(), name="api-users"),
    path("users/<id:user_id>/", views.UserDetailView.as_view(), name="api-user"),
    path("targets/", targets.TargetListView.as_view(), name="api-targets"),
    path("targets/<id:target_id>/", targets.TargetDetailView.as_view(), name="api-target"),
    path("targets/<id:target_id>/check/", targets.TargetCheckView.as_view(), name="api-target-check"),
    path("feeds/", feeds.FeedListView.as_view(), name="api-feeds"),
    path("feeds/<id:feed_id>/", feeds.FeedDetailView.as_view(), name="api-feed"),
    path("feeds/<id:feed_id>/poll/", feeds.FeedPollView.as_view(), name="api-feed-poll"),
    path("reports/post-editing/", reports.PostEditingReportView.as_view(), name="api-reports-post-editing"),
]
