"""``GET /docs``: the shim's OpenAPI document in Swagger UI, with no CDN.

The page and its two assets come from the ``swagger-ui-bundle`` package (in the
``[http]`` extra), read once and served by the shim itself, so ``/docs`` works on a
machine with no internet access. Links are relative, so the page also works behind
a proxy that mounts the shim under a prefix.
"""

from __future__ import annotations

from functools import cache
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

# Swagger UI's own files the page loads, and their media types.
ASSETS: Final = {
    "swagger-ui.css": "text/css; charset=utf-8",
    "swagger-ui-bundle.js": "application/javascript; charset=utf-8",
    "favicon-32x32.png": "image/png",
}

PAGE: Final = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>eccc-sim notification shim: API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({url: "openapi.json", dom_id: "#swagger-ui",
                                deepLinking: true, validatorUrl: null});
  </script>
</body>
</html>
"""


@cache
def asset(name: str) -> bytes:
    """One of Swagger UI's files, from the installed package (KeyError if not in ASSETS)."""
    from swagger_ui_bundle import swagger_ui_path

    if name not in ASSETS:  # only the files the page names
        raise KeyError(name)
    data: bytes = (swagger_ui_path / name).read_bytes()
    return data


async def docs_page(request: Request) -> Response:
    return HTMLResponse(PAGE)


async def docs_asset(request: Request) -> Response:
    name = request.path_params["asset"]
    if name not in ASSETS:
        return Response(b'{"error":"no such file","field":"path"}', 404,
                        media_type="application/json")
    return Response(asset(name), 200, media_type=ASSETS[name],
                    headers={"Cache-Control": "public, max-age=86400"})
