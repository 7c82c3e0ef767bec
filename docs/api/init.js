// The API documentation page (/v1/docs): Swagger UI, installed from npm at build time
// (swagger-ui-dist, pinned in scripts/tools.sh) and served by the endpoint itself, on
// the document the endpoint serves. No inline script: the page's CSP allows 'self' only.
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
});
window.SwaggerUIBundle({
  url: '/v1/openapi.json',
  dom_id: '#docs',
  deepLinking: true,
  defaultModelsExpandDepth: 0,
  docExpansion: 'list',
});
