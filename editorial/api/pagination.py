from rest_framework.pagination import PageNumberPagination

from editorial.errors import Refused


class Pagination(PageNumberPagination):
    """?page=N and ?page_size=1..100; a page size that is not one of those is refused, as the schema says."""

    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is not None and not (value.isascii() and value.isdigit() and int(value) >= 1):
            message = "page must be a whole number from 1."
            raise Refused(400, "invalid", message, {"page": [message]})
        return super().get_page_number(request, paginator)

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        value = values[-1]
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= self.max_page_size):
            message = f"page_size must be a whole number from 1 to {self.max_page_size}."
            raise Refused(400, "invalid", message, {"page_size": [message]})
        return int(value)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"]["minimum"] = 1
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
