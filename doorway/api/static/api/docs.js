"use strict";
// Swagger UI over Doorway's schema. A file, not inline script, as the CSP requires.
document.addEventListener("DOMContentLoaded", () => {
  const element = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    domNode: element,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    // The token is kept in this page only, never in the browser's storage.
    persistAuthorization: false,
    // "Try it out" sends the token pasted under Authorize and nothing else: the
    // session cookie stays out, so the page answers exactly as a script would.
    requestInterceptor: (request) => {
      request.credentials = "omit";
      return request;
    },
  });
});
