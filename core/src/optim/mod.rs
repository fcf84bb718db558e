//! Optimisers (placeholder, filled in by the layers work).
