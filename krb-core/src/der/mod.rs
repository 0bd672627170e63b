//! A strict, zero-copy DER reader and a small DER writer.
