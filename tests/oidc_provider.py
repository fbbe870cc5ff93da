"""A small but real OpenID Connect provider for the tests, on a free local port: what a school's Microsoft 365 or
Google Workspace is to Reflect. Streamlit's own client (Authlib) talks to it exactly as it would to those.

It serves discovery (``/.well-known/openid-configuration``), the authorization code flow with PKCE (S256), state and
nonce, a token endpoint that checks the client's credentials, the code, its redirect URI and the PKCE verifier, and
answers with an RS256-signed ID token, the JSON Web Key Set to check it with, and userinfo. Its sign-in page is a
form where the test types whom to sign in as and whether the provider vouches for that email (``email_verified``).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from reflect.devtools.live_server import free_port

CODE_VALID_FOR = 60  # seconds from the sign-in form to the client's trade of the code
TOKEN_VALID_FOR = 300
# What the authorization request must carry, and carries through the sign-in form to the code.
AUTHORIZE_PARAMS = ("client_id", "redirect_uri", "response_type", "scope", "state", "nonce", "code_challenge",
                    "code_challenge_method")


@dataclass
class Grant:
    """What a code was issued for, until the client trades it."""

    client_id: str
    redirect_uri: str
    nonce: str
    code_challenge: str
    email: str
    email_verified: bool
    issued: float


@dataclass
class Provider:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str  # the one redirect URI registered for the client
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "test-key", "use": "sig"}))
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, dict] = field(default_factory=dict)
    id_tokens_issued: list[dict] = field(default_factory=list)

    @property
    def metadata_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize, methods=["GET"]),
            Route("/authorize", self.signed_in, methods=["POST"]),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
            Route("/userinfo", self.userinfo),
        ])

    async def discovery(self, request: Request) -> JSONResponse:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "name"],
        })

    def _bad_request(self, params: dict[str, str]) -> str | None:
        """Why an authorization request must be refused without sending the browser back to the client, if so."""
        if params.get("client_id") != self.client_id:
            return "unknown client"
        if params.get("redirect_uri") != self.redirect_uri:
            return "redirect_uri is not the one registered"
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return "only the OpenID Connect authorization code flow is served"
        if not params.get("state") or not params.get("nonce"):
            return "state and nonce are required"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required"
        return None

    async def authorize(self, request: Request) -> Response:
        """The provider's sign-in page: the test chooses whom to sign in as."""
        params = {name: request.query_params.get(name, "") for name in AUTHORIZE_PARAMS}
        problem = self._bad_request(params)
        if problem:
            return HTMLResponse(f"<p>Bad request: {html.escape(problem)}</p>", status_code=400)
        hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(value)}">'
                         for name, value in params.items())
        return HTMLResponse(f"""<!doctype html><html><head><title>Test school sign-in</title></head><body>
            <h1>Test school sign-in</h1>
            <form method="post" action="/authorize">{hidden}
              <label>Email <input name="email" type="email"></label>
              <label><input name="email_verified" type="checkbox" value="true" checked> Email verified</label>
              <button type="submit">Continue</button>
            </form></body></html>""")

    async def signed_in(self, request: Request) -> Response:
        """The sign-in form sent: issue a code and send the browser back to the client with it and its state."""
        form = await request.form()
        params = {name: str(form.get(name, "")) for name in AUTHORIZE_PARAMS}
        problem = self._bad_request(params)
        if problem:
            return HTMLResponse(f"<p>Bad request: {html.escape(problem)}</p>", status_code=400)
        code = secrets.token_urlsafe(24)
        self.grants[code] = Grant(params["client_id"], params["redirect_uri"], params["nonce"],
                                  params["code_challenge"], str(form.get("email", "")),
                                  form.get("email_verified") == "true", time.time())
        return RedirectResponse(f"{params['redirect_uri']}?{urlencode({'code': code, 'state': params['state']})}",
                                status_code=302)

    def _client_authenticated(self, request: Request, form) -> bool:
        """client_secret_basic (Authlib's default) or client_secret_post."""
        authorization = request.headers.get("authorization", "")
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        else:
            client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        return client_id == self.client_id and secrets.compare_digest(secret, self.client_secret)

    async def token(self, request: Request) -> JSONResponse:
        form = await request.form()
        if not self._client_authenticated(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        if form.get("grant_type") != "authorization_code":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        grant = self.grants.pop(str(form.get("code", "")), None)  # a code works once
        verifier = str(form.get("code_verifier", ""))
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if (grant is None or time.time() - grant.issued > CODE_VALID_FOR or grant.client_id != self.client_id
                or form.get("redirect_uri") != grant.redirect_uri or challenge != grant.code_challenge):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + TOKEN_VALID_FOR,
            "sub": hashlib.sha256(grant.email.encode()).hexdigest()[:20], "nonce": grant.nonce,
            "email": grant.email, "email_verified": grant.email_verified, "name": grant.email.split("@")[0].title(),
        }
        self.id_tokens_issued.append(claims)
        access_token = secrets.token_urlsafe(24)
        self.access_tokens[access_token] = claims
        id_token = jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)
        return JSONResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": TOKEN_VALID_FOR,
                             "id_token": id_token, "scope": "openid email profile"},
                            headers={"Cache-Control": "no-store"})

    async def jwks(self, request: Request) -> JSONResponse:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def userinfo(self, request: Request) -> JSONResponse:
        claims = self.access_tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if claims is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse({name: claims[name] for name in ("sub", "email", "email_verified", "name")})


@contextlib.contextmanager
def running_provider(redirect_uri: str, *, client_id: str = "reflect") -> Iterator[Provider]:
    """A provider serving on a free local port (uvicorn on a thread of this process) for as long as the block runs,
    with one client registered: `client_id`, a random secret, and `redirect_uri`."""
    port = free_port()
    provider = Provider(issuer=f"http://127.0.0.1:{port}", client_id=client_id,
                        client_secret=secrets.token_urlsafe(24), redirect_uri=redirect_uri)
    server = uvicorn.Server(uvicorn.Config(provider.app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test OpenID Connect provider did not start")
        time.sleep(0.05)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
