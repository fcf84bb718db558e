//! Weight initialisers (placeholder, filled in by the layers work).
