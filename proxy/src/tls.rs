//! The TLS listener (rustls with the pure-Rust graviola provider) and RFC 5929
//! `tls-server-end-point` channel bindings.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use sha2::Digest;

/// The crypto provider used for every TLS connection: graviola (pure Rust; needs x86_64 with
/// AES-NI, AVX2, ADX, BMI2 and PCLMULQDQ, or aarch64).
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls_graviola::default_provider())
}

/// A loaded listener certificate: the rustls config and the channel-binding data.
#[derive(Debug, Clone)]
pub struct ServerTls {
    /// The rustls server config (ALPN h2 and http/1.1).
    pub config: Arc<rustls::ServerConfig>,
    /// `b"tls-server-end-point:" || hash(leaf certificate)`.
    pub channel_bindings: Arc<[u8]>,
}

/// Loads the PEM certificate chain and key and builds the server config.
pub fn load_server_tls(cert: &Path, key: &Path) -> Result<ServerTls, String> {
    let chain = CertificateDer::pem_file_iter(cert)
        .map_err(|e| format!("cannot read TLS certificate {}: {e}", cert.display()))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("TLS certificate {}: {e}", cert.display()))?;
    let leaf = chain.first().ok_or_else(|| {
        format!(
            "TLS certificate {} holds no PEM certificate",
            cert.display()
        )
    })?;
    let channel_bindings = channel_bindings(leaf.as_ref());
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read TLS key {}: {e}", key.display()))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| {
            format!(
                "TLS certificate {} and its key do not work together: {e}",
                cert.display()
            )
        })?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(ServerTls {
        config: Arc::new(config),
        channel_bindings: channel_bindings.into(),
    })
}

/// The hash RFC 5929 §4.1 picks for a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndPointHash {
    /// SHA-256: for MD5, SHA-1 and SHA-256 signatures, and for anything unrecognised.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// RFC 5929 §4: `tls-server-end-point` application data for a DER certificate.
pub fn channel_bindings(cert_der: &[u8]) -> Vec<u8> {
    let mut out = b"tls-server-end-point:".to_vec();
    match signature_hash(cert_der) {
        EndPointHash::Sha256 => out.extend_from_slice(&sha2::Sha256::digest(cert_der)),
        EndPointHash::Sha384 => out.extend_from_slice(&sha2::Sha384::digest(cert_der)),
        EndPointHash::Sha512 => out.extend_from_slice(&sha2::Sha512::digest(cert_der)),
    }
    out
}

/// RFC 5929 §4.1: "if the certificate's signatureAlgorithm uses a single hash function and that
/// hash function is either MD5 or SHA-1, then use SHA-256; if \[it\] uses a single hash function and
/// that hash function \[is another\], then use the hash function associated with the certificate's
/// signatureAlgorithm". Ed25519 and RSA-PSS have no single obvious hash here; SHA-256 is used.
pub fn signature_hash(cert_der: &[u8]) -> EndPointHash {
    // Certificate ::= SEQUENCE { tbsCertificate SEQUENCE, signatureAlgorithm SEQUENCE { OID, .. }, .. }
    let oid = (|| {
        let (_, cert, _) = der_item(cert_der)?;
        let (_, _tbs, rest) = der_item(cert)?;
        let (_, alg, _) = der_item(rest)?;
        let (tag, oid, _) = der_item(alg)?;
        (tag == 0x06).then_some(oid)
    })();
    const SHA384_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0c];
    const SHA512_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0d];
    const ECDSA_SHA384: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03];
    const ECDSA_SHA512: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04];
    match oid {
        Some(SHA384_RSA) | Some(ECDSA_SHA384) => EndPointHash::Sha384,
        Some(SHA512_RSA) | Some(ECDSA_SHA512) => EndPointHash::Sha512,
        _ => EndPointHash::Sha256,
    }
}

/// One DER TLV: (tag, contents, rest). Definite lengths only, at most 4 length bytes.
fn der_item(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let (bytes, after) = rest.split_at_checked(n)?;
        rest = after;
        bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
    };
    let (contents, after) = rest.split_at_checked(len)?;
    Some((tag, contents, after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_walk_finds_the_signature_algorithm() {
        // SEQUENCE { SEQUENCE {} , SEQUENCE { OID ecdsa-with-SHA384 }, BIT STRING {} }
        let cert = [
            0x30, 0x10, 0x30, 0x00, 0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04,
            0x03, 0x03, 0x03, 0x00,
        ];
        assert_eq!(signature_hash(&cert), EndPointHash::Sha384);
        let cb = channel_bindings(&cert);
        assert!(cb.starts_with(b"tls-server-end-point:"));
        assert_eq!(cb.len(), 21 + 48);
        assert_eq!(signature_hash(&[0x30, 0x85]), EndPointHash::Sha256);
        assert_eq!(signature_hash(&[]), EndPointHash::Sha256);
    }
}
