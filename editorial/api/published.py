"""The public JSON API: what the site shows, with the disclaimer and the source credit."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from editorial.errors import Refused
from editorial.public.views import live_versions


class PublishedSourceOut(serializers.Serializer):
    outlet = serializers.CharField(source="source_outlet")
    author = serializers.CharField(source="source_author")
    url = serializers.CharField(source="source_url")
    published_at = serializers.DateTimeField(source="source_published_at", allow_null=True)
    language = serializers.CharField(source="source_language")
    # The original this version was translated from: when it was retrieved and the SHA-256 of its bytes.
    retrieved_at = serializers.DateTimeField(source="snapshot.retrieved_at", default=None, allow_null=True)
    sha256 = serializers.CharField(source="snapshot.sha256", default=None, allow_null=True)
    # The other outlets that told the story, named when the editors chose to credit them.
    also_reported_by = serializers.ListField(child=serializers.CharField())
    # Set when the outlet removed the original after publication and the newsroom kept the page (with a note).
    removed_at = serializers.DateTimeField(source="original_removed_at", allow_null=True)


class PublishedSummaryOut(serializers.Serializer):
    slug = serializers.CharField()
    url = serializers.SerializerMethodField()
    headline = serializers.CharField()
    standfirst = serializers.CharField()
    published_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField(source="created_at")
    keywords = serializers.ListField(child=serializers.CharField(), source="keyword_names")
    source = PublishedSourceOut(source="*")
    credit = serializers.CharField()
    corrections = serializers.ListField(child=serializers.DictField())
    disclaimer = serializers.CharField()

    def get_url(self, version) -> str:
        return version.get_absolute_url()


class PublishedOut(PublishedSummaryOut):
    body = serializers.ListField(child=serializers.DictField())


class PublishedListView(GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PublishedSummaryOut

    @extend_schema(operation_id="published_list", responses=PublishedSummaryOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(live_versions().select_related("snapshot"))
        return self.get_paginated_response(PublishedSummaryOut(page, many=True).data)


class PublishedDetailView(GenericAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    serializer_class = PublishedOut

    def get(self, request, slug):
        version = live_versions().select_related("snapshot").filter(slug=slug).first()
        if version is None:
            raise Refused(404, "not_found", "No published article has this address.")
        return Response(PublishedOut(version).data)
