//! HTTP tests of the API endpoints.
