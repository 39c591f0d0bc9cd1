"""Source feeds in the API (admins): register, list, change, remove, and poll now; editors switch their watch."""

from django.core.validators import URLValidator
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import feeds, watch
from editorial.errors import Refused
from editorial.models import SourceFeed

from .permissions import Needs
from .serializers import StrictBooleanField, StrictCharField, first_source_language, validate_source_language
from .views import _valid


class FeedInput(serializers.Serializer):
    """A feed to register; with partial=True, the fields to change."""

    name = StrictCharField(max_length=200)
    url = StrictCharField(max_length=1000, validators=[
        URLValidator(schemes=["http", "https"], message="Give the feed's full http:// or https:// address."),
    ])
    language = StrictCharField(max_length=12, default=first_source_language, validators=[validate_source_language])
    default_keywords = serializers.ListField(child=StrictCharField(max_length=100), default=list, max_length=20)
    auto_draft = StrictBooleanField(default=False)
    active = StrictBooleanField(default=True)
    watch = StrictBooleanField(default=True)


class FeedOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()
    language = serializers.CharField()
    default_keywords = serializers.ListField(child=serializers.CharField())
    auto_draft = serializers.BooleanField()
    active = serializers.BooleanField()
    watch = serializers.BooleanField()
    created_by = serializers.CharField(source="created_by.username")
    created_at = serializers.DateTimeField()
    last_polled_at = serializers.DateTimeField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)


def _feed_or_404(feed_id: int) -> SourceFeed:
    feed = SourceFeed.objects.select_related("created_by").filter(pk=feed_id).first()
    if feed is None:
        raise Refused(404, "not_found", f"There is no feed {feed_id}.")
    return feed


class FeedListView(GenericAPIView):
    permission_classes = [Needs("manage_team")]
    serializer_class = FeedOut

    @extend_schema(operation_id="feeds_list", responses=FeedOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(SourceFeed.objects.select_related("created_by"))
        return self.get_paginated_response(FeedOut(page, many=True).data)

    @extend_schema(request=FeedInput, responses={201: FeedOut})
    def post(self, request):
        feed = feeds.register(user=request.user, **_valid(FeedInput, request.data))
        return Response(FeedOut(feed).data, status=status.HTTP_201_CREATED)


class FeedDetailView(APIView):
    permission_classes = [Needs("manage_team")]
    @extend_schema(responses=FeedOut)
    def get(self, request, feed_id):
        return Response(FeedOut(_feed_or_404(feed_id)).data)

    @extend_schema(request=FeedInput(partial=True), responses=FeedOut)
    def patch(self, request, feed_id):
        _feed_or_404(feed_id)
        feed = feeds.change(feed_id, **_valid(FeedInput, request.data, partial=True))
        return Response(FeedOut(feed).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, feed_id):
        _feed_or_404(feed_id)
        feeds.remove(feed_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class FeedPollView(APIView):
    permission_classes = [Needs("manage_team")]
    @extend_schema(request=None, responses={202: FeedOut})
    def post(self, request, feed_id):
        feed = _feed_or_404(feed_id)
        feeds.queue_poll(feed.pk)
        return Response(FeedOut(feed).data, status=status.HTTP_202_ACCEPTED)


class FeedWatchInput(serializers.Serializer):
    watch = StrictBooleanField()


class FeedWatchView(APIView):
    """The watch on the originals of a feed's articles, on or off (editors and admins)."""

    permission_classes = [Needs("switch_watch")]

    @extend_schema(request=FeedWatchInput, responses=FeedOut)
    def post(self, request, feed_id):
        feed = watch.switch_feed(feed_id, _valid(FeedWatchInput, request.data)["watch"])
        return Response(FeedOut(feed).data)
