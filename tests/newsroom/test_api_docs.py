"""The OpenAPI schema and the docs page are served, and the docs work offline."""

import pytest

pytestmark = pytest.mark.django_db


def test_schema_describes_the_api(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/articles/", "/api/v1/articles/{article_id}/actions/{action}/",
                 "/api/v1/articles/{article_id}/segments/{segment_id}/", "/api/v1/jobs/{job_id}/",
                 "/api/v1/auth/token/", "/api/v1/users/"):
        assert path in schema["paths"], path


def test_docs_page_loads_its_assets_from_this_server(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn.jsdelivr.net" not in html and "unpkg.com" not in html
