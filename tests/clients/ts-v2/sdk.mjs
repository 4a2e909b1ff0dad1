// The SDK line this directory installs (2.x: @modelcontextprotocol/client), as oauth.mjs uses it.
export { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
export const LINE = '2.x';
