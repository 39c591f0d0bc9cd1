from django.urls import path

import newsroom.converters  # noqa: F401 - registers <id:>

from . import glossary, incoming, reports, views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_article, name="new"),
    path("incoming/", incoming.page, name="incoming"),
    path("incoming/<id:article_id>/take/", incoming.take, name="incoming-take"),
    path("incoming/<id:article_id>/decline/", incoming.decline, name="incoming-decline"),
    path("articles/", views.articles, name="articles"),
    path("articles/<id:article_id>/", views.workspace, name="article"),
    path("articles/<id:article_id>/actions/<str:action>/", views.take_action, name="action"),
    path("articles/<id:article_id>/details/", views.save_details, name="details"),
    path("articles/<id:article_id>/segments/<id:segment_id>/matches/", views.segment_matches, name="matches"),
    path("articles/<id:article_id>/segments/<id:segment_id>/override/", views.override_check, name="override"),
    path("articles/<id:article_id>/segments/<id:segment_id>/history/", views.segment_history,
         name="segment-history"),
    path("articles/<id:article_id>/comments/", views.add_comment, name="comment"),
    path("articles/<id:article_id>/replace/", views.replace, name="replace"),
    path("articles/<id:article_id>/deadline/", views.deadline, name="deadline"),
    path("articles/<id:article_id>/original/check/", views.check_original, name="check-original"),
    path("articles/<id:article_id>/original/sync/", views.sync_original, name="sync-original"),
    path("articles/<id:article_id>/original/decision/", views.decide_original, name="decide-original"),
    path("articles/<id:article_id>/original/watch/", views.switch_watch, name="switch-watch"),
    path("articles/<id:article_id>/segments/<id:segment_id>/confirm/", views.confirm_segment,
         name="confirm-segment"),
    path("articles/<id:article_id>/presence/", views.presence, name="presence"),
    path("articles/<id:article_id>/concordance/", views.concordance, name="concordance"),
    path("articles/<id:article_id>/history/", views.revisions, name="history"),
    path("articles/<id:article_id>/compare/", views.compare, name="compare"),
    path("articles/<id:article_id>/history/<id:revision_id>/revert/", views.revert, name="revert"),
    path("jobs/<id:job_id>/", views.job_progress, name="job"),
    path("jobs/<id:job_id>/retry/", views.retry_job, name="retry-job"),
    path("glossary/", glossary.page, name="glossary"),
    path("glossary/<id:term_id>/delete/", glossary.delete, name="glossary-delete"),
    path("glossary/export.csv", glossary.export, name="glossary-export"),
    path("glossary/import/", glossary.import_csv, name="glossary-import"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("team/", views.team, name="team"),
    path("team/<id:user_id>/", views.team_member, name="team-member"),
    path("team/<id:user_id>/reset/", views.send_reset, name="team-reset"),
    path("team/publication/", views.publication, name="publication"),
    path("team/engine/", views.test_engine, name="test-engine"),
    path("team/targets/", views.add_target, name="add-target"),
    path("team/targets/<id:target_id>/", views.target_action, name="target"),
    path("reports/", reports.post_editing, name="reports"),
    path("reports/post-editing.csv", reports.post_editing_csv, name="reports-csv"),
]
