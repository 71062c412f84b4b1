"""The REST API (/api/v1/): its common base, shared by every app's ``api`` module.

Authentication, tenancy and roles, conditional writes (ETag / If-Match), the error shape, pagination,
ordering, throttling and the OpenAPI schema live here; each app declares its serializers and viewsets
in its own ``api`` module, and ``urls`` routes them all.
"""
