from csp.decorators import csp_update
from django.utils.decorators import method_decorator
from drf_spectacular.views import SpectacularSwaggerSplitView


# Swagger UI is served from drf-spectacular-sidecar (no CDN) with its init script as a separate
# file; it still sets inline styles, so this one page relaxes style-src only.
@method_decorator(csp_update({"style-src": ["'unsafe-inline'"], "img-src": ["data:"]}), name="dispatch")
class DocsView(SpectacularSwaggerSplitView):
    pass
