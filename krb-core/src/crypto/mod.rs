//! Kerberos crypto profiles (RFC 3961, RFC 3962, RFC 8009).
