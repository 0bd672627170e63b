//! The two RFC 4121 pieces the acceptor needs besides the AP-REQ: the channel-binding hash
//! of the 0x8003 checksum (§4.1.1.2) and MIC tokens (§4.2.6.1) for SPNEGO's mechListMIC.

use md5::{Digest, Md5};

use crate::crypto::{CryptoError, Key, KeyUsage};

/// The `Bnd` field for channel bindings whose addresses are unspecified (type 0, empty) and
/// whose application data is `application_data`: MD5 of the marshalled
/// `gss_channel_bindings_struct`, as MIT and Windows compute it. TLS channel bindings (RFC
/// 5929, `tls-server-end-point:` + hash) are sent this way by every HTTP client.
pub fn channel_binding_hash(application_data: &[u8]) -> [u8; 16] {
    let mut h = Md5::new();
    // initiator_addrtype, initiator_address (length 0), acceptor_addrtype, acceptor_address.
    h.update([0u8; 16]);
    h.update(
        u32::try_from(application_data.len())
            .unwrap_or(u32::MAX)
            .to_le_bytes(),
    );
    h.update(application_data);
    let digest = h.finalize();
    let mut out = [0u8; 16];
    for (o, d) in out.iter_mut().zip(digest.iter()) {
        *o = *d;
    }
    out
}

/// Whether two channel-binding hashes are equal, in constant time.
pub(crate) fn same_binding(a: &[u8; 16], b: &[u8; 16]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// MIC token flags (RFC 4121 §4.2.2).
pub(crate) const SENT_BY_ACCEPTOR: u8 = 0x01;

const MIC_TOKEN_ID: [u8; 2] = [0x04, 0x04];
const HEADER_LEN: usize = 16;

/// Makes a MIC token over `data`.
pub(crate) fn make_mic(
    key: &Key,
    usage: KeyUsage,
    flags: u8,
    seq: u64,
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let mut header = [0xffu8; HEADER_LEN];
    header[0] = MIC_TOKEN_ID[0];
    header[1] = MIC_TOKEN_ID[1];
    header[2] = flags;
    header[8..16].copy_from_slice(&seq.to_be_bytes());
    let mut signed = Vec::with_capacity(data.len() + HEADER_LEN);
    signed.extend_from_slice(data);
    signed.extend_from_slice(&header);
    let checksum = key.checksum(usage, &signed)?;
    let mut token = Vec::with_capacity(HEADER_LEN + checksum.len());
    token.extend_from_slice(&header);
    token.extend_from_slice(&checksum);
    Ok(token)
}

/// Verifies a MIC token over `data` made by the peer (`from_acceptor` says which side).
pub(crate) fn verify_mic(
    key: &Key,
    usage: KeyUsage,
    from_acceptor: bool,
    token: &[u8],
    data: &[u8],
) -> bool {
    let Some((header, checksum)) = token.split_first_chunk::<HEADER_LEN>() else {
        return false;
    };
    let [id0, id1, flags, f0, f1, f2, f3, f4, ..] = *header;
    if [id0, id1] != MIC_TOKEN_ID || [f0, f1, f2, f3, f4] != [0xff; 5] {
        return false;
    }
    if (flags & SENT_BY_ACCEPTOR != 0) != from_acceptor {
        return false;
    }
    let mut signed = Vec::with_capacity(data.len() + HEADER_LEN);
    signed.extend_from_slice(data);
    signed.extend_from_slice(header);
    key.verify_checksum(usage, &signed, checksum).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Etype;

    #[test]
    fn binding_hashes_match_an_independent_md5() {
        // Python's hashlib.md5 of the marshalled struct: five zero 32-bit fields for no data.
        assert_eq!(
            channel_binding_hash(b""),
            [
                0x44, 0x10, 0x18, 0x52, 0x52, 0x08, 0x45, 0x77, 0x05, 0xbf, 0x09, 0xa8, 0xee, 0x3c,
                0x10, 0x93
            ]
        );
        // And for the application data MIT's gss-tool bound in testdata/mit.
        assert_eq!(
            channel_binding_hash(b"tls-server-end-point:krb-proxy-test-binding"),
            [
                0x3d, 0xa5, 0x01, 0xbd, 0x36, 0xa7, 0xd9, 0xd5, 0xa3, 0x19, 0x3b, 0xca, 0x43, 0xa6,
                0x85, 0x36
            ]
        );
    }

    #[test]
    fn mic_round_trip_and_tamper() {
        let key = Key::random(Etype::Aes256CtsHmacSha196).unwrap();
        let data = b"mech types";
        let mic = make_mic(&key, KeyUsage::GSS_ACCEPTOR_SIGN, SENT_BY_ACCEPTOR, 7, data).unwrap();
        assert!(verify_mic(
            &key,
            KeyUsage::GSS_ACCEPTOR_SIGN,
            true,
            &mic,
            data
        ));
        assert!(!verify_mic(
            &key,
            KeyUsage::GSS_ACCEPTOR_SIGN,
            false,
            &mic,
            data
        ));
        assert!(!verify_mic(
            &key,
            KeyUsage::GSS_INITIATOR_SIGN,
            true,
            &mic,
            data
        ));
        assert!(!verify_mic(
            &key,
            KeyUsage::GSS_ACCEPTOR_SIGN,
            true,
            &mic,
            b"other"
        ));
        for i in 0..mic.len() {
            let mut bad = mic.clone();
            bad[i] ^= 0x01;
            assert!(
                !verify_mic(&key, KeyUsage::GSS_ACCEPTOR_SIGN, true, &bad, data),
                "{i}"
            );
        }
        assert!(!verify_mic(
            &key,
            KeyUsage::GSS_ACCEPTOR_SIGN,
            true,
            &mic[..15],
            data
        ));
    }
}
