// The SDK line this directory installs (1.x: @modelcontextprotocol/sdk), as oauth.mjs and approve.mjs use it.
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
export const LINE = '1.x';
export const PACKAGE = '@modelcontextprotocol/sdk';
// Registers `handler(params)` for the server's `elicitation/create` requests (1.x takes the request's schema).
export const onElicit = (client, handler) => client.setRequestHandler(ElicitRequestSchema, (req) => handler(req.params));
