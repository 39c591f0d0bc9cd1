"""Token authentication with a lifetime (API_TOKEN_DAYS; the rule is editorial.credentials)."""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from editorial import credentials


class TokenExpired(exceptions.AuthenticationFailed):
    default_detail = "This token has expired: sign in again (POST /api/v1/auth/token/) for a new one."
    default_code = "token_expired"


class ExpiringTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if credentials.token_expired(token):
            token.delete()
            raise TokenExpired()
        return user, token
