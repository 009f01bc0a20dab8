//! The central /rest/store API simulator.
