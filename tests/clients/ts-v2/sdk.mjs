// The SDK line this directory installs (2.x: @modelcontextprotocol/client), as oauth.mjs and approve.mjs use it.
export { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
export const LINE = '2.x';
export const PACKAGE = '@modelcontextprotocol/client';
// Registers `handler(params)` for `elicitation/create`: asked on a session's stream (2025 revisions), or
// embedded in an `input_required` result that the SDK fulfils and retries by itself (2026-07-28).
export const onElicit = (client, handler) => client.setRequestHandler('elicitation/create', (req) => handler(req.params));
