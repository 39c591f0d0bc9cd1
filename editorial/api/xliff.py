"""API v1: an article as an XLIFF file for outside CAT tools, and the edited file back (editorial.xliff)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.response import Response
from rest_framework.views import APIView

from editorial import xliff
from translations.xliff import MEDIA_TYPE

from . import serializers as s
from .views import _article_response, _ensure_article, _readable_article


class XliffParser(BaseParser):
    """The body as raw bytes: the XLIFF reader, not the parser, judges whether it is a valid file."""

    media_type = MEDIA_TYPE

    def parse(self, stream, media_type=None, parser_context=None):
        return stream.read()


class XmlParser(XliffParser):
    media_type = "application/xml"


class TextXmlParser(XliffParser):
    media_type = "text/xml"


class FileOrJSON(DefaultContentNegotiation):
    """The export is the file itself and every other answer JSON, whatever the client's Accept header says."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ConflictOut(serializers.Serializer):
    segment = serializers.IntegerField()
    position = serializers.IntegerField()
    their_text = serializers.CharField()
    current_text = serializers.CharField(allow_null=True)
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.CharField(allow_null=True)
    version = serializers.IntegerField()


class XliffImportOut(serializers.Serializer):
    """The answer to an import, for the schema (the view renders the article exactly as GET does)."""

    updated = serializers.ListField(child=serializers.IntegerField())
    unchanged = serializers.IntegerField()
    conflicts = ConflictOut(many=True)
    article = s.ArticleOut()


class ArticleXliffView(APIView):
    parser_classes = [XliffParser, XmlParser, TextXmlParser]
    content_negotiation_class = FileOrJSON

    @extend_schema(responses={(200, MEDIA_TYPE): OpenApiTypes.BINARY})
    def get(self, request, article_id):
        article = _readable_article(request, article_id)
        response = HttpResponse(xliff.export(article), content_type=MEDIA_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{xliff.file_name(article.pk)}"'
        return response

    @extend_schema(
        request={media_type: OpenApiTypes.BINARY for media_type in (MEDIA_TYPE, "application/xml", "text/xml")},
        responses=XliffImportOut,
    )
    def put(self, request, article_id):
        _ensure_article(article_id)
        # An empty body reaches the view as an empty dict rather than bytes.
        data = request.data if isinstance(request.data, bytes) else b""
        result = xliff.import_translations(article_id, request.user, data)
        # The article exactly as GET renders it, whatever that grows to include.
        article = _article_response(request, article_id).data
        return Response({
            "updated": result.updated, "unchanged": result.unchanged, "conflicts": result.conflicts,
            "article": article,
        })
