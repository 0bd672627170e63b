//! Kerberos V5 messages (RFC 4120): zero-copy decoders and DER encoders.
//!
//! Every type borrows from the bytes it was decoded from: names, realms, ciphertext and key
//! bytes are `&'a [u8]` slices of the input. Fields are plain and public. Encryption types and
//! checksum types stay plain `i32` here; the acceptor maps them to its crypto profiles.
//!
//! Decoders are strict DER (see [`crate::DerError`] for what they reject) and check the
//! constant fields (`pvno`, `msg-type`, `tkt-vno`, `authenticator-vno` must be 5 and the
//! message's own type). Encoders write minimal DER and return [`crate::DerError`] only for a
//! time outside the years 0000 to 9999.
//!
//! What is here: AP-REQ with Ticket and Authenticator (§5.5.1, §5.3), EncTicketPart (§5.3),
//! AP-REP and EncAPRepPart (§5.5.2), KRB-CRED and EncKrbCredPart (§5.8.1, delegated
//! credentials), KRB-ERROR (§5.9.1). What is not: the AS and TGS exchanges and
//! KRB-SAFE/KRB-PRIV.

mod ap_rep;
mod ap_req;
mod enc_ticket_part;
mod flags;
mod krb_cred;
mod krb_error;
mod types;

pub use ap_rep::{ApRep, EncApRepPart};
pub use ap_req::{ApReq, Authenticator, Ticket};
pub use enc_ticket_part::{EncTicketPart, TransitedEncoding};
pub use flags::{ApOptions, ContextFlags, GssFlags, TicketFlags};
pub use krb_cred::{EncKrbCredPart, KrbCred, KrbCredInfo};
pub use krb_error::KrbError;
pub use types::{
    AuthorizationData, Checksum, EncryptedData, EncryptionKey, HostAddress, NameType,
    PrincipalName, ad_type,
};

/// The protocol version number, `pvno` (RFC 4120 §5.1).
pub const PVNO: i64 = 5;

/// Message type numbers, `msg-type` (RFC 4120 §7.5.7), which are also the messages'
/// `[APPLICATION n]` tag numbers.
pub mod msg_type {
    /// KRB_AP_REQ, application 14.
    pub const AP_REQ: u8 = 14;
    /// KRB_AP_REP, application 15.
    pub const AP_REP: u8 = 15;
    /// KRB_ERROR, application 30.
    pub const KRB_ERROR: u8 = 30;
    /// KRB_CRED, application 22 (delegated credentials).
    pub const KRB_CRED: u8 = 22;
    /// Ticket, application 1.
    pub const TICKET: u8 = 1;
    /// Authenticator, application 2.
    pub const AUTHENTICATOR: u8 = 2;
    /// EncTicketPart, application 3.
    pub const ENC_TICKET_PART: u8 = 3;
    /// EncAPRepPart, application 27.
    pub const ENC_AP_REP_PART: u8 = 27;
}
