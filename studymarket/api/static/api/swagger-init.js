// Swagger UI for /api/docs (studymarket/api/templates/api/docs.html): the settings come from
// the page's data attribute, so the page needs no inline script under the site's CSP.
(function () {
  "use strict";
  var settings = JSON.parse(document.body.dataset.swaggerSettings);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(settings);
})();
