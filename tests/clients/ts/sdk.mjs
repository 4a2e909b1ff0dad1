// The SDK line this directory installs (1.x: @modelcontextprotocol/sdk), as oauth.mjs uses it.
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
export const LINE = '1.x';
