from django.urls import path

from . import views

app_name = "desk"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_article, name="new"),
    path("articles/<int:article_id>/", views.workspace, name="article"),
    path("articles/<int:article_id>/actions/<str:action>/", views.take_action, name="action"),
    path("articles/<int:article_id>/details/", views.save_details, name="details"),
    path("articles/<int:article_id>/comments/", views.add_comment, name="comment"),
    path("articles/<int:article_id>/history/", views.revisions, name="history"),
    path("articles/<int:article_id>/compare/", views.compare, name="compare"),
    path("articles/<int:article_id>/history/<int:revision_id>/revert/", views.revert, name="revert"),
    path("jobs/<int:job_id>/", views.job_progress, name="job"),
    path("jobs/<int:job_id>/retry/", views.retry_job, name="retry-job"),
    path("team/", views.team, name="team"),
    path("team/<int:user_id>/", views.team_member, name="team-member"),
    path("team/publication/", views.publication, name="publication"),
]
