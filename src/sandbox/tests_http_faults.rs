//! HTTP tests of faults and control paths.
