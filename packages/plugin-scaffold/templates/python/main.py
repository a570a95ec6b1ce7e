#!/usr/bin/env python3
"""Gets an access token with this agent's client credentials, then reads the agent's record.

Only the standard library (urllib): nothing to install.
"""
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request

AGENT_ID = "{{AGENT_ID}}"
API_PREFIX = "{{API_PREFIX}}"
TIMEOUT_SECONDS = 10


class StarterError(Exception):
    """A failure worth one readable line (no traceback)."""


def load_dotenv(path=".env"):
    """KEY=VALUE lines of .env, when it exists; variables already set win."""
    if not os.path.exists(path):
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            os.environ.setdefault(key.strip(), value.strip().strip('"'))


def required_env(name):
    value = os.environ.get(name, "").strip()
    if not value or value.startswith("<"):
        raise StarterError(f"{name} is not set: copy .env.example to .env and fill it in")
    return value


def call(request):
    """Sends a request; answers the JSON body, or raises with the server's error code and message."""
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        try:
            body = json.loads(text)
        except ValueError:
            body = {}
        # The API answers {code, message}; the token endpoint answers OAuth's {error, error_description}.
        code = body.get("code") or body.get("error") or f"HTTP_{error.code}"
        message = body.get("message") or body.get("error_description") or text[:200]
        raise StarterError(f"{request.get_method()} {request.full_url} failed with {error.code} {code}: {message}") from None
    except (urllib.error.URLError, OSError) as error:
        raise StarterError(f"cannot reach {request.full_url}: {error}") from None


def main():
    load_dotenv()
    api_url = required_env("AGENTIDP_API_URL").rstrip("/")
    form = urllib.parse.urlencode({
        "grant_type": "client_credentials",
        "client_id": required_env("AGENTIDP_CLIENT_ID"),
        "client_secret": required_env("AGENTIDP_CLIENT_SECRET"),
    }).encode("ascii")
    token = call(urllib.request.Request(f"{api_url}{API_PREFIX}/token", data=form, method="POST"))
    agent = call(urllib.request.Request(
        f"{api_url}{API_PREFIX}/agents/{urllib.parse.quote(AGENT_ID, safe='')}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    ))
    print(json.dumps(agent, indent=2))


if __name__ == "__main__":
    try:
        main()
    except StarterError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(1)
