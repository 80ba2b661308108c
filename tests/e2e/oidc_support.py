"""A tiny OpenID Connect provider on 127.0.0.1 for the browser tests of sign-in and roles.

It serves what Streamlit's ``st.login`` (Authlib) needs, and nothing else:
the discovery document, an authorisation endpoint that signs in whoever the
test has chosen (``provider.next_email``) without a form, a token endpoint
that checks the client's secret, the code and the PKCE verifier and returns
an ID token signed with a fresh RS256 key, and the JSON Web Key Set with the
public key. Built on the standard library's ``http.server`` and ``joserfc``
(installed with Authlib, which Streamlit's sign-in requires): no new
dependency, no network beyond 127.0.0.1.
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = ["FakeOIDC"]


class FakeOIDC:
    """The provider, serving in a thread; ``issuer`` is its URL, ``signed_in`` who got a token."""

    def __init__(self, client_id="netdash", client_secret="not-a-real-secret"):
        self.client_id, self.client_secret = client_id, client_secret
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig", "alg": "RS256"})
        self.next_email = None
        self.signed_in = []
        self._codes = {}
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlsplit(self.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(provider.discovery())
                elif url.path == "/jwks":
                    self._json({"keys": [provider.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(query))
                    self.end_headers()
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self):
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
                        .items()}
                body, status = provider.token(form, self.headers.get("Authorization", ""))
                self._json(body, status)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        }

    def authorize(self, query):
        """Sign in ``next_email`` at once; the URL to send the browser back to, with a one-time code."""
        if query.get("client_id") != self.client_id or not self.next_email:
            return f"{query.get('redirect_uri', '/')}?" + urlencode({"error": "access_denied",
                                                                     "state": query.get("state", "")})
        code = secrets.token_urlsafe(16)
        self._codes[code] = dict(query, email=self.next_email)
        return f"{query['redirect_uri']}?" + urlencode({"code": code, "state": query.get("state", "")})

    def token(self, form, authorization):
        """``(body, status)`` for a token request: an ID token for the code's user, or an OAuth error."""
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        if authorization.startswith("Basic "):
            client_id, _, client_secret = base64.b64decode(authorization[6:]).decode().partition(":")
        grant = self._codes.pop(form.get("code"), None)
        if (client_id, client_secret) != (self.client_id, self.client_secret) or grant is None:
            return {"error": "invalid_grant"}, 400
        if form.get("redirect_uri") != grant.get("redirect_uri"):
            return {"error": "invalid_grant", "error_description": "redirect_uri differs"}, 400
        if "code_challenge" in grant:
            verifier = form.get("code_verifier", "")
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if challenge != grant["code_challenge"]:
                return {"error": "invalid_grant", "error_description": "PKCE"}, 400
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": hashlib.sha256(grant["email"].encode()).hexdigest()[:16],
                  "aud": self.client_id, "iat": now, "exp": now + 600, "email": grant["email"],
                  "email_verified": True, "name": grant["email"].split("@")[0]}
        if grant.get("nonce"):
            claims["nonce"] = grant["nonce"]
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, self.key)
        self.signed_in.append(grant["email"])
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600,
                "id_token": id_token, "scope": grant.get("scope", "openid")}, 200
